// The KIP-848 consumer group records in `__consumer_offsets`, one per Kafka record type (bytes:
// ./record-codec.ts). A null value is a tombstone. Removing a member writes, in this order, the
// tombstones of its current assignment, its target assignment and its metadata; deleting a group
// writes those of the target assignment epoch, the subscription metadata and the group epoch.
import type { WireTopicPartitions } from './assignment.js'

/** ConsumerGroupMemberMetadataValue */
export interface MemberMetadata {
  instanceId: string | null
  rackId: string | null
  clientId: string
  clientHost: string
  subscribedTopicNames: string[]
  subscribedTopicRegex: string | null
  rebalanceTimeoutMs: number
  serverAssignor: string | null
  /** Set for a member that speaks the classic protocol (JoinGroup/SyncGroup/Heartbeat). */
  classic?: ClassicMemberMetadata | null
}

/** ConsumerGroupMemberMetadataValue.ClassicMemberMetadata */
export interface ClassicMemberMetadata {
  sessionTimeoutMs: number
  supportedProtocols: Array<{ name: string, metadata: Buffer }>
}

/** ConsumerGroupCurrentMemberAssignmentValue */
export interface CurrentAssignmentValue {
  memberEpoch: number
  previousMemberEpoch: number
  state: number
  assigned: WireTopicPartitions[]
  pendingRevocation: WireTopicPartitions[]
}

/** ConsumerGroupPartitionMetadataValue: the subscribed topics as last resolved. */
export interface TopicMetadata {
  topicId: string
  topicName: string
  numPartitions: number
}

export type ConsumerGroupRecord =
  | { type: 'cg-epoch', groupId: string, value: { epoch: number } | null }
  | { type: 'cg-topics', groupId: string, value: TopicMetadata[] | null }
  | { type: 'cg-member', groupId: string, memberId: string, value: MemberMetadata | null }
  | { type: 'cg-target-epoch', groupId: string, value: { assignmentEpoch: number } | null }
  | { type: 'cg-target', groupId: string, memberId: string, value: WireTopicPartitions[] | null }
  | { type: 'cg-current', groupId: string, memberId: string, value: CurrentAssignmentValue | null }

/** The tombstones that remove a member, in Kafka's order. */
export function memberTombstones (groupId: string, memberId: string): ConsumerGroupRecord[] {
  return [
    { type: 'cg-current', groupId, memberId, value: null },
    { type: 'cg-target', groupId, memberId, value: null },
    { type: 'cg-member', groupId, memberId, value: null }
  ]
}

/** The tombstones that delete an (empty) group, in Kafka's order. */
export function groupTombstones (groupId: string): ConsumerGroupRecord[] {
  return [
    { type: 'cg-target-epoch', groupId, value: null },
    { type: 'cg-topics', groupId, value: null },
    { type: 'cg-epoch', groupId, value: null }
  ]
}
