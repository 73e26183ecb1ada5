// The transaction coordinator runtime (Kafka's CoordinatorRuntime, for `__transaction_state`):
// one shard per partition, a serial queue per transactional id, and the append-then-replay cycle:
//
//   request ──▶ id's queue ──▶ op (pure over the shard) ──▶ {records, response}
//                                  │ records? ──▶ encode ──▶ log.append (durable) ──▶ decode ──▶ replay
//                                  └──────────────────────────────────────────────────────────▶ reply
//
// An id's queue is held from the op until its records are replayed, so no other operation on that
// id sees state that is not durable yet; different ids proceed concurrently (they share nothing).
// Loading replays each partition from its start; until then its ids answer
// COORDINATOR_LOAD_IN_PROGRESS. The group coordinator's CoordinatorLog (records of one operation
// become one durable batch) is reused; its runtime is specific to group shards, so this one is
// written for transaction shards behind the same shape.
import { ErrorCode } from '@brook/protocol/errors'
import type { CoordinatorLog } from '../group/coordinator-log.js'
import { partitionFor } from '../group/partition-for.js'
import type { Logger } from '../logger.js'
import { decodeTxnRecord, encodeTxnRecord } from './records.js'
import { TxnShard, type TxnOpResult } from './shard.js'

/** A failure the handlers report as `code`. */
export class TxnCoordinatorError extends Error {
  readonly code: number
  constructor (code: number, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TxnCoordinatorError'
    this.code = code
  }
}

export type TxnPartitionStatus = 'loading' | 'active' | 'failed'

interface Slot {
  status: TxnPartitionStatus
  shard: TxnShard
  log: CoordinatorLog | null
}

export interface TxnRuntimeOptions {
  numPartitions: number
  openLog: (partition: number) => Promise<CoordinatorLog>
  logger: Logger
  now?: () => number
}

/** What the client hears when the append of a transaction log record fails (Kafka's appendTransactionToLog). */
export function appendErrorCode (err: unknown): number {
  const kind = err instanceof Error && 'kind' in err ? (err as { kind: unknown }).kind : undefined
  switch (kind) {
    case 'KAFKA_STORAGE_ERROR':
      return ErrorCode.NOT_COORDINATOR
    case 'RECORD_LIST_TOO_LARGE':
    case 'CORRUPT_MESSAGE':
      return ErrorCode.UNKNOWN_SERVER_ERROR
    default:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE
  }
}

export class TxnRuntime {
  readonly #slots: Slot[] = []
  readonly #queues = new Map<string, Promise<void>>()
  readonly #openLog: (partition: number) => Promise<CoordinatorLog>
  readonly #logger: Logger
  readonly now: () => number
  #closed = false

  constructor (options: TxnRuntimeOptions) {
    this.#openLog = options.openLog
    this.#logger = options.logger
    this.now = options.now ?? Date.now
    for (let p = 0; p < options.numPartitions; p++) this.#slots.push({ status: 'loading', shard: new TxnShard(p), log: null })
  }

  get numPartitions (): number {
    return this.#slots.length
  }

  partitionFor (transactionalId: string): number {
    return partitionFor(transactionalId, this.#slots.length)
  }

  status (partition: number): TxnPartitionStatus | undefined {
    return this.#slots[partition]?.status
  }

  /** Loaded shards (describe and list only look; timers pick their work here). */
  activeShards (): TxnShard[] {
    return this.#slots.filter((s) => s.status === 'active').map((s) => s.shard)
  }

  anyLoading (): boolean {
    return this.#slots.some((s) => s.status === 'loading')
  }

  /** Opens and replays every partition; resolves when all are loaded (or failed). */
  async start (): Promise<void> {
    await Promise.all(this.#slots.map(async (slot, p) => { await this.#load(p, slot) }))
  }

  async #load (partition: number, slot: Slot): Promise<void> {
    try {
      const log = await this.#openLog(partition)
      let skipped = 0
      await log.replay((entry) => {
        // `__transaction_state` holds no transactions of its own: only plain records matter.
        if (entry.type !== 'record') return
        const record = decodeTxnRecord(entry.record)
        if (record === null) skipped++
        else slot.shard.replay(record)
      })
      if (skipped > 0) this.#logger.warn({ partition, skipped }, 'skipped transaction log records Brook does not know')
      slot.log = log
      slot.status = 'active'
    } catch (err) {
      slot.status = 'failed'
      this.#logger.error({ err, partition }, 'loading a transaction log partition failed')
    }
  }

  /**
   * Runs `op` on the id's shard through the id's queue; resolves with its response once its records
   * are durable and replayed. Rejects with TxnCoordinatorError when the partition is not available
   * or the append fails. `op` may await (a producer id allocation) before returning its result.
   */
  run<T> (transactionalId: string, op: (shard: TxnShard) => TxnOpResult<T> | Promise<TxnOpResult<T>>): Promise<T> {
    const slot = this.#slots[this.partitionFor(transactionalId)] as Slot
    return this.#enqueue(transactionalId, async () => await this.#execute(slot, op))
  }

  close (): void {
    this.#closed = true
  }

  #enqueue<T> (key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(key) ?? Promise.resolve()
    const run = previous.then(task)
    const tail = run.then(() => {}, () => {})
    this.#queues.set(key, tail)
    void tail.then(() => {
      if (this.#queues.get(key) === tail) this.#queues.delete(key)
    })
    return run
  }

  async #execute<T> (slot: Slot, op: (shard: TxnShard) => TxnOpResult<T> | Promise<TxnOpResult<T>>): Promise<T> {
    if (this.#closed) throw new TxnCoordinatorError(ErrorCode.NOT_COORDINATOR, 'transaction coordinator is shut down')
    if (slot.status === 'loading') throw new TxnCoordinatorError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, 'partition loading')
    if (slot.status === 'failed' || slot.log === null) {
      throw new TxnCoordinatorError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `transaction log partition ${slot.shard.partition} is not available`)
    }
    const log = slot.log
    const res = await op(slot.shard)
    if (res.records.length === 0) return res.response
    const encoded = res.records.map(encodeTxnRecord)
    try {
      // The id's queue is held across this await: nothing else touches this id until replay.
      await log.append(encoded, this.now())
    } catch (err) {
      this.#logger.warn({ err, partition: slot.shard.partition }, 'append to the transaction log failed')
      throw new TxnCoordinatorError(appendErrorCode(err), 'append to the transaction log failed', { cause: err })
    }
    // Replay what was written, decoded from its bytes: the state is what the log says. The one
    // field the log format lacks (lastProducerEpoch, soft state as in Kafka) is carried over.
    for (const [i, raw] of encoded.entries()) {
      const record = decodeTxnRecord(raw)
      const written = res.records[i]?.value
      if (record === null) continue
      if (record.value !== null && written !== null && written !== undefined) {
        record.value = { ...record.value, lastProducerEpoch: written.lastProducerEpoch }
      }
      slot.shard.replay(record)
    }
    return res.response
  }
}
