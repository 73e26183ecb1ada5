// What the pieces of a coordinator shard share: its groups, committed and pending offsets, config,
// time, and the scheduler for deferred operations. One shard per `__consumer_offsets` partition.
import type { GroupCoordinatorConfig } from './config.js'
import type { Group } from './group.js'
import type { OffsetStore } from './offset-store.js'
import type { OpScheduler } from './op.js'
import type { Clock, Logger } from '@brook/common'
import type { TxnOffsets } from './txn-offsets.js'

export interface ShardContext {
  readonly config: GroupCoordinatorConfig
  readonly clock: Clock
  readonly scheduler: OpScheduler
  readonly groups: Map<string, Group>
  readonly offsets: OffsetStore
  /** Pending transactional offsets (their markers not replayed yet). */
  readonly txnOffsets: TxnOffsets
  readonly logger: Logger
  /** A new Empty group, registered in `groups`. */
  createGroup (groupId: string): Group
  /** Marks the group Dead, cancels its timers and forgets it. */
  removeGroup (groupId: string): void
}
