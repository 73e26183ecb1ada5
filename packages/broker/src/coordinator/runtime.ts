// The coordinator runtime (Kafka's CoordinatorRuntime), shared by the group coordinator
// (`__consumer_offsets`) and the transaction coordinator (`__transaction_state`): one shard per
// partition of the coordinator's topic, a serial queue per key (group id, transactional id), and
// the append-then-replay cycle:
//
//   request ──▶ key's queue ──▶ op (over the shard's current state) ──▶ {records, response}
//                                  │ records? ──▶ encode ──▶ log.append (durable) ──▶ decode ──▶ shard.replay
//                                  └───────────────────────────────────────────────────▶ afterAppend ──▶ reply
//
// A key's queue is held from the op until its records are replayed, so no other operation on that
// key sees state that is not yet durable; different keys proceed concurrently (a shard keeps the
// state of different keys apart). The state is what the log says: records are replayed decoded
// from the bytes that were written. Loading a partition replays it from the start (the first use
// starts it); until it is loaded its keys get COORDINATOR_LOAD_IN_PROGRESS. Deferred operations
// (timers a shard schedules) go through the same queues.
//
// Ownership: on a single broker this runtime owns every partition (start() loads them all). In
// cluster mode ('elected') it owns the partitions whose leader this broker is: elect() loads one
// into a fresh shard under the partition's leader epoch, resign() unloads it (timers cancelled,
// parked requests answered); a partition not owned answers NOT_COORDINATOR. A failed append rejects the request with
// the error Kafka gives for it (./errors.ts) and changes nothing.
//
// Deletion of the topic (DeleteTopics accepts it, as Kafka's broker does): the first operation
// that meets a retired log, or the next start() that finds the topic gone, resigns every
// partition, as Kafka's coordinator resigns deleted partitions: shards unloaded (their state is
// gone with the topic), keys answer NOT_COORDINATOR, so clients look the coordinator up again, and
// that FindCoordinator's start() creates the topic again and loads it (empty). Elected ownership:
// the end of the deleted partitions' leaderships resigns them; start() creates the topic again.
//
// Transactions (Kafka's scheduleTransactionalWriteOperation / scheduleTransactionCompletion): a
// transactional op's records are appended as the producer's transactional batch and replayed with
// its producer id; a COMMIT/ABORT marker is appended and replayed with the whole partition to
// itself (it waits for the operations already queued on any key of the partition, and later ones
// wait for it), since it ends state of any key there. So a shard always replays in log order
// whatever touches the same state.
import { ErrorCode } from '@brook/protocol'
import { CoordinatorError, appendErrorCode } from './errors.js'
import { type CoordinatorLog, type CoordinatorLogRecord, type EndTxnMarker, NO_PRODUCER_ID, type TxnProducer } from './log.js'
import { partitionFor } from './partition-for.js'
import { type Clock, type KeyedTimer, type Logger, SystemTimer, silentLogger, systemClock } from '@brook/common'

export type PartitionStatus = 'unowned' | 'loading' | 'active' | 'failed'

/** Where a replayed record sits: its log offset, and its batch's producer (NO_PRODUCER_ID unless transactional). */
export interface RecordPosition {
  offset: number
  producerId: bigint
}

/** The state of one partition, changed only by replay (Kafka's CoordinatorShard). */
export interface CoordinatorShard<R> {
  readonly partition: number
  /** `written` is the record as the op produced it (live appends only), for soft fields the bytes lack. */
  replay (record: R, at: RecordPosition, written?: R): void
  replayEndTransaction (producerId: bigint, commit: boolean): void
  /** The partition is loaded: the shard goes live. */
  onLoaded? (): void
  /** The coordinator is going away (answer whoever is parked). */
  onUnloaded? (): void
}

/** What an op returns (Kafka's CoordinatorResult): records to make durable, and the response once they are. */
export interface CoordinatorResult<R, T> {
  records: R[]
  response: T
  /**
   * Runs after the append: error is null once the records are durable and replayed, else the
   * append failure (to release or undo what depended on the records).
   */
  afterAppend?: (error: unknown) => void
}

export interface RecordCodec<R> {
  encode (record: R): CoordinatorLogRecord
  /** null: not a record this coordinator knows (it is skipped). Throws nothing. */
  decode (record: CoordinatorLogRecord): R | null
}

/** Deferred operations of one shard: `op` runs through `queueKey`'s queue like a request. Scheduling a key again replaces it. */
export interface DeferredScheduler<R> {
  schedule (key: string, queueKey: string, delayMs: number, op: () => CoordinatorResult<R, unknown>): void
  cancel (key: string): void
  isScheduled (key: string): boolean
}

export interface CoordinatorRuntimeOptions<S, R> {
  /** The coordinator's topic (messages name its partitions). */
  topic: string
  numPartitions: number
  /** Opens (creating if needed) one partition of the topic. */
  openLog: (partition: number) => Promise<CoordinatorLog>
  /** `epoch`: the leader epoch of the partition this shard is loaded under (0 on a single broker). */
  newShard: (partition: number, scheduler: DeferredScheduler<R>, epoch: number) => S
  codec: RecordCodec<R>
  /**
   * 'all' (single broker): start() loads every partition. 'elected' (cluster mode): partitions are
   * loaded by elect() and unloaded by resign(); start() only runs `prepare`.
   */
  ownership?: 'all' | 'elected'
  /** Elected ownership: what start() does (create the coordinator's topic in the cluster). */
  prepare?: () => Promise<void>
  /** Whether the coordinator's topic exists (after a deletion, start() starts over); unknown when absent. */
  topicExists?: () => boolean
  clock?: Clock
  timer?: KeyedTimer
  logger?: Logger
}

interface Slot<S> {
  status: PartitionStatus
  shard: S
  log: CoordinatorLog | null
  /** The leader epoch the shard was loaded under. */
  epoch: number
  /** Bumped at every elect/resign: work of an older generation leaves the slot alone. */
  generation: number
  /** The deferred operations the current shard scheduled (cancelled when it is unloaded). */
  timerKeys: Set<string>
}

type Op<S, R, T> = (shard: S) => CoordinatorResult<R, T> | Promise<CoordinatorResult<R, T>>


function message (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

export class CoordinatorRuntime<S extends CoordinatorShard<R>, R> {
  readonly topic: string
  readonly clock: Clock
  protected readonly timer: KeyedTimer
  protected readonly logger: Logger
  readonly #codec: RecordCodec<R>
  readonly #openLog: (partition: number) => Promise<CoordinatorLog>
  readonly #newShard: (partition: number, scheduler: DeferredScheduler<R>, epoch: number) => S
  readonly #elected: boolean
  readonly #prepare: (() => Promise<void>) | undefined
  readonly #topicExists: (() => boolean) | undefined
  readonly #loadedListeners: Array<(shard: S) => void> = []
  readonly #slots: Array<Slot<S>> = []
  readonly #queues = new Map<string, Promise<void>>()
  /** Per partition: the tails of operations queued on its keys, and the last exclusive operation. */
  readonly #inFlight: Array<Set<Promise<void>>> = []
  readonly #exclusive: Array<Promise<void> | undefined> = []
  #starting: Promise<void> | null = null
  /** The current start() has finished (a deletion seen after it starts over). */
  #started = false
  /** Bumped by every start() that begins and by every deletion: an older start's end changes nothing. */
  #startRun = 0
  #closed = false

  constructor (options: CoordinatorRuntimeOptions<S, R>) {
    this.topic = options.topic
    this.clock = options.clock ?? systemClock
    this.timer = options.timer ?? new SystemTimer()
    this.logger = options.logger ?? silentLogger
    this.#codec = options.codec
    this.#openLog = options.openLog
    this.#newShard = options.newShard
    this.#elected = options.ownership === 'elected'
    this.#prepare = options.prepare
    this.#topicExists = options.topicExists
    for (let p = 0; p < options.numPartitions; p++) {
      this.#slots.push({
        status: this.#elected ? 'unowned' : 'loading',
        shard: options.newShard(p, this.#scheduler(p), 0),
        log: null,
        epoch: 0,
        generation: 0,
        timerKeys: new Set()
      })
      this.#inFlight.push(new Set())
      this.#exclusive.push(undefined)
    }
  }

  get numPartitions (): number {
    return this.#slots.length
  }

  partitionFor (key: string): number {
    return partitionFor(key, this.#slots.length)
  }

  status (partition: number): PartitionStatus | undefined {
    return this.#slots[partition]?.status
  }

  /**
   * Opens and replays every partition; resolves when all are loaded (or failed). Idempotent:
   * every caller gets the same promise, so it can be called lazily before each use.
   */
  async start (): Promise<void> {
    if (this.#started && this.#topicGone()) this.topicDeleted()
    if (this.#starting === null) {
      const run = ++this.#startRun
      this.#starting = (async () => {
        if (this.#elected) {
          try {
            await this.#prepare?.()
          } catch (err) {
            // The next caller tries again (the cluster may have more brokers by then).
            if (this.#startRun === run) this.#starting = null
            throw err
          }
        } else {
          for (const slot of this.#slots) if (slot.status === 'unowned') slot.status = 'loading'
          await Promise.all(this.#slots.map(async (slot, p) => { await this.#load(p, slot, slot.generation) }))
        }
        if (this.#startRun === run) this.#started = true
        this.onStarted()
      })()
    }
    await this.#starting
  }

  /**
   * The coordinator's topic was deleted: every partition is resigned (shards unloaded, parked
   * requests answered, keys answer NOT_COORDINATOR) and the next start() creates the topic again
   * and loads it. Called by the runtime itself when it meets the deletion. Elected ownership: the
   * deleted partitions' leaderships end, which resigns them, and the new topic's may already have
   * been elected here, so only the creation is redone.
   */
  topicDeleted (): void {
    if (this.#closed) return
    for (const [partition, slot] of this.#elected ? [] : this.#slots.entries()) {
      this.#unload(slot)
      slot.shard = this.#newShard(partition, this.#scheduler(partition), 0)
      slot.epoch = 0
      slot.status = 'unowned'
    }
    this.#starting = null
    this.#started = false
    this.#startRun++
    this.logger.warn(`${this.topic} was deleted: every partition resigned; the next lookup creates it again`)
  }

  /** Whether the topic is gone (reported missing, or a loaded partition's log retired). */
  #topicGone (): boolean {
    return this.#topicExists?.() === false || this.#slots.some((s) => s.log?.retired?.() === true)
  }

  /** Whether partitions are owned by election (cluster mode). */
  get elected (): boolean {
    return this.#elected
  }

  /**
   * Elected ownership: this broker now leads `partition` with `epoch`; its shard is loaded again
   * from the log (resolves once loaded or failed). The same epoch again changes nothing.
   */
  async elect (partition: number, epoch: number): Promise<void> {
    const slot = this.#slots[partition]
    if (slot === undefined || this.#closed) return
    if ((slot.status === 'loading' || slot.status === 'active') && slot.epoch === epoch) return
    this.#unload(slot)
    slot.epoch = epoch
    slot.shard = this.#newShard(partition, this.#scheduler(partition), epoch)
    slot.status = 'loading'
    this.logger.info(`${this.topic}-${partition}: loading as coordinator (leader epoch ${epoch})`)
    await this.#load(partition, slot, slot.generation)
  }

  /** Elected ownership: this broker no longer leads `partition`; its keys answer NOT_COORDINATOR. */
  resign (partition: number): void {
    const slot = this.#slots[partition]
    if (slot === undefined || slot.status === 'unowned') return
    this.#unload(slot)
    slot.status = 'unowned'
    this.logger.info(`${this.topic}-${partition}: unloaded (no longer the leader)`)
  }

  /** Runs for every partition once it is loaded (after its shard went live). */
  onPartitionLoaded (listener: (shard: S) => void): void {
    this.#loadedListeners.push(listener)
  }

  #unload (slot: Slot<S>): void {
    slot.generation++
    for (const key of slot.timerKeys) this.timer.cancel(key)
    slot.timerKeys.clear()
    if (slot.status === 'active' || slot.status === 'loading') slot.shard.onUnloaded?.()
    slot.log = null
  }

  /** Whether start() has been called (the partitions may still be loading). */
  get started (): boolean {
    return this.#starting !== null
  }

  /** Runs once, when every partition is loaded or failed. */
  protected onStarted (): void {}

  /**
   * Runs `op` on the key's shard through the key's queue; resolves with its response once its
   * records are durable and replayed. Rejects with CoordinatorError when the partition is not
   * available (loading: COORDINATOR_LOAD_IN_PROGRESS) or the append fails. `op` may await (inside
   * the queue) before returning its result.
   */
  run<T> (key: string, op: Op<S, R, T>): Promise<Awaited<T>> {
    return this.#run(key, op, undefined)
  }

  /** As run(), the records appended as `producer`'s transactional batch. */
  runTransactional<T> (key: string, producer: TxnProducer, op: Op<S, R, T>): Promise<Awaited<T>> {
    return this.#run(key, op, producer)
  }

  /**
   * Writes a COMMIT/ABORT marker to one partition and replays it. Rejects as run() does (the
   * partition's refusals of the marker, e.g. INVALID_PRODUCER_EPOCH, come as their codes).
   */
  async completeTransaction (partition: number, marker: EndTxnMarker): Promise<void> {
    this.#startLazily()
    const slot = this.#slots[partition]
    if (slot === undefined) throw new CoordinatorError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${this.topic} has no partition ${partition}`)
    await this.#enqueueExclusive(partition, async () => {
      const log = this.#available(slot)
      try {
        await log.appendMarker(marker, this.clock.now())
      } catch (err) {
        this.logger.warn(`${this.topic}-${partition}: marker append failed: ${message(err)}`)
        throw new CoordinatorError(appendErrorCode(err), `transaction marker append to ${this.topic}-${partition} failed`, { cause: err })
      }
      slot.shard.replayEndTransaction(marker.producerId, marker.commit)
    })
  }

  /** Every loaded shard (readers that only look use them without queueing). */
  activeShards (): S[] {
    if (this.#started && this.#topicGone()) this.topicDeleted()
    return this.#slots.filter((s) => s.status === 'active').map((s) => s.shard)
  }

  anyLoading (): boolean {
    return this.#slots.some((s) => s.status === 'loading')
  }

  /** Stops the timers and unloads every shard; later operations get NOT_COORDINATOR. */
  close (): void {
    this.#closed = true
    this.timer.cancelAll()
    for (const slot of this.#slots) slot.shard.onUnloaded?.()
  }

  async #load (partition: number, slot: Slot<S>, generation: number): Promise<void> {
    const shard = slot.shard
    try {
      const log = await this.#openLog(partition)
      let skipped = 0
      await log.replay((entry) => {
        if (entry.type === 'marker') {
          shard.replayEndTransaction(entry.producerId, entry.commit)
          return
        }
        const record = this.#codec.decode(entry.record)
        if (record === null) skipped++
        else shard.replay(record, entry)
      })
      if (slot.generation !== generation) return
      if (skipped > 0) this.logger.warn(`${this.topic}-${partition}: skipped ${skipped} record(s) this coordinator does not know`)
      slot.log = log
      shard.onLoaded?.()
      slot.status = 'active'
    } catch (err) {
      if (slot.generation !== generation) return
      slot.status = 'failed'
      this.logger.warn(`${this.topic}-${partition}: load failed: ${message(err)}`)
      return
    }
    for (const listener of this.#loadedListeners) listener(shard)
  }

  #run<T> (key: string, op: Op<S, R, T>, producer: TxnProducer | undefined): Promise<Awaited<T>> {
    this.#startLazily()
    const partition = this.partitionFor(key)
    const slot = this.#slots[partition] as Slot<S>
    // The response travels boxed through the queue: a response that is itself a promise (a parked
    // JoinGroup) must not be adopted inside the queue, or the key would wait on itself.
    return this.#enqueue(partition, key, async () => await this.#execute(slot, op, producer)).then(async (box): Promise<Awaited<T>> => await box.value)
  }

  /** First use starts the load without waiting: until its partition is loaded the request is told to retry. */
  #startLazily (): void {
    if (this.#starting !== null) return
    this.start().catch((err: unknown) => {
      this.logger.warn(`${this.topic}: start failed: ${message(err)}`)
    })
  }

  /** Runs `task` after the key's earlier operations and after the partition's last exclusive one. */
  #enqueue<T> (partition: number, key: string, task: () => Promise<T>): Promise<T> {
    const run = Promise.all([this.#queues.get(key), this.#exclusive[partition]]).then(task)
    const tail = run.then(() => {}, () => {})
    this.#queues.set(key, tail)
    const inFlight = this.#inFlight[partition] as Set<Promise<void>>
    inFlight.add(tail)
    void tail.then(() => {
      inFlight.delete(tail)
      if (this.#queues.get(key) === tail) this.#queues.delete(key)
    })
    return run
  }

  /** Runs `task` alone on the partition: after everything queued on it so far, before what comes later. */
  #enqueueExclusive<T> (partition: number, task: () => Promise<T>): Promise<T> {
    const run = Promise.all([...(this.#inFlight[partition] ?? []), this.#exclusive[partition]]).then(task)
    const tail = run.then(() => {}, () => {})
    this.#exclusive[partition] = tail
    void tail.then(() => {
      if (this.#exclusive[partition] === tail) this.#exclusive[partition] = undefined
    })
    return run
  }

  /** The slot's log, or the error its state answers. */
  #available (slot: Slot<S>): CoordinatorLog {
    if (this.#closed) throw new CoordinatorError(ErrorCode.NOT_COORDINATOR, `${this.topic}: coordinator is shut down`)
    if (slot.log?.retired?.() === true) this.topicDeleted()
    if (slot.status === 'unowned') throw new CoordinatorError(ErrorCode.NOT_COORDINATOR, `this broker does not lead ${this.topic}-${slot.shard.partition}`)
    if (slot.status === 'loading') throw new CoordinatorError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, `${this.topic}-${slot.shard.partition} is loading`)
    if (slot.status === 'failed' || slot.log === null) {
      throw new CoordinatorError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${this.topic}-${slot.shard.partition} is not available`)
    }
    return slot.log
  }

  async #execute<T> (slot: Slot<S>, op: Op<S, R, T>, producer?: TxnProducer): Promise<{ value: T }> {
    const log = this.#available(slot)
    // The shard the op ran on: a re-election meanwhile puts a new one in the slot.
    const shard = slot.shard
    const res = await op(shard)
    if (res.records.length === 0) {
      res.afterAppend?.(null)
      return { value: res.response }
    }
    const encoded = res.records.map((r) => this.#codec.encode(r))
    let lastOffset: number
    try {
      // The key's queue is held across this await: nothing else touches the key until replay.
      lastOffset = await log.append(encoded, this.clock.now(), producer)
    } catch (err) {
      res.afterAppend?.(err)
      this.logger.warn(`${this.topic}-${slot.shard.partition}: append failed: ${message(err)}`)
      throw new CoordinatorError(appendErrorCode(err), `append to ${this.topic}-${slot.shard.partition} failed`, { cause: err })
    }
    const firstOffset = lastOffset - encoded.length + 1
    const producerId = producer?.producerId ?? NO_PRODUCER_ID
    for (const [i, raw] of encoded.entries()) {
      const record = this.#codec.decode(raw)
      if (record !== null) shard.replay(record, { offset: firstOffset + i, producerId }, res.records[i])
    }
    res.afterAppend?.(null)
    return { value: res.response }
  }

  #scheduler (partition: number): DeferredScheduler<R> {
    return {
      schedule: (key, queueKey, delayMs, op) => {
        const slot = this.#slots[partition] as Slot<S>
        const generation = slot.generation
        slot.timerKeys.add(key)
        this.timer.schedule(key, delayMs, () => {
          slot.timerKeys.delete(key)
          if (slot.generation !== generation) return
          this.#enqueue(partition, queueKey, async () => await this.#execute(slot, op)).catch((err: unknown) => {
            this.logger.warn(`${this.topic}-${partition}: deferred operation ${key} on ${queueKey} failed: ${message(err)}`)
          })
        })
      },
      cancel: (key) => {
        this.#slots[partition]?.timerKeys.delete(key)
        this.timer.cancel(key)
      },
      isScheduled: (key) => this.timer.isScheduled(key)
    }
  }
}
