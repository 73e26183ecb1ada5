// The transaction coordinator's runtime: the shared coordinator runtime (../coordinator/runtime.ts)
// over `__transaction_state`, one TxnShard per partition, a queue per transactional id.
// `__transaction_state` holds no transactions of its own (never a transactional batch or marker).
import { CoordinatorRuntime } from '../coordinator/runtime.js'
import type { CoordinatorLog } from '../coordinator/log.js'
import type { Logger } from '@brook/common'
import { TXN_TOPIC } from './config.js'
import { type TxnRecord, decodeTxnRecord, encodeTxnRecord } from './records.js'
import { TxnShard } from './shard.js'

export interface TxnRuntimeOptions {
  numPartitions: number
  openLog: (partition: number) => Promise<CoordinatorLog>
  logger: Logger
  now?: () => number
  /** Cluster mode: partitions are loaded as this broker becomes their leader (runtime.ts). */
  ownership?: 'all' | 'elected'
  prepare?: () => Promise<void>
  /** Whether `__transaction_state` exists (after its deletion the next start() creates it again). */
  topicExists?: () => boolean
}

export class TxnRuntime extends CoordinatorRuntime<TxnShard, TxnRecord> {
  constructor (options: TxnRuntimeOptions) {
    super({
      topic: TXN_TOPIC,
      numPartitions: options.numPartitions,
      openLog: options.openLog,
      codec: { encode: encodeTxnRecord, decode: decodeTxnRecord },
      clock: { now: options.now ?? Date.now },
      logger: options.logger,
      newShard: (partition, _scheduler, epoch) => new TxnShard(partition, epoch),
      ...(options.ownership === undefined ? {} : { ownership: options.ownership }),
      ...(options.prepare === undefined ? {} : { prepare: options.prepare }),
      ...(options.topicExists === undefined ? {} : { topicExists: options.topicExists })
    })
  }
}
