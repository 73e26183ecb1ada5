// The coordinator's records, as the shard produces and replays them. Each maps 1:1 onto a Kafka
// `__consumer_offsets` record (bytes: ./record-codec.ts):
//   offset commit   key OffsetCommitKey(group, topic, partition)   value OffsetCommitValue | null
//   group metadata  key GroupMetadataKey(group)                     value GroupMetadataValue | null
//   consumer group  the KIP-848 records of ./consumer/records.ts
// A null value is a tombstone: the offset or the group is deleted, and compaction drops the key.

export interface OffsetAndMetadata {
  committedOffset: bigint
  /** -1 when the client did not send one. */
  leaderEpoch: number
  metadata: string
  commitTimestampMs: number
  /** Only set by OffsetCommit v1 (explicit commit timestamp) or v2-v4 (retention time). */
  expireTimestampMs: number | null
}

interface MemberSnapshot {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  /** The member's metadata for the group's protocol. */
  subscription: Buffer
  assignment: Buffer
}

export interface GroupSnapshot {
  /** "" for a group that never had members. */
  protocolType: string
  generation: number
  protocol: string | null
  leader: string | null
  /** -1 when unknown. */
  currentStateTimestamp: number
  members: MemberSnapshot[]
}

import type { ConsumerGroupRecord } from './consumer/records.js'

export type GroupRecord =
  | { type: 'offset', groupId: string, topic: string, partition: number, value: OffsetAndMetadata | null }
  | { type: 'group', groupId: string, value: GroupSnapshot | null }
  | ConsumerGroupRecord

export function offsetRecord (groupId: string, topic: string, partition: number, value: OffsetAndMetadata | null): GroupRecord {
  return { type: 'offset', groupId, topic, partition, value }
}

export function groupRecord (groupId: string, value: GroupSnapshot | null): GroupRecord {
  return { type: 'group', groupId, value }
}
