// Replaying KIP-848 consumer group records into the shard's consumer groups (Kafka's
// GroupMetadataManager.replay for the ConsumerGroup* records). Records of a group create it; the
// group epoch tombstone deletes it. A member's tombstones come in the order current assignment,
// target assignment, metadata; the last one removes the member.
import { fromWire } from './assignment.js'
import { ConsumerGroup } from './group.js'
import { ConsumerMember, currentFromRecord, initialCurrent } from './member.js'
import type { ConsumerGroupRecord, MemberMetadata } from './records.js'

const NO_METADATA: MemberMetadata = {
  instanceId: null, rackId: null, clientId: '', clientHost: '', subscribedTopicNames: [], subscribedTopicRegex: null, rebalanceTimeoutMs: -1, serverAssignor: null
}

/** Applies one record; `onDeleted` is told when a group goes away. */
export function replayConsumerRecord (groups: Map<string, ConsumerGroup>, record: ConsumerGroupRecord, onCreated: (groupId: string) => void): void {
  let group = groups.get(record.groupId)
  if (group === undefined) {
    if (record.value === null) return
    group = new ConsumerGroup(record.groupId)
    groups.set(record.groupId, group)
    onCreated(record.groupId)
  }
  switch (record.type) {
    case 'cg-epoch':
      if (record.value === null) {
        group.dead = true
        groups.delete(record.groupId)
      } else {
        group.groupEpoch = record.value.epoch
      }
      return
    case 'cg-topics':
      group.topics = record.value ?? []
      return
    case 'cg-target-epoch':
      group.assignmentEpoch = record.value?.assignmentEpoch ?? 0
      return
    case 'cg-target':
      if (record.value === null) group.target.delete(record.memberId)
      else group.target.set(record.memberId, fromWire(record.value))
      return
    case 'cg-member': {
      if (record.value === null) {
        group.members.delete(record.memberId)
        return
      }
      const member = group.members.get(record.memberId)
      if (member === undefined) group.members.set(record.memberId, new ConsumerMember(record.memberId, record.value))
      else member.metadata = record.value
      return
    }
    case 'cg-current': {
      const member = group.members.get(record.memberId)
      const current = record.value === null ? initialCurrent() : currentFromRecord(record.value)
      if (member !== undefined) member.current = current
      else if (record.value !== null) group.members.set(record.memberId, new ConsumerMember(record.memberId, NO_METADATA, current))
    }
  }
}
