// The transaction coordinator as the handlers see it (Kafka's TransactionCoordinator): routes each
// transactional id to its shard through the runtime, allocates producer ids, writes the markers
// that end a transaction and completes it, and runs the two timers:
//   transaction.abort.timed.out.transaction.cleanup.interval.ms  abort Ongoing transactions older
//       than their transaction.timeout.ms, fencing their producer (epoch bump); an id matching
//       transaction.checkback.endpoints (Brook's) is fenced and its endpoint asked whether to
//       commit or abort instead (check-back.ts); meanwhile it is described as PrepareEpochFence
//   transaction.remove.expired.transaction.cleanup.interval.ms   forget ids idle longer than
//       transactional.id.expiration.ms (tombstone)
//
// Ending a transaction: EndTxn makes PrepareCommit/PrepareAbort durable, then every partition of
// the transaction gets its marker, then CompleteCommit/CompleteAbort is written. Kafka answers
// EndTxn once the Prepare record is durable; Brook answers once the markers are written too (when
// the first attempt writes them all), so a committed transaction is visible to read_committed
// consumers when commitTransaction() returns. Markers that fail are retried in the background
// until they land; meanwhile the id answers CONCURRENT_TRANSACTIONS. After a restart, every
// transaction loaded in PrepareCommit/PrepareAbort has its markers written again (idempotent: a
// partition that already has it just gets a second, harmless marker).
import { ErrorCode, type DescribeTransactionsResponseTransactionState, type ListTransactionsResponse } from '@brook/protocol'
import type { Clock, KeyedTimer, Logger } from '@brook/common'
import type { TxnCoordinatorConfig } from './config.js'
import type { TransactionalOffsets } from './group-offsets.js'
import { type MarkerWriter, isFinalMarkerCode } from './markers.js'
import { type TopicPartition, type TxnMetadata, byTopic } from './metadata.js'
import { CoordinatorError } from '../coordinator/errors.js'
import type { TxnRuntime } from './runtime.js'
import type { EndTxnOutcome, InitProducerIdOutcome, ProducerIdAndEpoch } from './shard.js'
import { TxnState, parseTxnStateName, txnStateName } from './state.js'
import { askUntilDecided, type CheckBackSettings, type CheckBackStatus, endpointFor } from './check-back.js'
import type { NameMatcher } from '../regex/whole-name.js'

export interface InitProducerIdResult {
  errorCode: number
  producerId: bigint
  producerEpoch: number
}

export interface TxnCoordinatorDeps {
  runtime: TxnRuntime
  config: TxnCoordinatorConfig
  allocateProducerId: () => Promise<number>
  markers: MarkerWriter
  /** Cluster mode: where this coordinator's own markers go (each partition's leader); `markers` otherwise. */
  routedMarkers?: MarkerWriter
  /** Where TxnOffsetCommit sends offsets (the group coordinator's side); undefined without one. */
  offsets?: TransactionalOffsets
  clock: Clock
  timer: KeyedTimer
  /** Brook's check-back settings, read at each timeout check (dynamic configs); none: Kafka's abort. */
  checkBack?: () => CheckBackSettings
  logger: Logger
}

/** Check-back statuses kept for operators (the latest per id, oldest dropped first). */
const MAX_CHECK_BACK_STATUSES = 1000

const ABORT_TIMER = 'txn-abort-timed-out'
const EXPIRE_TIMER = 'txn-remove-expired'
const MAX_MARKER_BACKOFF_MS = 5000

function failedInit (errorCode: number): InitProducerIdResult {
  return { errorCode, producerId: -1n, producerEpoch: -1 }
}

function codeOf (err: unknown, logger: Logger): number {
  if (err instanceof CoordinatorError) return err.code
  logger.error({ err }, 'transaction coordinator: unexpected failure')
  return ErrorCode.UNKNOWN_SERVER_ERROR
}

export class TransactionCoordinator {
  readonly runtime: TxnRuntime
  readonly config: TxnCoordinatorConfig
  /** Also serves WriteTxnMarkers requests. */
  readonly markers: MarkerWriter
  readonly offsets: TransactionalOffsets | undefined
  readonly #deps: TxnCoordinatorDeps
  readonly #logger: Logger
  /** Completions in flight, by transactional id (a restart or a timer must not start a second one). */
  readonly #completing = new Map<string, Promise<boolean>>()
  readonly #onClose: Array<() => void> = []
  /** Transactions whose check-back endpoint is being asked (fenced, still open). */
  readonly #checking = new Set<string>()
  readonly #checkWork = new Set<Promise<void>>()
  readonly #checkBacks = new Map<string, CheckBackStatus>()
  #closed = false

  constructor (deps: TxnCoordinatorDeps) {
    this.#deps = deps
    this.runtime = deps.runtime
    this.config = deps.config
    this.markers = deps.markers
    this.offsets = deps.offsets
    this.#logger = deps.logger
    // A partition loaded later (cluster mode: this broker became its leader) finishes what the
    // previous coordinator left prepared; its open transactions meet the timeout check.
    this.runtime.onPartitionLoaded((shard) => {
      if (this.#closed) return
      for (const m of shard.pendingCompletion()) void this.#finish(m, shard.coordinatorEpoch)
    })
  }

  /**
   * Loads the coordinator (creating __transaction_state if needed, as Kafka does on the first
   * transactional request) and resolves when it is loaded; later calls return at once.
   */
  async ready (): Promise<void> {
    await this.runtime.start()
  }

  /** Starts the timers and finishes the transactions a restart left between Prepare and Complete. */
  start (): void {
    this.#scheduleAbortCheck()
    this.#scheduleExpiry()
    for (const shard of this.runtime.activeShards()) {
      for (const m of shard.pendingCompletion()) void this.#finish(m, shard.coordinatorEpoch)
    }
  }

  close (): void {
    this.#closed = true
    this.runtime.close()
    this.#deps.timer.cancelAll()
    for (const task of this.#onClose.splice(0)) task()
  }

  /** Work to stop with the coordinator (timers it started for the broker). */
  onClose (task: () => void): void {
    this.#onClose.push(task)
  }

  /** Waits for completions in flight (tests, shutdown). */
  async idle (): Promise<void> {
    while (this.#completing.size > 0 || this.#checkWork.size > 0) await Promise.allSettled([...this.#completing.values(), ...this.#checkWork])
  }

  /** Check-backs running and finished (the latest per transactional id), for operators. */
  checkBackStatus (): CheckBackStatus[] {
    return [...this.#checkBacks.values()].map((s) => ({ ...s }))
  }

  // ---------------------------------------------------------------- InitProducerId

  async initProducerId (transactionalId: string, timeoutMs: number, expected: ProducerIdAndEpoch | null): Promise<InitProducerIdResult> {
    if (transactionalId === '') return failedInit(ErrorCode.INVALID_REQUEST)
    if (timeoutMs <= 0 || timeoutMs > this.config.maxTimeoutMs) return failedInit(ErrorCode.INVALID_TRANSACTION_TIMEOUT)
    // The decision belongs to the check-back now; the producer retries once it is made.
    if (this.#checking.has(transactionalId)) return failedInit(ErrorCode.CONCURRENT_TRANSACTIONS)
    let outcome: InitProducerIdOutcome
    try {
      outcome = await this.runtime.run(transactionalId, async (shard) => {
        // The allocation awaits inside the id's queue: nothing else runs for this id meanwhile.
        const newProducerId = shard.needsNewProducerId(transactionalId, expected) ? BigInt(await this.#deps.allocateProducerId()) : null
        return shard.initProducerId({ transactionalId, timeoutMs, expected, newProducerId, now: this.#deps.clock.now() })
      })
    } catch (err) {
      return failedInit(codeOf(err, this.#logger))
    }
    switch (outcome.kind) {
      case 'ok':
        return { errorCode: ErrorCode.NONE, producerId: outcome.producerId, producerEpoch: outcome.producerEpoch }
      case 'fenced':
        // The open transaction is being aborted under the fenced epoch; the client retries.
        await this.#finish(outcome.metadata, this.#coordinatorEpoch(transactionalId))
        return failedInit(ErrorCode.CONCURRENT_TRANSACTIONS)
      case 'error':
        return failedInit(outcome.code)
    }
  }

  // ---------------------------------------------------------------- AddPartitionsToTxn / AddOffsetsToTxn

  async addPartitions (transactionalId: string, producerId: bigint, producerEpoch: number, partitions: readonly TopicPartition[]): Promise<number> {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST
    try {
      return await this.runtime.run(transactionalId, (shard) => shard.addPartitions(transactionalId, producerId, producerEpoch, partitions, this.#deps.clock.now()))
    } catch (err) {
      return codeOf(err, this.#logger)
    }
  }

  /** v4 verifyOnly: per partition (keyed by metadata.partitionKey) whether it is in the open transaction. */
  async verifyPartitions (transactionalId: string, producerId: bigint, producerEpoch: number, partitions: readonly TopicPartition[]): Promise<Map<string, number> | number> {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST
    try {
      return await this.runtime.run(transactionalId, (shard) => ({ records: [], response: shard.verifyPartitions(transactionalId, producerId, producerEpoch, partitions) }))
    } catch (err) {
      return codeOf(err, this.#logger)
    }
  }

  // ---------------------------------------------------------------- EndTxn

  async endTxn (transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean): Promise<number> {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST
    let outcome: EndTxnOutcome
    try {
      outcome = await this.runtime.run(transactionalId, (shard) => shard.endTxn(transactionalId, producerId, producerEpoch, commit, true, this.#deps.clock.now()))
    } catch (err) {
      return codeOf(err, this.#logger)
    }
    if (outcome.kind === 'error') return outcome.code
    if (outcome.kind === 'prepared') await this.#finish(outcome.metadata, this.#coordinatorEpoch(transactionalId))
    return ErrorCode.NONE
  }

  /** Whether this coordinator still owns the id's partition under `coordinatorEpoch` (a new leader takes the markers over). */
  #owns (transactionalId: string, coordinatorEpoch: number): boolean {
    const partition = this.runtime.partitionFor(transactionalId)
    return this.runtime.activeShards().some((s) => s.partition === partition && s.coordinatorEpoch === coordinatorEpoch)
  }

  #coordinatorEpoch (transactionalId: string): number {
    return this.runtime.activeShards().find((s) => s.partition === this.runtime.partitionFor(transactionalId))?.coordinatorEpoch ?? 0
  }

  /**
   * Writes the markers of a prepared transaction and completes it. Resolves true once complete;
   * false when some markers failed (they are retried in the background).
   */
  #finish (m: TxnMetadata, coordinatorEpoch: number): Promise<boolean> {
    const running = this.#completing.get(m.transactionalId)
    if (running !== undefined) return running
    const work = this.#writeAndComplete(m, coordinatorEpoch, [...m.partitions], this.config.markerRetryBackoffMs)
    this.#completing.set(m.transactionalId, work)
    void work.finally(() => {
      if (this.#completing.get(m.transactionalId) === work) this.#completing.delete(m.transactionalId)
    })
    return work
  }

  async #writeAndComplete (m: TxnMetadata, coordinatorEpoch: number, partitions: TopicPartition[], backoffMs: number): Promise<boolean> {
    // A coordinator that lost the partition leaves the markers to the new one.
    if (!this.#owns(m.transactionalId, coordinatorEpoch)) return false
    const commit = m.state === TxnState.PrepareCommit
    const marker = { producerId: m.producerId, producerEpoch: m.producerEpoch, commit, coordinatorEpoch }
    const writer = this.#deps.routedMarkers ?? this.#deps.markers
    const codes = await Promise.all(partitions.map(async (tp) => await writer.write(tp, marker)))
    const failed = partitions.filter((_tp, i) => !isFinalMarkerCode(codes[i] as number))
    for (const [i, tp] of partitions.entries()) {
      const code = codes[i] as number
      if (code !== ErrorCode.NONE && isFinalMarkerCode(code)) {
        this.#logger.warn({ transactionalId: m.transactionalId, topic: tp.topic, partition: tp.partition, code }, 'transaction marker not needed on this partition')
      }
    }
    if (failed.length > 0) {
      if (!this.#closed) {
        this.#deps.timer.schedule(`txn-markers:${m.transactionalId}`, backoffMs, () => {
          const retry = this.#writeAndComplete(m, coordinatorEpoch, failed, Math.min(backoffMs * 2, MAX_MARKER_BACKOFF_MS))
          this.#completing.set(m.transactionalId, retry)
          void retry.finally(() => {
            if (this.#completing.get(m.transactionalId) === retry) this.#completing.delete(m.transactionalId)
          })
        })
      }
      return false
    }
    try {
      const code = await this.runtime.run(m.transactionalId, (shard) => shard.completeTxn(m.transactionalId, m.producerId, m.producerEpoch, commit, this.#deps.clock.now()))
      if (code !== ErrorCode.NONE) this.#logger.warn({ transactionalId: m.transactionalId, code }, 'transaction changed while its markers were written; not completed')
      return code === ErrorCode.NONE
    } catch (err) {
      // The markers are written; the transaction stays prepared and is completed after a reload.
      this.#logger.warn({ err, transactionalId: m.transactionalId }, 'completing a transaction failed')
      return false
    }
  }

  // ---------------------------------------------------------------- timers

  /** Aborts (and fences) every Ongoing transaction past its timeout; returns how many. */
  async abortTimedOutTransactions (): Promise<number> {
    const now = this.#deps.clock.now()
    let aborted = 0
    const work: Array<Promise<void>> = []
    for (const shard of this.runtime.activeShards()) {
      for (const { transactionalId, producerId } of shard.timedOut(now)) {
        if (this.#checking.has(transactionalId)) continue
        const settings = this.#deps.checkBack?.()
        const url = settings === undefined ? null : endpointFor(settings.endpoints, transactionalId)
        if (settings !== undefined && url !== null) {
          this.#checkBack(transactionalId, producerId, url, settings, shard.coordinatorEpoch)
          continue
        }
        work.push((async () => {
          try {
            const outcome = await this.runtime.run(transactionalId, (s) => s.abortTimedOut(transactionalId, producerId, this.#deps.clock.now()))
            if (outcome.kind !== 'prepared') return
            this.#logger.info({ transactionalId, producerId: String(producerId) }, 'aborting a transaction past its timeout')
            aborted++
            await this.#finish(outcome.metadata, shard.coordinatorEpoch)
          } catch (err) {
            this.#logger.warn({ err, transactionalId }, 'aborting a timed-out transaction failed')
          }
        })())
      }
    }
    await Promise.all(work)
    return aborted
  }

  /**
   * Fences the producer of a timed-out transaction, asks its check-back endpoint (retrying with
   * back-off), then commits or aborts it for real. Runs in the background; the timeout check skips
   * the id meanwhile. A shutdown mid-way leaves it open and fenced: the next start asks again.
   */
  #checkBack (transactionalId: string, producerId: bigint, url: string, settings: CheckBackSettings, coordinatorEpoch: number): void {
    this.#checking.add(transactionalId)
    const status: CheckBackStatus = { transactionalId, url, attempts: 0, lastCheckMs: -1, lastAnswer: '', decision: null, reason: null }
    this.#checkBacks.delete(transactionalId)
    this.#checkBacks.set(transactionalId, status)
    if (this.#checkBacks.size > MAX_CHECK_BACK_STATUSES) {
      const oldest = this.#checkBacks.keys().next().value
      if (oldest !== undefined) this.#checkBacks.delete(oldest)
    }
    const work = (async () => {
      try {
        const fenced = await this.runtime.run(transactionalId, (s) => s.fenceForCheckBack(transactionalId, producerId, this.#deps.clock.now()))
        if (fenced === null) return
        this.#logger.info({ transactionalId, producerId: String(producerId), producerEpoch: fenced.producerEpoch, url },
          'transaction past its timeout: producer fenced, asking its check-back endpoint')
        const decision = await askUntilDecided(url, {
          transactionalId,
          producerId: String(producerId),
          producerEpoch: fenced.producerEpoch,
          partitions: fenced.partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition })),
          transactionStartTimeMs: fenced.startTimestamp
        }, settings, status, () => this.#closed, this.#logger)
        if (decision === null) return
        this.#logger.info({ transactionalId, decision, reason: status.reason, attempts: status.attempts, lastAnswer: status.lastAnswer }, 'transaction check-back decided')
        const outcome = await this.runtime.run(transactionalId, (s) => s.endTxn(transactionalId, producerId, fenced.producerEpoch, decision === 'commit', false, this.#deps.clock.now()))
        if (outcome.kind === 'prepared') await this.#finish(outcome.metadata, coordinatorEpoch)
        else this.#logger.warn({ transactionalId, outcome }, 'transaction changed while its check-back was asked')
      } catch (err) {
        this.#logger.warn({ err, transactionalId }, 'transaction check-back failed; the next timeout check tries again')
      } finally {
        this.#checking.delete(transactionalId)
      }
    })()
    this.#checkWork.add(work)
    void work.finally(() => { this.#checkWork.delete(work) })
  }

  /** Removes ids idle longer than transactional.id.expiration.ms; returns how many. */
  async expireTransactionalIds (): Promise<number> {
    const now = this.#deps.clock.now()
    const expiration = this.config.transactionalIdExpirationMs
    let expired = 0
    const work: Array<Promise<void>> = []
    for (const shard of this.runtime.activeShards()) {
      for (const transactionalId of shard.expirable(now, expiration)) {
        work.push(this.runtime.run(transactionalId, (s) => s.expire(transactionalId, this.#deps.clock.now(), expiration)).then((done) => {
          if (done) expired++
        }, (err: unknown) => {
          this.#logger.warn({ err, transactionalId }, 'expiring a transactional id failed')
        }))
      }
    }
    await Promise.all(work)
    return expired
  }

  #scheduleAbortCheck (): void {
    if (this.#closed) return
    this.#deps.timer.schedule(ABORT_TIMER, this.config.abortTimedOutIntervalMs, () => {
      void this.abortTimedOutTransactions().finally(() => { this.#scheduleAbortCheck() })
    })
  }

  #scheduleExpiry (): void {
    if (this.#closed) return
    this.#deps.timer.schedule(EXPIRE_TIMER, this.config.removeExpiredIntervalMs, () => {
      void this.expireTransactionalIds().finally(() => { this.#scheduleExpiry() })
    })
  }

  // ---------------------------------------------------------------- DescribeTransactions / ListTransactions

  describe (transactionalId: string): DescribeTransactionsResponseTransactionState {
    const state: DescribeTransactionsResponseTransactionState = {
      errorCode: ErrorCode.NONE,
      transactionalId,
      transactionState: '',
      transactionTimeoutMs: 0,
      transactionStartTimeMs: -1n,
      producerId: -1n,
      producerEpoch: -1,
      topics: []
    }
    const partition = this.runtime.partitionFor(transactionalId)
    const status = this.runtime.status(partition)
    if (this.#closed) return { ...state, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
    if (transactionalId === '') return { ...state, errorCode: ErrorCode.INVALID_REQUEST }
    if (status === 'loading') return { ...state, errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS }
    if (status === 'unowned') return { ...state, errorCode: ErrorCode.NOT_COORDINATOR }
    const shard = this.runtime.activeShards().find((s) => s.partition === partition)
    if (shard === undefined) return { ...state, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
    const m = shard.get(transactionalId)
    if (m === undefined) return { ...state, errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND }
    return {
      ...state,
      transactionState: txnStateName(this.#checking.has(transactionalId) ? TxnState.PrepareEpochFence : m.state),
      transactionTimeoutMs: m.timeoutMs,
      transactionStartTimeMs: BigInt(m.startTimestamp),
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      topics: byTopic(m.partitions).map((t) => ({ topic: t.topic, partitions: t.partitions })),
      // Brook's tagged fields: the latest check-back of this transactional id (kept while it is
      // among the most recent ones this coordinator asked about).
      brookLastCheckBackTimeMs: BigInt(this.#checkBacks.get(transactionalId)?.lastCheckMs ?? -1),
      brookCheckBackAttempts: this.#checkBacks.get(transactionalId)?.attempts ?? 0
    }
  }

  list (stateFilters: readonly string[], producerIdFilters: readonly bigint[], durationFilterMs: number, idPattern: NameMatcher | null = null): Omit<ListTransactionsResponse, 'throttleTimeMs'> {
    if (this.#closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, unknownStateFilters: [], transactionStates: [] }
    const states = new Set<TxnState>()
    const unknownStateFilters: string[] = []
    for (const name of stateFilters) {
      const state = parseTxnStateName(name)
      if (state === undefined) unknownStateFilters.push(name)
      else states.add(state)
    }
    const producers = new Set(producerIdFilters)
    const now = this.#deps.clock.now()
    const transactionStates: ListTransactionsResponse['transactionStates'] = []
    for (const shard of this.runtime.activeShards()) {
      for (const m of shard.all()) {
        const shown = this.#checking.has(m.transactionalId) ? TxnState.PrepareEpochFence : m.state
        if (producers.size > 0 && !producers.has(m.producerId)) continue
        if (stateFilters.length > 0 && !states.has(shown)) continue
        if (durationFilterMs >= 0 && now - m.startTimestamp <= durationFilterMs) continue
        if (idPattern !== null && !idPattern.test(m.transactionalId)) continue
        transactionStates.push({ transactionalId: m.transactionalId, producerId: m.producerId, transactionState: txnStateName(shown) })
      }
    }
    const errorCode = this.runtime.anyLoading() ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE
    return { errorCode, unknownStateFilters, transactionStates }
  }
}
