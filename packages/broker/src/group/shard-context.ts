// What the pieces of a coordinator shard share: its groups, committed and pending offsets, config,
// time, and the scheduler for deferred operations. One shard per `__consumer_offsets` partition.
import type { GroupCoordinatorConfig } from './config.js'
import type { Group } from './classic/group.js'
import type { OffsetStore } from './offset-store.js'
import type { OpScheduler } from './op.js'
import type { Clock, Logger } from '@brook/common'
import type { TxnOffsets } from './txn-offsets.js'
import type { ConsumerGroup } from './consumer/group.js'
import type { TopicResolver } from './consumer/topics.js'
import type { GroupConfigs } from './group-configs.js'

export interface ShardContext {
  readonly config: GroupCoordinatorConfig
  readonly clock: Clock
  readonly scheduler: OpScheduler
  /** Classic groups (and "simple" groups made only of offsets). */
  readonly groups: Map<string, Group>
  /** KIP-848 consumer groups; a group id is in at most one of the two maps. */
  readonly consumerGroups: Map<string, ConsumerGroup>
  /** The cluster's topics, for resolving consumer group subscriptions. */
  readonly topics: TopicResolver
  /** Per-group overrides of the consumer session timeout and heartbeat interval. */
  readonly groupConfigs: GroupConfigs
  readonly offsets: OffsetStore
  /** Pending transactional offsets (their markers not replayed yet). */
  readonly txnOffsets: TxnOffsets
  readonly logger: Logger
  /** A new Empty group, registered in `groups`. */
  createGroup (groupId: string): Group
  /** Marks the group Dead, cancels its timers and forgets it. */
  removeGroup (groupId: string): void
}
