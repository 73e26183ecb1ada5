// Offset commits to a KIP-848 consumer group (Kafka's ConsumerGroup.validateOffsetCommit): with
// epoch -1 (admin tools, manual assignment) only while the group has no members; otherwise the
// member must exist (UNKNOWN_MEMBER_ID) and send its current member epoch (STALE_MEMBER_EPOCH;
// ILLEGAL_GENERATION before OffsetCommit v9, which cannot carry a member epoch).
import { GroupError } from '../errors.js'
import type { ConsumerGroup } from './group.js'

export function validateConsumerCommit (group: ConsumerGroup, memberId: string, memberEpoch: number, apiVersion: number, transactional: boolean): number {
  if (memberEpoch < 0 && group.members.size === 0) return GroupError.NONE
  const member = group.members.get(memberId)
  if (member === undefined) return GroupError.UNKNOWN_MEMBER_ID
  if (memberEpoch !== member.current.memberEpoch) {
    return transactional || apiVersion >= 9 ? GroupError.STALE_MEMBER_EPOCH : GroupError.ILLEGAL_GENERATION
  }
  return GroupError.NONE
}

/** OffsetDelete: a topic the (non-empty) group subscribes to keeps its offsets. */
export function isSubscribedTo (group: ConsumerGroup, topic: string): boolean {
  return group.members.size > 0 && group.topics.some((t) => t.topicName === topic)
}
