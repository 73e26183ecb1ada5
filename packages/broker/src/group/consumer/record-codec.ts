// Bytes of the KIP-848 consumer group records, as Kafka writes them (key version = record type):
//
//   key v3 ConsumerGroupMetadataKey(group)                    value ConsumerGroupMetadataValue v0 (epoch)
//   key v4 ConsumerGroupPartitionMetadataKey(group)           value ...PartitionMetadataValue v0 (topics)
//   key v5 ConsumerGroupMemberMetadataKey(group, member)      value ...MemberMetadataValue v0
//   key v6 ConsumerGroupTargetAssignmentMetadataKey(group)    value ...TargetAssignmentMetadataValue v0
//   key v7 ConsumerGroupTargetAssignmentMemberKey(group, m)   value ...TargetAssignmentMemberValue v0
//   key v8 ConsumerGroupCurrentMemberAssignmentKey(group, m)  value ...CurrentMemberAssignmentValue v0
// Values are flexible (tagged fields); fields added by later Kafka versions are skipped on read.
import {
  Reader, consumerGroupCurrentMemberAssignmentKey, consumerGroupCurrentMemberAssignmentValue, consumerGroupMemberMetadataKey,
  consumerGroupMemberMetadataValue, consumerGroupMetadataKey, consumerGroupMetadataValue, consumerGroupPartitionMetadataKey,
  consumerGroupPartitionMetadataValue, consumerGroupTargetAssignmentMemberKey, consumerGroupTargetAssignmentMemberValue,
  consumerGroupTargetAssignmentMetadataKey, consumerGroupTargetAssignmentMetadataValue, decodeMessage,
  type ConsumerGroupMemberMetadataValue
} from '@brook/protocol'
import type { CoordinatorLogRecord } from '../../coordinator/log.js'
import { encodeVersioned as versioned } from '../../coordinator/versioned-record.js'
import type { ConsumerGroupRecord, MemberMetadata } from './records.js'

const VALUE_VERSION = 0

export const CONSUMER_KEY_VERSIONS: ReadonlySet<number> = new Set([3, 4, 5, 6, 7, 8])

export function encodeConsumerRecord (record: ConsumerGroupRecord): CoordinatorLogRecord {
  const { groupId } = record
  switch (record.type) {
    case 'cg-epoch':
      return {
        key: versioned(consumerGroupMetadataKey, 3, { groupId }),
        value: record.value === null ? null : versioned(consumerGroupMetadataValue, VALUE_VERSION, { epoch: record.value.epoch })
      }
    case 'cg-topics':
      return {
        key: versioned(consumerGroupPartitionMetadataKey, 4, { groupId }),
        value: record.value === null
          ? null
          : versioned(consumerGroupPartitionMetadataValue, VALUE_VERSION, {
            topics: record.value.map((t) => ({ topicId: t.topicId, topicName: t.topicName, numPartitions: t.numPartitions, partitionMetadata: [] }))
          })
      }
    case 'cg-member':
      return {
        key: versioned(consumerGroupMemberMetadataKey, 5, { groupId, memberId: record.memberId }),
        value: record.value === null ? null : versioned(consumerGroupMemberMetadataValue, VALUE_VERSION, memberMetadataValue(record.value))
      }
    case 'cg-target-epoch':
      return {
        key: versioned(consumerGroupTargetAssignmentMetadataKey, 6, { groupId }),
        value: record.value === null ? null : versioned(consumerGroupTargetAssignmentMetadataValue, VALUE_VERSION, { assignmentEpoch: record.value.assignmentEpoch })
      }
    case 'cg-target':
      return {
        key: versioned(consumerGroupTargetAssignmentMemberKey, 7, { groupId, memberId: record.memberId }),
        value: record.value === null ? null : versioned(consumerGroupTargetAssignmentMemberValue, VALUE_VERSION, { topicPartitions: record.value })
      }
    case 'cg-current':
      return {
        key: versioned(consumerGroupCurrentMemberAssignmentKey, 8, { groupId, memberId: record.memberId }),
        value: record.value === null
          ? null
          : versioned(consumerGroupCurrentMemberAssignmentValue, VALUE_VERSION, {
            memberEpoch: record.value.memberEpoch,
            previousMemberEpoch: record.value.previousMemberEpoch,
            state: record.value.state,
            assignedPartitions: record.value.assigned,
            partitionsPendingRevocation: record.value.pendingRevocation
          })
      }
  }
}

function memberMetadataValue (m: MemberMetadata): ConsumerGroupMemberMetadataValue {
  return {
    instanceId: m.instanceId,
    rackId: m.rackId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    subscribedTopicNames: m.subscribedTopicNames,
    subscribedTopicRegex: m.subscribedTopicRegex,
    rebalanceTimeoutMs: m.rebalanceTimeoutMs,
    serverAssignor: m.serverAssignor,
    classicMemberMetadata: m.classic == null ? null : { sessionTimeoutMs: m.classic.sessionTimeoutMs, supportedProtocols: m.classic.supportedProtocols }
  }
}

function valueReader (bytes: Buffer): { version: number, r: Reader } {
  const r = new Reader(bytes)
  return { version: r.readInt16(), r }
}

/** Decodes a record whose key version is in CONSUMER_KEY_VERSIONS; throws ProtocolError on bad bytes. */
export function decodeConsumerRecord (keyVersion: number, key: Reader, value: Buffer | null): ConsumerGroupRecord | null {
  const v = value === null ? null : valueReader(value)
  switch (keyVersion) {
    case 3: {
      const k = decodeMessage(consumerGroupMetadataKey, 3, key)
      return { type: 'cg-epoch', groupId: k.groupId, value: v === null ? null : { epoch: decodeMessage(consumerGroupMetadataValue, v.version, v.r).epoch } }
    }
    case 4: {
      const k = decodeMessage(consumerGroupPartitionMetadataKey, 4, key)
      const topics = v === null ? null : decodeMessage(consumerGroupPartitionMetadataValue, v.version, v.r).topics
      return { type: 'cg-topics', groupId: k.groupId, value: topics?.map((t) => ({ topicId: t.topicId, topicName: t.topicName, numPartitions: t.numPartitions })) ?? null }
    }
    case 5: {
      const k = decodeMessage(consumerGroupMemberMetadataKey, 5, key)
      if (v === null) return { type: 'cg-member', groupId: k.groupId, memberId: k.memberId, value: null }
      const m = decodeMessage(consumerGroupMemberMetadataValue, v.version, v.r)
      return {
        type: 'cg-member',
        groupId: k.groupId,
        memberId: k.memberId,
        value: {
          instanceId: m.instanceId ?? null,
          rackId: m.rackId ?? null,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopicNames: m.subscribedTopicNames,
          subscribedTopicRegex: m.subscribedTopicRegex ?? null,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          serverAssignor: m.serverAssignor ?? null,
          classic: m.classicMemberMetadata == null
            ? null
            : {
                sessionTimeoutMs: m.classicMemberMetadata.sessionTimeoutMs,
                supportedProtocols: m.classicMemberMetadata.supportedProtocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) }))
              }
        }
      }
    }
    case 6: {
      const k = decodeMessage(consumerGroupTargetAssignmentMetadataKey, 6, key)
      return { type: 'cg-target-epoch', groupId: k.groupId, value: v === null ? null : { assignmentEpoch: decodeMessage(consumerGroupTargetAssignmentMetadataValue, v.version, v.r).assignmentEpoch } }
    }
    case 7: {
      const k = decodeMessage(consumerGroupTargetAssignmentMemberKey, 7, key)
      const value = v === null ? null : decodeMessage(consumerGroupTargetAssignmentMemberValue, v.version, v.r).topicPartitions
      return { type: 'cg-target', groupId: k.groupId, memberId: k.memberId, value: value?.map((t) => ({ topicId: t.topicId, partitions: [...t.partitions] })) ?? null }
    }
    case 8: {
      const k = decodeMessage(consumerGroupCurrentMemberAssignmentKey, 8, key)
      if (v === null) return { type: 'cg-current', groupId: k.groupId, memberId: k.memberId, value: null }
      const c = decodeMessage(consumerGroupCurrentMemberAssignmentValue, v.version, v.r)
      return {
        type: 'cg-current',
        groupId: k.groupId,
        memberId: k.memberId,
        value: {
          memberEpoch: c.memberEpoch,
          previousMemberEpoch: c.previousMemberEpoch,
          state: c.state,
          assigned: c.assignedPartitions.map((t) => ({ topicId: t.topicId, partitions: [...t.partitions] })),
          pendingRevocation: c.partitionsPendingRevocation.map((t) => ({ topicId: t.topicId, partitions: [...t.partitions] }))
        }
      }
    }
    default:
      return null
  }
}
