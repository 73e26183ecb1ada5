// The share coordinator (Kafka's ShareCoordinator + persister in one): the durable state of every
// share-partition, kept in `__share_group_state` through the shared coordinator runtime (records +
// replay, one shard per partition of the topic, a queue per share-partition key). A write is
// answered once its snapshot is durable and replayed; a read answers the replayed state, so a
// restarted broker reads exactly what was acknowledged before the crash.
import type { CoordinatorLog } from '../../coordinator/log.js'
import { CoordinatorRuntime } from '../../coordinator/runtime.js'
import type { Logger } from '@brook/common'
import { type SharePartitionKey, type ShareStateRecord, type ShareStateSnapshot, shareStateCodec, stateKey } from './records.js'
import { ShareStateShard } from './shard.js'

export const SHARE_STATE_TOPIC = '__share_group_state'

export interface ShareStateStoreOptions {
  numPartitions: number
  openLog: (partition: number) => Promise<CoordinatorLog>
  logger: Logger
}

export class ShareStateStore {
  readonly runtime: CoordinatorRuntime<ShareStateShard, ShareStateRecord>

  constructor (options: ShareStateStoreOptions) {
    this.runtime = new CoordinatorRuntime({
      topic: SHARE_STATE_TOPIC,
      numPartitions: options.numPartitions,
      openLog: options.openLog,
      codec: shareStateCodec,
      logger: options.logger,
      newShard: (partition) => new ShareStateShard(partition)
    })
  }

  /** Loads every partition (a restart reads its state before clients come). */
  async start (): Promise<void> {
    await this.runtime.start()
  }

  /** The durable state of a share-partition, or null when it has none. Waits for loading. */
  async read (key: SharePartitionKey): Promise<ShareStateSnapshot | null> {
    await this.runtime.start()
    const k = stateKey(key)
    return await this.runtime.run(k, (shard) => ({ records: [], response: shard.states.get(k) ?? null }))
  }

  /** Makes `snapshot` the share-partition's durable state; resolves once it is. */
  async write (key: SharePartitionKey, snapshot: ShareStateSnapshot): Promise<void> {
    await this.runtime.start()
    await this.runtime.run(stateKey(key), () => ({ records: [{ key, kind: 'snapshot' as const, value: snapshot }], response: undefined }))
  }

  /** Deletes the share-partition's state (tombstone). */
  async delete (key: SharePartitionKey): Promise<void> {
    await this.runtime.start()
    await this.runtime.run(stateKey(key), () => ({ records: [{ key, kind: 'snapshot' as const, value: null }], response: undefined }))
  }

  /** The share-partitions a group has state for (every loaded shard). */
  partitionsOf (groupId: string): SharePartitionKey[] {
    return this.runtime.activeShards().flatMap((s) => [...(s.byGroup.get(groupId)?.values() ?? [])])
  }

  /** Every group with share state. */
  groupIds (): string[] {
    return [...new Set(this.runtime.activeShards().flatMap((s) => [...s.byGroup.keys()]))]
  }

  close (): void {
    this.runtime.close()
  }
}
