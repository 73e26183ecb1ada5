// A KIP-848 consumer group (Kafka's ConsumerGroup): the group epoch (bumped whenever membership,
// subscriptions or the subscribed topics change), the target assignment and its epoch, and the
// members with their current assignments. Changed only by replaying records (../shard.ts), so
// the live group is always what the log says.
//
// State, derived as in Kafka: Empty (no members), Assigning (group epoch ahead of the target's),
// Reconciling (some member not yet Stable at the target epoch), Stable.
import { type Assignment, emptyAssignment, partitionsOf } from './assignment.js'
import { ConsumerMember, MemberState } from './member.js'
import type { TopicMetadata } from './records.js'

export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable' | 'Dead'

export const CONSUMER_GROUP_STATES: readonly ConsumerGroupState[] = ['Empty', 'Assigning', 'Reconciling', 'Stable', 'Dead']

export class ConsumerGroup {
  readonly groupId: string
  groupEpoch = 0
  assignmentEpoch = 0
  readonly members = new Map<string, ConsumerMember>()
  /** member id -> target partitions */
  readonly target = new Map<string, Assignment>()
  /** The subscribed topics as last resolved (names, ids, partition counts). */
  topics: TopicMetadata[] = []
  /** Set when the group is deleted or converted: its queued operations must not touch it. */
  dead = false

  constructor (groupId: string) {
    this.groupId = groupId
  }

  get state (): ConsumerGroupState {
    if (this.dead) return 'Dead'
    if (this.members.size === 0) return 'Empty'
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning'
    for (const m of this.members.values()) {
      if (m.current.state !== MemberState.STABLE || m.current.memberEpoch !== this.assignmentEpoch) return 'Reconciling'
    }
    return 'Stable'
  }

  staticMember (instanceId: string): ConsumerMember | undefined {
    for (const m of this.members.values()) if (m.instanceId === instanceId) return m
    return undefined
  }

  targetOf (memberId: string): Assignment {
    return this.target.get(memberId) ?? emptyAssignment()
  }

  /** partition key `${topicId}:${partition}` -> the member owning it (assigned or pending revocation). */
  owners (): Map<string, string> {
    const out = new Map<string, string>()
    for (const m of this.members.values()) {
      for (const [t, p] of partitionsOf(m.current.assigned)) out.set(`${t}:${p}`, m.memberId)
      for (const [t, p] of partitionsOf(m.current.pendingRevocation)) out.set(`${t}:${p}`, m.memberId)
    }
    return out
  }

  /** The topic names the members subscribe to by name. */
  subscribedTopicNames (): Set<string> {
    const out = new Set<string>()
    for (const m of this.members.values()) for (const t of m.metadata.subscribedTopicNames) out.add(t)
    return out
  }
}
