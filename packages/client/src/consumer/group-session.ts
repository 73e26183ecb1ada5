// What the consumer needs from its group membership, whichever protocol runs it: the classic
// one (JoinGroup/SyncGroup, a client-side assignor) or KIP-848's (ConsumerGroupHeartbeat, the
// broker assigns).
import type { TopicPartitions } from './assignors.js'

export interface GroupHooks {
  /** Called before partitions are given up (commit their offsets here). */
  onRevoke: (partitions: TopicPartitions[]) => Promise<void>
  onAssign: (partitions: TopicPartitions[]) => Promise<void>
  /** The group took these away already (the member was fenced): drop them without committing. */
  onLost: (partitions: TopicPartitions[]) => Promise<void>
}

/** What a member subscribes to: topic names, and (KIP-848 only) an RE2 pattern the broker evaluates. */
export interface Subscription {
  topics: string[]
  pattern: string | null
}

export interface GroupSession {
  readonly memberId: string
  /** The generation (classic) or member epoch (KIP-848) that offset commits carry. */
  readonly generationId: number
  /** Set when the consumer must call rebalance() before its next fetch. */
  needsRejoin: boolean
  /** Joins if needed and applies the current assignment through the hooks. */
  rebalance: (subscription: Subscription) => Promise<void>
  leave: () => Promise<void>
  /** Brings the generation or member epoch up to date (KIP-848: one heartbeat; classic: nothing to do). */
  refresh: () => Promise<void>
}
