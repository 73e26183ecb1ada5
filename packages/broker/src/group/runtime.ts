// The coordinator runtime (Kafka's CoordinatorRuntime): one shard per `__consumer_offsets`
// partition, a serial queue per group, and the append-then-replay cycle:
//
//   request ──▶ group queue ──▶ shard op (sync, pure over current state) ──▶ {records, response}
//                                   │ records? ──▶ encode ──▶ log.append (durable) ──▶ decode ──▶ replay
//                                   └──────────────────────────────────────────────▶ afterAppend ──▶ reply
//
// A group's queue is held from the op until its records are replayed, so no other operation on
// that group sees state that is not yet durable; different groups proceed concurrently (they
// share no state). Loading a partition replays it from the start; until that finishes, requests
// for its groups get COORDINATOR_LOAD_IN_PROGRESS. Deferred operations (timers) go through the
// same queue. A failed append rejects the request with the Kafka error Kafka gives for it.
//
// Transactions (Kafka's scheduleTransactionalWriteOperation / scheduleTransactionCompletion): a
// transactional op's records are appended as the producer's transactional batch, and replayed as
// its pending offsets; a transaction marker for a partition is appended and replayed with the
// whole partition to itself (it waits for the operations already queued on any of its groups, and
// later ones wait for it), because it ends offsets of any group of the partition. So the live
// shard always replays in log order whatever touches the same state.
import type { GroupCoordinatorConfig } from './config.js'
import { type CoordinatorLog, type EndTxnMarker, NO_PRODUCER_ID, type TxnProducer } from './coordinator-log.js'
import { GroupCoordinatorError, GroupError, type GroupErrorCode } from './errors.js'
import type { OpResult, OpScheduler } from './op.js'
import { partitionFor } from './partition-for.js'
import { type RecordCodec, recordCodec } from './record-codec.js'
import type { GroupLogger } from './shard-context.js'
import { GroupShard } from './shard.js'
import { type Clock, type KeyedTimer, SystemTimer, systemClock } from './timer.js'

export type PartitionStatus = 'loading' | 'active' | 'failed'

export interface RuntimeOptions {
  config: GroupCoordinatorConfig
  /** Opens (creating if needed) one partition of `__consumer_offsets`. */
  openLog: (partition: number) => Promise<CoordinatorLog>
  clock?: Clock
  timer?: KeyedTimer
  logger?: GroupLogger
  codec?: RecordCodec
}

interface PartitionSlot {
  status: PartitionStatus
  shard: GroupShard
  log: CoordinatorLog | null
  loaded: Promise<void>
}

const silent: GroupLogger = { info: () => {}, warn: () => {} }
const CLEANUP_KEY = 'offsets-cleanup'

/**
 * Kafka's mapping of an append failure to what the client is told (appendGroupMetadataErrorToResponseError);
 * the partition's producer-state refusals of a transaction's batch or marker pass through.
 */
export function appendErrorCode (err: unknown): GroupErrorCode {
  if (err instanceof GroupCoordinatorError) return err.code
  const kind = err instanceof Error && 'kind' in err ? (err as { kind: unknown }).kind : undefined
  switch (kind) {
    case 'INVALID_PRODUCER_EPOCH':
      return GroupError.INVALID_PRODUCER_EPOCH
    case 'TRANSACTION_COORDINATOR_FENCED':
      return GroupError.TRANSACTION_COORDINATOR_FENCED
    case 'INVALID_TXN_STATE':
      return GroupError.INVALID_TXN_STATE
    case 'KAFKA_STORAGE_ERROR':
      return GroupError.NOT_COORDINATOR
    case 'RECORD_LIST_TOO_LARGE':
    case 'CORRUPT_MESSAGE':
      return GroupError.UNKNOWN_SERVER_ERROR
    default:
      return GroupError.COORDINATOR_NOT_AVAILABLE
  }
}

export class GroupCoordinatorRuntime {
  readonly config: GroupCoordinatorConfig
  readonly clock: Clock
  readonly #timer: KeyedTimer
  readonly #logger: GroupLogger
  readonly #codec: RecordCodec
  readonly #openLog: (partition: number) => Promise<CoordinatorLog>
  readonly #slots: PartitionSlot[] = []
  readonly #queues = new Map<string, Promise<void>>()
  /** Per partition: the tails of operations queued on its groups, and the last exclusive operation. */
  readonly #inFlight: Array<Set<Promise<void>>> = []
  readonly #exclusive: Array<Promise<void> | undefined> = []
  #starting: Promise<void> | null = null
  #closed = false

  constructor (options: RuntimeOptions) {
    this.config = options.config
    this.clock = options.clock ?? systemClock
    this.#timer = options.timer ?? new SystemTimer()
    this.#logger = options.logger ?? silent
    this.#codec = options.codec ?? recordCodec
    this.#openLog = options.openLog
    for (let p = 0; p < this.config.offsetsTopicNumPartitions; p++) {
      this.#slots.push({ status: 'loading', shard: this.#newShard(p), log: null, loaded: Promise.resolve() })
      this.#inFlight.push(new Set())
      this.#exclusive.push(undefined)
    }
  }

  get numPartitions (): number {
    return this.#slots.length
  }

  partitionFor (groupId: string): number {
    return partitionFor(groupId, this.#slots.length)
  }

  status (partition: number): PartitionStatus | undefined {
    return this.#slots[partition]?.status
  }

  /**
   * Opens and replays every partition; resolves when all are loaded (or failed). Idempotent:
   * every caller gets the same promise, so it can be called lazily before each use.
   */
  async start (): Promise<void> {
    this.#starting ??= (async () => {
      await Promise.all(this.#slots.map((slot, p) => {
        slot.loaded = this.#load(p, slot)
        return slot.loaded
      }))
      this.#scheduleCleanup()
    })()
    await this.#starting
  }

  /** Whether start() has been called (the partitions may still be loading). */
  get started (): boolean {
    return this.#starting !== null
  }

  async #load (partition: number, slot: PartitionSlot): Promise<void> {
    try {
      const log = await this.#openLog(partition)
      let skipped = 0
      await log.replay((entry) => {
        if (entry.type === 'marker') {
          slot.shard.replayEndTransaction(entry.producerId, entry.commit)
          return
        }
        const record = this.#codec.decode(entry.record)
        if (record === null) skipped++
        else slot.shard.replay(record, entry)
      })
      if (skipped > 0) this.#logger.warn(`__consumer_offsets-${partition}: skipped ${skipped} record(s) this coordinator does not know`)
      slot.log = log
      slot.shard.onLoaded()
      slot.status = 'active'
    } catch (err) {
      slot.status = 'failed'
      this.#logger.warn(`__consumer_offsets-${partition}: load failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  /**
   * Runs `op` on the group's shard through the group's queue; resolves with its response once its
   * records are durable and replayed. Rejects with GroupCoordinatorError when the partition is not
   * available (not loaded yet: COORDINATOR_LOAD_IN_PROGRESS) or the append fails.
   */
  run<T> (groupId: string, op: (shard: GroupShard) => OpResult<T>): Promise<Awaited<T>> {
    return this.#run(groupId, op, undefined)
  }

  /** As run(), the records appended as `producer`'s transactional batch (TxnOffsetCommit). */
  runTransactional<T> (groupId: string, producer: TxnProducer, op: (shard: GroupShard) => OpResult<T>): Promise<Awaited<T>> {
    return this.#run(groupId, op, producer)
  }

  /**
   * Writes a transaction marker to one partition and replays it (the producer's pending offsets
   * there are committed or dropped). Rejects as run() does; the marker's own refusals
   * (INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED) come as GroupCoordinatorError.
   */
  async completeTransaction (partition: number, marker: EndTxnMarker): Promise<void> {
    this.#startLazily()
    const slot = this.#slots[partition]
    if (slot === undefined) throw new GroupCoordinatorError(GroupError.UNKNOWN_TOPIC_OR_PARTITION, `no partition ${partition}`)
    await this.#enqueueExclusive(partition, async () => {
      const log = this.#available(slot)
      try {
        await log.appendMarker(marker, this.clock.now())
      } catch (err) {
        this.#logger.warn(`__consumer_offsets-${partition}: marker append failed: ${err instanceof Error ? err.message : String(err)}`)
        throw new GroupCoordinatorError(appendErrorCode(err), 'transaction marker append failed', { cause: err })
      }
      slot.shard.replayEndTransaction(marker.producerId, marker.commit)
    })
  }

  #run<T> (groupId: string, op: (shard: GroupShard) => OpResult<T>, producer: TxnProducer | undefined): Promise<Awaited<T>> {
    this.#startLazily()
    const partition = this.partitionFor(groupId)
    const slot = this.#slots[partition] as PartitionSlot
    // The response travels boxed through the queue: a parked JoinGroup's promise must not be
    // adopted inside the queue, or the group would wait on itself.
    return this.#enqueue(partition, groupId, async () => await this.#execute(slot, op, producer)).then(async (box): Promise<Awaited<T>> => await box.value)
  }

  /**
   * First use starts the load without waiting: until its partition is loaded, the request gets
   * COORDINATOR_LOAD_IN_PROGRESS, which clients retry.
   */
  #startLazily (): void {
    if (this.#starting !== null) return
    this.start().catch((err: unknown) => {
      this.#logger.warn(`group coordinator: start failed: ${err instanceof Error ? err.message : String(err)}`)
    })
  }

  /** Every active shard (ListGroups reads them without queueing: it only looks). */
  activeShards (): GroupShard[] {
    return this.#slots.filter((s) => s.status === 'active').map((s) => s.shard)
  }

  /** COORDINATOR_LOAD_IN_PROGRESS while any partition loads (ListGroups' top-level error). */
  anyLoading (): boolean {
    return this.#slots.some((s) => s.status === 'loading')
  }

  /**
   * Stops timers and unloads every shard: parked JoinGroup/SyncGroup requests are answered
   * NOT_COORDINATOR at once (as Kafka does when a coordinator moves), so that a shutdown does not
   * wait on rebalances; later requests get NOT_COORDINATOR too.
   */
  close (): void {
    this.#closed = true
    this.#timer.cancelAll()
    for (const slot of this.#slots) slot.shard.unload()
  }

  /** Runs `task` after the group's earlier operations and after the partition's last exclusive one. */
  #enqueue<T> (partition: number, groupId: string, task: () => Promise<T>): Promise<T> {
    const previous = Promise.all([this.#queues.get(groupId), this.#exclusive[partition]])
    const run = previous.then(task)
    const tail = run.then(() => {}, () => {})
    this.#queues.set(groupId, tail)
    const inFlight = this.#inFlight[partition] as Set<Promise<void>>
    inFlight.add(tail)
    void tail.then(() => {
      inFlight.delete(tail)
      if (this.#queues.get(groupId) === tail) this.#queues.delete(groupId)
    })
    return run
  }

  /** Runs `task` alone on the partition: after everything queued on it so far, before what comes later. */
  #enqueueExclusive<T> (partition: number, task: () => Promise<T>): Promise<T> {
    const previous = Promise.all([...(this.#inFlight[partition] ?? []), this.#exclusive[partition]])
    const run = previous.then(task)
    const tail = run.then(() => {}, () => {})
    this.#exclusive[partition] = tail
    void tail.then(() => {
      if (this.#exclusive[partition] === tail) this.#exclusive[partition] = undefined
    })
    return run
  }

  /** The slot's log, or the error its state answers. */
  #available (slot: PartitionSlot): CoordinatorLog {
    if (this.#closed) throw new GroupCoordinatorError(GroupError.NOT_COORDINATOR, 'coordinator is shut down')
    if (slot.status === 'loading') throw new GroupCoordinatorError(GroupError.COORDINATOR_LOAD_IN_PROGRESS, 'partition loading')
    if (slot.status === 'failed' || slot.log === null) {
      throw new GroupCoordinatorError(GroupError.COORDINATOR_NOT_AVAILABLE, `__consumer_offsets-${slot.shard.partition} is not available`)
    }
    return slot.log
  }

  async #execute<T> (slot: PartitionSlot, op: (shard: GroupShard) => OpResult<T>, producer?: TxnProducer): Promise<{ value: T }> {
    const log = this.#available(slot)
    const res = op(slot.shard)
    if (res.records.length === 0) {
      res.afterAppend?.(null)
      return { value: res.response }
    }
    const encoded = res.records.map((r) => this.#codec.encode(r))
    let lastOffset: number
    try {
      // The queue is held across this await: nothing else touches this group until replay.
      lastOffset = await log.append(encoded, this.clock.now(), producer)
    } catch (err) {
      res.afterAppend?.(err)
      this.#logger.warn(`__consumer_offsets-${slot.shard.partition}: append failed: ${err instanceof Error ? err.message : String(err)}`)
      throw new GroupCoordinatorError(appendErrorCode(err), 'append to __consumer_offsets failed', { cause: err })
    }
    // Replay what was written, decoded from its bytes: the state is what the log says.
    const firstOffset = lastOffset - encoded.length + 1
    const producerId = producer?.producerId ?? NO_PRODUCER_ID
    for (const [i, raw] of encoded.entries()) {
      const record = this.#codec.decode(raw)
      if (record !== null) slot.shard.replay(record, { offset: firstOffset + i, producerId })
    }
    res.afterAppend?.(null)
    return { value: res.response }
  }

  #newShard (partition: number): GroupShard {
    const scheduler: OpScheduler = {
      schedule: (key, groupId, delayMs, op) => {
        this.#timer.schedule(key, delayMs, () => {
          const slot = this.#slots[partition] as PartitionSlot
          this.#enqueue(partition, groupId, async () => await this.#execute(slot, op)).catch((err: unknown) => {
            this.#logger.warn(`group ${groupId}: deferred operation ${key} failed: ${err instanceof Error ? err.message : String(err)}`)
          })
        })
      },
      cancel: (key) => { this.#timer.cancel(key) },
      isScheduled: (key) => this.#timer.isScheduled(key)
    }
    return new GroupShard({ partition, config: this.config, clock: this.clock, scheduler, logger: this.#logger })
  }

  #scheduleCleanup (): void {
    if (this.#closed) return
    this.#timer.schedule(CLEANUP_KEY, this.config.offsetsRetentionCheckIntervalMs, () => {
      void this.cleanupNow().finally(() => { this.#scheduleCleanup() })
    })
  }

  /** One offsets-retention pass over every group (also run by the periodic timer). */
  async cleanupNow (): Promise<number> {
    let expired = 0
    const runs: Array<Promise<void>> = []
    for (const shard of this.activeShards()) {
      for (const groupId of [...shard.groups.keys()]) {
        runs.push(this.run(groupId, (s) => s.offsetOps.cleanup(groupId)).then((n) => { expired += n }, (err: unknown) => {
          this.#logger.warn(`group ${groupId}: offsets cleanup failed: ${err instanceof Error ? err.message : String(err)}`)
        }))
      }
    }
    await Promise.all(runs)
    return expired
  }
}
