// `__consumer_offsets` record bytes, exactly as Kafka writes them, so Kafka's tools
// (kafka-console-consumer --formatter ...GroupMetadataMessageFormatter, kafka-dump-log
// --offsets-decoder) can read a Brook log:
//
//   key   = version int16 + key schema          version 0/1: OffsetCommitKey, 2: GroupMetadataKey
//   value = version int16 + value schema, or null (tombstone)
//
//   OffsetCommitKey v1     group string, topic string, partition int32
//   OffsetCommitValue v3   offset int64, leaderEpoch int32, metadata string, commitTimestamp int64
//   OffsetCommitValue v1   offset int64, metadata string, commitTimestamp int64, expireTimestamp int64
//   GroupMetadataKey v2    group string
//   GroupMetadataValue v3  protocolType string, generation int32, protocol nullable string,
//                          leader nullable string, currentStateTimestamp int64,
//                          members [memberId string, groupInstanceId nullable string,
//                                   clientId string, clientHost string, rebalanceTimeout int32,
//                                   sessionTimeout int32, subscription bytes, assignment bytes]
// Writing: offset values use v3, or v1 when an expire timestamp must be kept (as Kafka); group
// values use v3. Reading accepts every version Kafka has written (offset values 0-4, group values
// 0-4; v4 is the flexible encoding). The schemas are the protocol package's internal-record data,
// encoded by its one generic codec. Recovery rule: a record that does not decode (unknown key
// version, e.g. share-group records, or garbage) is skipped, never fatal. KIP-848 consumer
// group records (key versions 3-8): ./consumer/record-codec.ts.
import {
  ProtocolError, Reader, decodeMessage, groupMetadataKey, groupMetadataValue, offsetCommitKey, offsetCommitValue
} from '@brook/protocol'
import type { CoordinatorLogRecord } from '../coordinator/log.js'
import { encodeVersioned as versioned } from '../coordinator/versioned-record.js'
import type { RecordCodec as CoordinatorRecordCodec } from '../coordinator/runtime.js'
import type { GroupRecord, GroupSnapshot, OffsetAndMetadata } from './records.js'
import { CONSUMER_KEY_VERSIONS, decodeConsumerRecord, encodeConsumerRecord } from './consumer/record-codec.js'

export type RecordCodec = CoordinatorRecordCodec<GroupRecord>

const OFFSET_KEY_VERSION = 1
const GROUP_KEY_VERSION = 2
const OFFSET_VALUE_VERSION = 3
const OFFSET_VALUE_VERSION_WITH_EXPIRY = 1
const GROUP_VALUE_VERSION = 3

export function encodeKey (record: GroupRecord): Buffer {
  if (record.type !== 'offset' && record.type !== 'group') return encodeConsumerRecord(record).key
  if (record.type === 'offset') {
    return versioned(offsetCommitKey, OFFSET_KEY_VERSION, { group: record.groupId, topic: record.topic, partition: record.partition })
  }
  return versioned(groupMetadataKey, GROUP_KEY_VERSION, { group: record.groupId })
}

function encodeOffsetValue (o: OffsetAndMetadata): Buffer {
  const withExpiry = o.expireTimestampMs !== null
  return versioned(offsetCommitValue, withExpiry ? OFFSET_VALUE_VERSION_WITH_EXPIRY : OFFSET_VALUE_VERSION, {
    offset: o.committedOffset,
    leaderEpoch: o.leaderEpoch,
    metadata: o.metadata,
    commitTimestamp: BigInt(o.commitTimestampMs),
    expireTimestamp: BigInt(o.expireTimestampMs ?? -1)
  })
}

function encodeGroupValue (g: GroupSnapshot): Buffer {
  return versioned(groupMetadataValue, GROUP_VALUE_VERSION, {
    protocolType: g.protocolType,
    generation: g.generation,
    protocol: g.protocol,
    leader: g.leader,
    currentStateTimestamp: BigInt(g.currentStateTimestamp),
    members: g.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeoutMs,
      sessionTimeout: m.sessionTimeoutMs,
      subscription: m.subscription,
      assignment: m.assignment
    }))
  })
}

function decodeOffsetValue (bytes: Buffer): OffsetAndMetadata {
  const r = new Reader(bytes)
  const v = decodeMessage(offsetCommitValue, r.readInt16(), r)
  const expire = v.expireTimestamp ?? -1n
  return {
    committedOffset: v.offset,
    leaderEpoch: v.leaderEpoch ?? -1,
    metadata: v.metadata,
    commitTimestampMs: Number(v.commitTimestamp),
    expireTimestampMs: expire < 0n ? null : Number(expire)
  }
}

function decodeGroupValue (bytes: Buffer): GroupSnapshot {
  const r = new Reader(bytes)
  const v = decodeMessage(groupMetadataValue, r.readInt16(), r)
  return {
    protocolType: v.protocolType,
    generation: v.generation,
    protocol: v.protocol ?? null,
    leader: v.leader ?? null,
    currentStateTimestamp: Number(v.currentStateTimestamp ?? -1n),
    members: v.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId ?? null,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeout ?? -1,
      sessionTimeoutMs: m.sessionTimeout,
      // Decoded bytes are views of the record buffer; the group keeps its own copy.
      subscription: Buffer.from(m.subscription),
      assignment: Buffer.from(m.assignment)
    }))
  }
}

export const recordCodec: RecordCodec = {
  encode (record: GroupRecord): CoordinatorLogRecord {
    if (record.type !== 'offset' && record.type !== 'group') return encodeConsumerRecord(record)
    const key = encodeKey(record)
    if (record.value === null) return { key, value: null }
    return { key, value: record.type === 'offset' ? encodeOffsetValue(record.value) : encodeGroupValue(record.value) }
  },

  decode (record: CoordinatorLogRecord): GroupRecord | null {
    try {
      const r = new Reader(record.key)
      const version = r.readInt16()
      if (version === 0 || version === 1) {
        const key = decodeMessage(offsetCommitKey, version, r)
        const value = record.value === null ? null : decodeOffsetValue(record.value)
        return { type: 'offset', groupId: key.group, topic: key.topic, partition: key.partition, value }
      }
      if (version === 2) {
        const key = decodeMessage(groupMetadataKey, version, r)
        return { type: 'group', groupId: key.group, value: record.value === null ? null : decodeGroupValue(record.value) }
      }
      if (CONSUMER_KEY_VERSIONS.has(version)) return decodeConsumerRecord(version, r, record.value)
      return null
    } catch (err) {
      if (err instanceof ProtocolError) return null
      throw err
    }
  }
}
