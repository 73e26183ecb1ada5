// One partition's log: a directory `<topic>-<partition>` of segments (segment/log-segment.ts),
// the last one active. Implements the PartitionLog contract of types.ts.
//
// Concurrency: one writer. Appends gather in a pending list; the writer (a SerialQueue shared
// with truncation, retention, compaction swaps and index flushes) takes everything pending at
// once, assigns offsets and writes it with one writev. Reads never wait for the writer: they
// see up to the end of the last completed write (logEndOffset, segment.size).
// Durability: see docs/durability.md. `durable` appends and flush.messages wait on the group
// commit (group-commit.ts), which fsyncs every segment written since the last pass; flush.ms is
// a timer; the recovery point is the offset below which everything is known to be fsynced.
// Offsets: logStartOffset <= lastStableOffset <= highWatermark <= logEndOffset, asserted after
// every change. The high watermark is the caller's (the replication layer: min of the ISR's log
// ends) unless setSingleReplica(true) makes it follow the log end after each write.
// Replication: appendAsFollower keeps the leader's offsets; leader epochs (the
// leader-epoch-checkpoint, ../epoch/) are recorded from the batches' partitionLeaderEpoch on
// every append and cut on every truncation. Producer state (idempotence, transactions, the LSO, .snapshot and .txnindex
// files) is producer-state/log-producer-state.ts: the writer checks each append with it before
// assigning offsets (a duplicate is answered with the original offsets, a refusal writes nothing).
import { decodeBatch, CompressionError, ATTRIBUTES, MAX_TIMESTAMP, PARTITION_LEADER_EPOCH, TIMESTAMP_TYPE_MASK, batchLastOffset, RecordFormatError } from '@brook/protocol'
import { isNever, timerDelay } from '../config.js'
import { errorCode } from '../fs/file-system.js'
import { LogSegment, type SegmentContext, segmentSettings } from '../segment/log-segment.js'
import { DELETED_SUFFIX } from '../segment/segment-files.js'
import {
  type AppendOptions, type AppendResult, type FetchIsolation, type LogConfig, type LogOffsets, type PartitionLog, type ReadOptions,
  type ReadResult, StorageError, type TimestampOffset, UnexpectedAppendOffsetError
} from '../types.js'
import { assignOffsets, summarizeBatches, type BatchesSummary } from './assign-offsets.js'
import { GroupCommit } from './group-commit.js'
import { shouldRoll } from './roll-policy.js'
import { SerialQueue } from '@brook/common'
import { LogProducerState } from '../producer-state/log-producer-state.js'
import type { ActiveProducer } from '../producer-state/producer-state-manager.js'
import type { AbortedTxn } from '../producer-state/txn-index.js'
import type { EpochEndOffset, EpochEntry } from '../epoch/leader-epoch-cache.js'
import type { LogSummary } from '../log-dir-summary.js'
import { LogLeaderEpochs } from '../epoch/log-leader-epochs.js'
import { type FollowerBatches, summarizeFollowerBatches } from './follower-batches.js'

export interface LogHooks {
  /** The log start offset moved forward; the manager persists it. */
  logStartOffsetChanged?: (log: Log) => Promise<void>
  /**
   * The log was truncated to `offset` (called on the writer, before any later append): the
   * recovery point and the cleaner's checkpoint must not stay past it on disk.
   */
  truncated?: (log: Log, offset: number) => Promise<void>
}

export interface LogInit {
  ctx: SegmentContext
  dir: string
  topic: string
  partition: number
  config: LogConfig
  /** Sorted by base offset, at least one; the last becomes active. */
  segments: LogSegment[]
  logStartOffset: number
  recoveryPoint: number
  highWatermark: number
  hooks?: LogHooks
  clock?: () => number
  /** producer.id.expiration.ms for producers loaded from a snapshot (default Kafka's 24 h). */
  producerIdExpirationMs?: number
  /**
   * The partition directory was just created and its entries are not yet durable: it is fsynced
   * before the first fsync of data (creating many partitions then costs no fsync each).
   */
  newDirectory?: boolean
}

interface PendingAppend {
  records: Buffer
  options: AppendOptions
  summary: BatchesSummary
  /** A follower's append: the leader's offsets, kept as they are. */
  follower: FollowerBatches | null
  resolve: (result: AppendResult) => void
  reject: (err: unknown) => void
}

/** How long a log refuses appends after running out of space before it tries to write again. */
const FULL_DISK_BACKOFF_MS = 1000
const EMPTY: ReadResult = Object.freeze({ chunks: [], bytes: 0 }) as ReadResult

export class Log implements PartitionLog {
  readonly topic: string
  readonly partition: number
  readonly dir: string
  readonly #ctx: SegmentContext
  readonly #hooks: LogHooks
  readonly #clock: () => number
  #config: LogConfig
  /** Sorted by base offset; the last is active. Replaced, never mutated, so readers can hold a snapshot. */
  #segments: LogSegment[]
  #logStartOffset: number
  #highWatermark: number
  #logEndOffset: number
  /** Everything below it is fsynced (the recovery point also waits for index files: see getter). */
  #flushedOffset: number
  #size: number
  #writeError: StorageError | null = null
  /** After a full disk (ENOSPC cut back cleanly): appends are refused until then (clock ms), then tried again. */
  #fullDiskUntil = 0
  #fullDiskError: StorageError | null = null
  #closed = false
  readonly #writer = new SerialQueue()
  #pending: PendingAppend[] = []
  #drainQueued = false
  readonly #groupCommit: GroupCommit
  #unflushedMessages = 0
  #flushTimer: NodeJS.Timeout | null = null
  #directoryPending: boolean
  readonly #listeners = new Set<(logEndOffset: number) => void>()
  readonly #pendingDeletes = new Set<{ timer: NodeJS.Timeout | null, run: () => Promise<void> }>()
  readonly #producerState: LogProducerState
  readonly #epochs: LogLeaderEpochs
  /** The only replica: the high watermark follows the log end (setSingleReplica). */
  #singleReplica = false

  constructor (init: LogInit) {
    this.#ctx = init.ctx
    this.dir = init.dir
    this.topic = init.topic
    this.partition = init.partition
    this.#config = init.config
    this.#hooks = init.hooks ?? {}
    this.#clock = init.clock ?? Date.now
    this.#segments = init.segments
    const active = this.#segments[this.#segments.length - 1]!
    active.active = true
    this.#logEndOffset = active.nextOffset
    this.#logStartOffset = Math.min(Math.max(init.logStartOffset, this.#segments[0]!.baseOffset), this.#logEndOffset)
    this.#highWatermark = Math.min(Math.max(init.highWatermark, this.#logStartOffset), this.#logEndOffset)
    this.#flushedOffset = Math.min(init.recoveryPoint, this.#logEndOffset)
    this.#size = this.#segments.reduce((n, s) => n + s.size, 0)
    this.#groupCommit = new GroupCommit(async () => await this.#syncData())
    this.#producerState = new LogProducerState(init.ctx.fs, init.dir, { producerIdExpirationMs: init.producerIdExpirationMs ?? 86_400_000 }, init.ctx.logger)
    this.#epochs = new LogLeaderEpochs(init.ctx.fs, init.dir, init.ctx.logger)
    this.#directoryPending = init.newDirectory === true
    this.#checkOffsets()
  }

  /**
   * Instead of loadLeaderEpochs and loadProducerState, for a log whose state is known without
   * reading its directory (a new log, or one in a clean-shutdown summary, which only covers logs
   * without producer state). False when the epochs do not fit the log (the caller loads it).
   */
  restoreState (epochs: readonly EpochEntry[]): boolean {
    if (!this.#epochs.restore(epochs, this.#logStartOffset, this.#logEndOffset)) return false
    this.#producerState.manager.updateMapEndOffset(this.#logEndOffset)
    return true
  }

  /** After a clean close(): what a clean-shutdown summary keeps of this log; null when it must load from its directory. */
  summary (): LogSummary | null {
    if (this.#writeError !== null || this.#producerState.manager.producerCount > 0) return null
    return {
      topic: this.topic,
      partition: this.partition,
      segments: this.#segments.map((s) => ({
        baseOffset: s.baseOffset,
        size: s.size,
        nextOffset: s.nextOffset,
        maxTimestamp: s.maxTimestamp,
        offsetOfMaxTimestamp: s.offsetOfMaxTimestamp,
        rollingBasedTimestamp: s.rollingBasedTimestamp,
        bytesSinceLastIndexEntry: s.bytesSinceLastIndexEntry
      })),
      epochs: this.#epochs.entries()
    }
  }

  /** A new partition directory's entries are made durable before its first data fsync. */
  async #syncNewDirectory (): Promise<void> {
    if (!this.#directoryPending) return
    await this.#ctx.fs.syncDir(this.dir)
    this.#directoryPending = false
  }

  get config (): LogConfig { return this.#config }
  get logStartOffset (): number { return this.#logStartOffset }
  get logEndOffset (): number { return this.#logEndOffset }
  get highWatermark (): number { return this.#highWatermark }
  get lastStableOffset (): number { return this.#producerState.lastStableOffset(this.#highWatermark, this.#logStartOffset) }
  /**
   * Below it, everything is fsynced, index files included: after a crash only the segments from
   * the one holding it onwards are re-read. A rolled segment whose indexes are not yet on disk
   * holds it back.
   */
  get recoveryPoint (): number {
    let rp = this.#flushedOffset
    for (const seg of this.#segments) {
      if (seg.baseOffset >= rp) break
      if (!seg.active && !seg.indexesDurable) return seg.baseOffset
    }
    return rp
  }
  get size (): number { return this.#size }
  get segmentCount (): number { return this.#segments.length }
  get offsets (): LogOffsets {
    return { logStartOffset: this.#logStartOffset, lastStableOffset: this.lastStableOffset, highWatermark: this.#highWatermark, logEndOffset: this.#logEndOffset }
  }

  /** A snapshot of the segments (oldest first). */
  get segments (): readonly LogSegment[] { return this.#segments }
  get activeSegment (): LogSegment { return this.#segments[this.#segments.length - 1]! }
  /** The sticky write error, once an append or fsync has failed. */
  get writeError (): StorageError | null { return this.#writeError }
  /** fsync passes the group commit has run. */
  get syncPasses (): number { return this.#groupCommit.passes }

  #checkOffsets (): void {
    const start = this.#logStartOffset
    const hw = this.#highWatermark
    const leo = this.#logEndOffset
    if (!(start <= this.lastStableOffset && this.lastStableOffset <= hw && hw <= leo)) {
      throw new Error(`BROOK_OFFSET_ORDER: ${this.topic}-${this.partition} logStart ${start} lso ${this.lastStableOffset} hw ${hw} leo ${leo}`)
    }
  }

  #settings (): ReturnType<typeof segmentSettings> {
    return segmentSettings(this.#config.indexIntervalBytes, this.#config.segmentIndexBytes)
  }

  // ---- append -------------------------------------------------------------------------------

  append (records: Buffer, options: AppendOptions): Promise<AppendResult> {
    if (this.#closed) return Promise.reject(new StorageError('KAFKA_STORAGE_ERROR', `log ${this.topic}-${this.partition} is closed`))
    if (this.#writeError !== null) return Promise.reject(this.#writeError)
    const summary = summarizeBatches(records)
    if (typeof summary === 'string') return Promise.reject(new StorageError('CORRUPT_MESSAGE', summary))
    return this.#enqueue(records, options, summary, null)
  }

  /**
   * A follower's append (Kafka's appendAsFollower): batches fetched from the leader, written with
   * the leader's offsets, epochs and timestamps. The first batch must start at or after the log
   * end (else UnexpectedAppendOffsetError; a gap is allowed, as a compacted leader has them),
   * offsets must grow from batch to batch and every CRC must hold (else CORRUPT_MESSAGE).
   * Producer state and the transaction index are rebuilt from the batches as on the leader,
   * without the producer checks (the leader made them). The high watermark does not move unless
   * the log is the single replica.
   */
  appendAsFollower (records: Buffer, options: { durable?: boolean } = {}): Promise<AppendResult> {
    if (this.#closed) return Promise.reject(new StorageError('KAFKA_STORAGE_ERROR', `log ${this.topic}-${this.partition} is closed`))
    if (this.#writeError !== null) return Promise.reject(this.#writeError)
    const summary = summarizeFollowerBatches(records)
    if (typeof summary === 'string') return Promise.reject(new StorageError('CORRUPT_MESSAGE', summary))
    // The partitionLeaderEpoch of the batches is kept: leaderEpoch here is not used.
    return this.#enqueue(records, { leaderEpoch: -1, durable: options.durable ?? false }, summary, summary)
  }

  #enqueue (records: Buffer, options: AppendOptions, summary: BatchesSummary, follower: FollowerBatches | null): Promise<AppendResult> {
    if (records.length > this.#config.segmentBytes) {
      return Promise.reject(new StorageError('RECORD_LIST_TOO_LARGE', `${records.length} bytes exceed segment.bytes ${this.#config.segmentBytes}`))
    }
    return new Promise((resolve, reject) => {
      this.#pending.push({ records, options, summary, follower, resolve, reject })
      this.#queueDrain()
    })
  }

  #queueDrain (): void {
    if (this.#drainQueued) return
    this.#drainQueued = true
    // One group per turn of the writer, so truncation and retention are not starved by a steady stream.
    this.#writer.run(async () => {
      this.#drainQueued = false
      const group = this.#pending
      this.#pending = []
      if (group.length > 0) await this.#writeGroup(group)
    }).catch((err: unknown) => {
      this.#ctx.logger.error({ err, topic: this.topic, partition: this.partition }, 'append group failed unexpectedly')
    })
  }

  async #writeGroup (group: PendingAppend[]): Promise<void> {
    const now = this.#clock()
    let i = 0
    while (i < group.length) {
      const refusal = this.#writeError ?? (this.#clock() < this.#fullDiskUntil ? this.#fullDiskError : null)
      if (refusal !== null) {
        for (const item of group.slice(i)) item.reject(refusal)
        return
      }
      let seg = this.activeSegment
      const buffers: Buffer[] = []
      const items: Array<{ item: PendingAppend, result: AppendResult }> = []
      let bytes = 0
      let next = this.#logEndOffset
      let messages = 0
      const aborted: AbortedTxn[] = []
      const epochStarts: Array<{ epoch: number, baseOffset: number }> = []
      // Whether the log is as it was before this group if the step under way fails (nothing of
      // the group is on disk): false during a roll and once the data is written.
      let undoable = true
      try {
        while (i < group.length) {
          const item = group[i]!
          const follower = item.follower
          if (follower !== null && follower.firstOffset < next) {
            item.reject(new UnexpectedAppendOffsetError(follower.firstOffset, next, `${this.topic}-${this.partition}`))
            i++
            continue
          }
          const itemNow = item.options.now ?? now
          // A follower keeps the leader's timestamps.
          const logAppendTime = follower === null && this.#config.messageTimestampType === 'LogAppendTime' ? itemNow : null
          const lastOffset = follower?.lastOffset ?? next + item.summary.offsetSpan - 1
          const oi = await seg.offsetIndex()
          const ti = await seg.timeIndex()
          const roll = shouldRoll(seg, oi, ti, this.#config, {
            bytes: bytes + item.records.length, lastOffset, maxTimestamp: logAppendTime ?? item.summary.maxTimestamp, now: itemNow
          })
          if (roll) {
            if (items.length > 0) break
            // A follower's segment starts at its first batch (past a gap, relative offsets fit).
            undoable = false
            seg = await this.#roll(follower?.firstOffset ?? next, itemNow)
            undoable = true
            continue
          }
          if (follower !== null) {
            const producerCheck = this.#producerState.check(item.records, null, 'replication')
            if (producerCheck.kind !== 'accepted') {
              // Only a transaction rule the leader could not have broken refuses a replicated batch.
              item.reject(producerCheck.kind === 'rejected' ? producerCheck.error : new StorageError('CORRUPT_MESSAGE', 'replicated batch seen as a duplicate'))
              i++
              continue
            }
            aborted.push(...producerCheck.abortedTxns)
            epochStarts.push(...follower.epochs)
            items.push({ item, result: { baseOffset: follower.firstOffset, lastOffset: follower.lastOffset, logAppendTime: -1, logStartOffset: 0 } })
            next = follower.lastOffset + 1
            buffers.push(item.records)
            bytes += item.records.length
            messages += item.summary.records
            i++
            continue
          }
          const producerCheck = this.#producerState.check(item.records, next, item.options.origin)
          if (producerCheck.kind !== 'accepted') {
            // Nothing is written: a refusal fails this append alone; a duplicate is answered with
            // the original batch's offsets once what is written before it is.
            if (producerCheck.kind === 'rejected') item.reject(producerCheck.error)
            else items.push({ item, result: { baseOffset: producerCheck.firstOffset, lastOffset: producerCheck.lastOffset, logAppendTime: -1, logStartOffset: 0 } })
            i++
            continue
          }
          aborted.push(...producerCheck.abortedTxns)
          const baseOffset = next
          epochStarts.push({ epoch: item.options.leaderEpoch, baseOffset })
          next = assignOffsets(item.records, next, item.options.leaderEpoch, logAppendTime)
          items.push({ item, result: { baseOffset, lastOffset: next - 1, logAppendTime: logAppendTime ?? -1, logStartOffset: 0 } })
          buffers.push(item.records)
          bytes += item.records.length
          messages += item.summary.records
          i++
        }
        // A new epoch is on disk before its first batch (the checkpoint never misses an epoch of the log).
        for (const { epoch, baseOffset } of epochStarts) await this.#epochs.assign(epoch, baseOffset)
        if (bytes > 0) await seg.write(buffers, bytes)
        undoable = false
        if (aborted.length > 0) await this.#producerState.indexAborted(aborted, this.#segments.map((s) => s.baseOffset))
      } catch (err) {
        this.#epochs.forgetFrom(this.#logEndOffset)
        const failure = (undoable && errorCode(err) === 'ENOSPC' ? await this.#fullDisk(err) : null) ?? this.#fail(err, 'append')
        for (const { item } of items) item.reject(failure)
        for (const item of group.slice(i)) item.reject(failure)
        return
      }
      seg.nextOffset = next
      this.#logEndOffset = next
      if (this.#singleReplica) this.#highWatermark = next
      this.#size += bytes
      this.#unflushedMessages += messages
      const flushNow = this.#unflushedMessages >= this.#config.flushMessages && !isNever(this.#config.flushMessages)
      if (flushNow) this.#unflushedMessages = 0
      for (const { item, result } of items) {
        result.logStartOffset = this.#logStartOffset
        if (item.options.durable || flushNow) {
          this.#groupCommit.wait(result.lastOffset).then(() => { item.resolve(result) }, (err: unknown) => { item.reject(this.#fail(err, 'fsync')) })
        } else {
          item.resolve(result)
        }
      }
      this.#armFlushTimer()
      for (const listener of this.#listeners) listener(next)
    }
  }

  /**
   * A write refused for lack of space left nothing behind (the segment cut its bytes back): the
   * producer state, which had taken the group's batches in, is rebuilt to the log end, and the
   * log stays writable; appends are refused for FULL_DISK_BACKOFF_MS, then tried again, so
   * production resumes by itself once space is freed (Kafka would take the log dir offline).
   * Null when the rebuild fails: the failure is then sticky like any other.
   */
  async #fullDisk (err: unknown): Promise<StorageError | null> {
    try {
      await this.#producerStateTruncated()
    } catch (rebuildErr) {
      this.#ctx.logger.error({ err: rebuildErr, topic: this.topic, partition: this.partition }, 'producer state rebuild after a full disk failed')
      return null
    }
    this.#fullDiskUntil = this.#clock() + FULL_DISK_BACKOFF_MS
    this.#fullDiskError = new StorageError('KAFKA_STORAGE_ERROR', `no space left on the log dir of ${this.topic}-${this.partition}`, { cause: err })
    this.#ctx.logger.warn({ topic: this.topic, partition: this.partition, retryInMs: FULL_DISK_BACKOFF_MS }, 'append failed: no space left on the log dir')
    return this.#fullDiskError
  }

  /** Makes every write error sticky: later appends fail with the same StorageError. */
  #fail (err: unknown, what: string): StorageError {
    if (err instanceof StorageError && err === this.#writeError) return err
    if (this.#writeError === null) {
      this.#writeError = err instanceof StorageError && err.kind === 'KAFKA_STORAGE_ERROR'
        ? err
        : new StorageError('KAFKA_STORAGE_ERROR', `${what} failed on ${this.topic}-${this.partition}: ${errorCode(err) ?? String(err)}`, { cause: err })
      this.#ctx.logger.error({ err, topic: this.topic, partition: this.partition }, `${what} failed; the log refuses writes until reopened`)
      const pending = this.#pending
      this.#pending = []
      for (const item of pending) item.reject(this.#writeError)
    }
    return this.#writeError
  }

  /** Writer-only: closes the active segment and starts a new one at nextOffset. */
  async #roll (nextOffset: number, now: number): Promise<LogSegment> {
    const old = this.activeSegment
    if (old.size === 0 && old.baseOffset === nextOffset) return old
    // A reader at the tail follows onto the new segment.
    const tailRead = old.tail.enabled
    if (old.size === 0) {
      // An empty active segment is replaced rather than kept (its base no longer fits).
      const seg = await LogSegment.create(this.#ctx, this.dir, nextOffset, this.#settings(), now)
      await this.#ctx.fs.syncDir(this.dir)
      if (tailRead) seg.tail.enable()
      seg.active = true
      old.active = false
      this.#segments = [...this.#segments.slice(0, -1), seg]
      await old.deleteFiles()
      return seg
    }
    await old.onBecomeInactive()
    // The old segment's data is made durable before the next segment exists: a power cut must
    // never leave the next segment's file with the end of this one lost, which would open a gap
    // of offsets at recovery (and let later unacknowledged batches outlive earlier ones).
    await old.flush(false)
    const seg = await LogSegment.create(this.#ctx, this.dir, nextOffset, this.#settings(), now)
    // The new file's directory entry must be durable before any durable append lands in it.
    await this.#ctx.fs.syncDir(this.dir)
    if (tailRead) seg.tail.enable()
    seg.active = true
    this.#segments = [...this.#segments, seg]
    await this.#producerState.onRoll(nextOffset)
    // Kafka flushes the rolled segment in the background; the recovery point then passes it.
    this.#writer.run(async () => {
      if (old.deleted) return
      await old.flush(true)
      await this.#producerState.flush()
      this.#advanceRecoveryPoint(old.nextOffset)
    }).catch((err: unknown) => { this.#fail(err, 'flush of a rolled segment') })
    return seg
  }

  /** Forces a roll (tests, retention of the active segment). */
  async roll (): Promise<void> {
    await this.#writer.run(async () => {
      if (this.activeSegment.size > 0) await this.#roll(this.#logEndOffset, this.#clock())
    })
  }

  #advanceRecoveryPoint (offset: number): void {
    if (offset > this.#flushedOffset) this.#flushedOffset = Math.min(offset, this.#logEndOffset)
  }

  /** Group commit pass: fsync every segment written since its last sync. */
  async #syncData (): Promise<number> {
    const target = this.#logEndOffset
    const started = performance.now()
    await this.#syncNewDirectory()
    for (const seg of this.#segments) {
      if (seg.dirty && !seg.deleted) await seg.flush(false)
    }
    // The aborted-transaction indexes too: the recovery point is about to pass their markers.
    await this.#producerState.flush()
    this.#ctx.observer?.fsynced('produce', performance.now() - started)
    this.#advanceRecoveryPoint(target)
    return target
  }

  #armFlushTimer (): void {
    if (this.#flushTimer !== null) return
    const delay = timerDelay(this.#config.flushMs)
    if (delay === null) return
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = null
      this.flush().catch((err: unknown) => {
        this.#ctx.logger.error({ err, topic: this.topic, partition: this.partition }, 'scheduled flush failed')
      })
    }, delay)
    this.#flushTimer.unref()
  }

  /** fsyncs all written data and persists every index (flush.ms, close, explicit). */
  async flush (): Promise<void> {
    if (this.#flushTimer !== null) {
      clearTimeout(this.#flushTimer)
      this.#flushTimer = null
    }
    this.#unflushedMessages = 0
    try {
      const target = this.#logEndOffset
      const started = performance.now()
      // A directory holding no data yet can lose its entries harmlessly (LogSegment.open).
      if (this.#segments.some((s) => s.dirty)) await this.#syncNewDirectory()
      for (const seg of this.#segments) {
        if (seg.dirty && !seg.deleted) await seg.flush(false)
      }
      // Index files change only under the writer (truncation may rewrite them).
      await this.#writer.run(async () => {
        for (const seg of this.#segments) if (!seg.deleted) await seg.persistIndexes(true)
        await this.#producerState.flush()
      })
      this.#ctx.observer?.fsynced('flush', performance.now() - started)
      this.#advanceRecoveryPoint(target)
    } catch (err) {
      throw this.#fail(err, 'flush')
    }
  }

  onAppend (listener: (logEndOffset: number) => void): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  // ---- read ---------------------------------------------------------------------------------

  /** Index of the segment that would hold offset (the last with baseOffset <= offset). */
  #floorSegment (segments: readonly LogSegment[], offset: number): number {
    let lo = 0
    let hi = segments.length - 1
    let found = 0
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (segments[mid]!.baseOffset <= offset) {
        found = mid
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    return found
  }

  async read (offset: number, options: ReadOptions): Promise<ReadResult> {
    const start = this.#logStartOffset
    const leo = this.#logEndOffset
    if (!Number.isSafeInteger(offset) || offset < start || offset > leo) {
      throw new StorageError('OFFSET_OUT_OF_RANGE', `offset ${offset} outside [${start}, ${leo}] of ${this.topic}-${this.partition}`)
    }
    const bound = Math.min(options.maxOffset ?? leo, leo)
    if (offset >= bound) {
      // A reader waits at the end: keep the next writes in memory for it (tail-cache.ts).
      this.activeSegment.tail.enable()
      return EMPTY
    }
    const segments = this.#segments
    try {
      for (let i = this.#floorSegment(segments, offset); i < segments.length; i++) {
        const r = await segments[i]!.read(offset, options.maxBytes, bound, options.minOneBatch, options.allocate)
        if (r === null) continue
        if (r.chunk === null) return EMPTY
        return { chunks: [r.chunk], bytes: r.chunk.length }
      }
    } catch (err) {
      // Retention may remove a segment under a slow read: then the offset is out of range now.
      if (errorCode(err) === 'ENOENT' && offset < this.#logStartOffset) {
        throw new StorageError('OFFSET_OUT_OF_RANGE', `offset ${offset} was deleted during the read`)
      }
      if (err instanceof StorageError) throw err
      throw new StorageError('KAFKA_STORAGE_ERROR', `read of ${this.topic}-${this.partition} at ${offset} failed: ${String(err)}`, { cause: err })
    }
    return EMPTY
  }

  async offsetForTimestamp (timestamp: number): Promise<TimestampOffset | null> {
    for (const seg of this.#segments) {
      if (seg.maxTimestamp < timestamp) continue
      let from = this.#logStartOffset
      // A batch header may promise more than its records hold (a record below the log start);
      // then the search goes on past it.
      for (;;) {
        const batch = await seg.findBatchByTimestamp(timestamp, from)
        if (batch === null) break
        const found = await firstRecordAtOrAfter(batch, timestamp, from)
        if (found !== null) return found
        from = batchLastOffset(batch) + 1
      }
    }
    return null
  }

  /** The batch-level answer: the segment's largest timestamp and the last offset of its batch. */
  maxTimestampOffset (): TimestampOffset | null {
    if (this.#logEndOffset === this.#logStartOffset) return null
    let best: LogSegment | null = null
    for (const seg of this.#segments) {
      if (best === null || seg.maxTimestamp > best.maxTimestamp) best = seg
    }
    if (best === null || best.maxTimestamp < 0) return null
    return { timestamp: best.maxTimestamp, offset: best.offsetOfMaxTimestamp }
  }

  /** The exact record with the largest timestamp (the first of equals), decoding its batch. */
  async findMaxTimestampOffset (): Promise<TimestampOffset | null> {
    const approx = this.maxTimestampOffset()
    if (approx === null) return null
    const seg = this.#segments[this.#floorSegment(this.#segments, approx.offset)]!
    const batch = await seg.findBatchByLastOffset(approx.offset)
    if (batch === null) return approx
    return await firstRecordAtOrAfter(batch, approx.timestamp, this.#logStartOffset) ?? approx
  }

  // ---- offsets and truncation -----------------------------------------------------------------

  setHighWatermark (offset: number): void {
    this.#highWatermark = Math.min(Math.max(offset, this.#logStartOffset), this.#logEndOffset)
    this.#checkOffsets()
  }

  /** Moves the high watermark forward only (a leader: min of the ISR's log ends); true when it moved. */
  maybeIncrementHighWatermark (offset: number): boolean {
    const target = Math.min(offset, this.#logEndOffset)
    if (target <= this.#highWatermark) return false
    this.setHighWatermark(target)
    return true
  }

  /**
   * single: this log is the partition's only replica, so everything written is committed: the
   * high watermark moves to the log end now and after every write (before onAppend listeners
   * run). false: the caller moves it (setHighWatermark / maybeIncrementHighWatermark).
   */
  setSingleReplica (single: boolean): void {
    this.#singleReplica = single
    if (single) this.setHighWatermark(this.#logEndOffset)
  }

  get singleReplica (): boolean { return this.#singleReplica }

  /** The exclusive bound of a fetch (Kafka's FetchIsolation): followers read to the log end, consumers to the HW or the LSO. */
  fetchUpperBound (isolation: FetchIsolation): number {
    if (isolation === 'LOG_END') return this.#logEndOffset
    if (isolation === 'HIGH_WATERMARK') return this.#highWatermark
    return this.lastStableOffset
  }

  // ---- leader epochs --------------------------------------------------------------------------

  /** The latest leader epoch that wrote to (or was assigned on) this log; null when none. */
  get latestEpoch (): number | null { return this.#epochs.latestEpoch }

  /** The leader-epoch cache: each epoch and the offset of its first batch, oldest first. */
  leaderEpochEntries (): EpochEntry[] { return this.#epochs.entries() }

  /** The leader epoch of the batch holding offset, from the cache; null before the first entry. */
  epochForOffset (offset: number): number | null { return this.#epochs.epochForOffset(offset) }

  /**
   * OffsetForLeaderEpoch as Kafka answers it: the largest epoch <= `epoch` and the offset where it
   * ended (the log end for the latest epoch); UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET when unknown.
   */
  endOffsetForEpoch (epoch: number): EpochEndOffset {
    return this.#epochs.endOffsetFor(epoch, this.#logEndOffset)
  }

  /**
   * Records that `epoch` starts at the current log end (a replica becoming leader, as Kafka's
   * makeLeader), persisted before it returns. Runs on the writer, after appends queued before it.
   */
  async assignEpochStartOffset (epoch: number): Promise<void> {
    await this.#writer.run(async () => {
      if (this.#writeError !== null) throw this.#writeError
      try {
        await this.#epochs.assign(epoch, this.#logEndOffset)
      } catch (err) {
        throw this.#fail(err, 'leader epoch checkpoint')
      }
    })
  }

  /** Loads the leader-epoch checkpoint, rebuilding it from the batches when missing (log-loader.ts). */
  async loadLeaderEpochs (): Promise<void> {
    await this.#epochs.load(this.#logStartOffset, this.#logEndOffset, async (visit) => {
      for (const seg of this.#segments) {
        await seg.forEachBatch((b) => { visit(b.buf.readInt32BE(b.at + PARTITION_LEADER_EPOCH), b.baseOffset) }, true)
      }
    })
  }

  async deleteRecordsBefore (offset: number): Promise<number> {
    if (offset > this.#highWatermark) {
      throw new StorageError('OFFSET_OUT_OF_RANGE', `cannot delete before ${offset}: above the high watermark ${this.#highWatermark}`)
    }
    if (offset <= this.#logStartOffset) return this.#logStartOffset
    await this.#writer.run(async () => {
      if (offset <= this.#logStartOffset) return
      this.#logStartOffset = offset
      this.#checkOffsets()
      await this.#deleteSegmentsBelowLogStart()
      // The new log start is durable before the epoch file forgets the offsets below it: a power
      // cut in between must not leave a log start below the first epoch entry.
      await this.#hooks.logStartOffsetChanged?.(this)
      await this.#epochs.truncateFromStart(this.#logStartOffset)
    })
    return this.#logStartOffset
  }

  /** Writer-only: drops segments entirely below the log start offset (never the active one). */
  async #deleteSegmentsBelowLogStart (): Promise<void> {
    const doomed: LogSegment[] = []
    const segs = this.#segments
    for (let i = 0; i + 1 < segs.length; i++) {
      if (segs[i + 1]!.baseOffset <= this.#logStartOffset) doomed.push(segs[i]!)
      else break
    }
    if (doomed.length > 0) await this.#removeSegments(doomed, 'below the log start offset')
  }

  async truncateTo (offset: number): Promise<void> {
    // UNDEFINED_EPOCH_OFFSET (-1) from an OffsetForLeaderEpoch answer must not empty the log.
    checkTruncationOffset(offset, `${this.topic}-${this.partition}`)
    await this.#writer.run(async () => {
      if (offset >= this.#logEndOffset) return
      try {
        if (offset < this.#logStartOffset) {
          await this.#truncateFullyAndStartAt(offset)
          await this.#hooks.truncated?.(this, offset)
          return
        }
        const keep = this.#segments.filter((s) => s.baseOffset < offset || s === this.#segments[0])
        const drop = this.#segments.filter((s) => !keep.includes(s))
        const last = keep[keep.length - 1]!
        if (drop.length > 0) await this.#removeSegments(drop, 'truncation', keep)
        const cut = await last.truncateTo(offset)
        this.#size -= cut
        if (await last.readNextOffset() < offset) {
          // The offset falls in a gap (compaction, or inside a removed batch): an empty segment
          // based at it keeps the log end offset across a restart.
          await last.onBecomeInactive()
          last.nextOffset = offset
          const seg = await LogSegment.create(this.#ctx, this.dir, offset, this.#settings(), this.#clock())
          await this.#ctx.fs.syncDir(this.dir)
          seg.active = true
          this.#segments = [...this.#segments, seg]
        } else {
          last.active = true
          last.nextOffset = offset
        }
        this.#logEndOffset = offset
        this.#flushedOffset = Math.min(this.#flushedOffset, offset)
        this.#highWatermark = Math.min(this.#highWatermark, offset)
        await this.#producerStateTruncated()
        // After the cut log is durable: a crash before this leaves entries past the log end, which load() drops.
        await this.#epochs.truncateFromEnd(offset)
        this.#checkOffsets()
        await this.#hooks.truncated?.(this, offset)
      } catch (err) {
        throw this.#fail(err, 'truncation')
      }
    })
  }

  /** Empties the log and restarts it at offset (Kafka's truncateFullyAndStartAt). */
  async truncateFullyAndStartAt (offset: number): Promise<void> {
    checkTruncationOffset(offset, `${this.topic}-${this.partition}`)
    await this.#writer.run(async () => {
      try {
        await this.#truncateFullyAndStartAt(offset)
        await this.#hooks.truncated?.(this, offset)
      } catch (err) {
        throw this.#fail(err, 'truncation')
      }
    })
  }

  /** Writer-only: empties the log and restarts it at offset. */
  async #truncateFullyAndStartAt (offset: number): Promise<void> {
    const fresh = await LogSegment.create(this.#ctx, this.dir, offset, this.#settings(), this.#clock())
    await this.#ctx.fs.syncDir(this.dir)
    fresh.active = true
    const old = this.#segments.filter((s) => s.baseOffset !== offset)
    await this.#removeSegments(old, 'full truncation', [fresh])
    this.#logEndOffset = offset
    this.#logStartOffset = offset
    this.#highWatermark = offset
    this.#flushedOffset = offset
    this.#size = 0
    await this.#producerStateTruncated()
    await this.#epochs.clear()
    this.#checkOffsets()
  }

  /** Writer-only: producer state and transaction indexes follow a truncation. */
  async #producerStateTruncated (): Promise<void> {
    await this.#producerState.onTruncate(this.#segments.map((s) => s.baseOffset), this.#logStartOffset, this.#logEndOffset, this.#readBatches, this.#clock())
  }

  readonly #readBatches = async (offset: number): Promise<Buffer> => {
    const { chunks } = await this.read(offset, { maxBytes: 1 << 20, minOneBatch: true })
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
  }

  /** Loads producer state from its snapshot and the log after it (log-loader.ts, before any append). */
  /** `replayFrom`: after a crash, the first recovered segment's base (its batches are replayed whatever the snapshots). */
  async loadProducerState (replayFrom?: number): Promise<void> {
    await this.#producerState.load(this.#segments.map((s) => s.baseOffset), this.#logStartOffset, this.#logEndOffset, this.#readBatches, this.#clock(), replayFrom)
    this.#checkOffsets()
  }

  /** Aborted transactions overlapping [fetchOffset, upperBoundOffset) (read_committed fetches). */
  async abortedTransactions (fetchOffset: number, upperBoundOffset: number): Promise<AbortedTxn[]> {
    return await this.#producerState.abortedTransactions(this.#segments.map((s) => s.baseOffset), fetchOffset, upperBoundOffset)
  }

  /** Producers with state on this partition (DescribeProducers). */
  activeProducers (): ActiveProducer[] {
    return this.#producerState.activeProducers()
  }

  /** Drops producers idle for producer.id.expiration.ms with no open transaction; returns how many. */
  removeExpiredProducers (now: number, expirationMs: number): number {
    return this.#producerState.manager.removeExpiredProducers(now, expirationMs)
  }

  /**
   * Writer-only: takes segments out of the log (renamed `.deleted`, unlinked after
   * file.delete.delay.ms). `remaining` replaces the segment list when given.
   */
  async #removeSegments (doomed: LogSegment[], reason: string, remaining?: LogSegment[]): Promise<void> {
    this.#segments = remaining ?? this.#segments.filter((s) => !doomed.includes(s))
    for (const seg of doomed) {
      this.#size -= seg.size
      seg.deleted = true
      seg.active = false
    }
    const first = this.#segments[0]!
    if (first.baseOffset > this.#logStartOffset) this.#logStartOffset = Math.min(first.baseOffset, this.#logEndOffset)
    this.#ctx.logger.info({ topic: this.topic, partition: this.partition, segments: doomed.map((s) => s.baseOffset), reason }, 'deleting segments')
    for (const seg of doomed) {
      await seg.changeSuffix(DELETED_SUFFIX)
      this.#scheduleDelete(seg)
    }
    // The renames must be durable: segments cut off by a truncation must not come back after a power cut.
    await this.#ctx.fs.syncDir(this.dir)
    await this.#producerState.onSegmentsRemoved(this.#segments.map((s) => s.baseOffset), this.#logStartOffset)
  }

  #scheduleDelete (seg: LogSegment): void {
    const entry: { timer: NodeJS.Timeout | null, run: () => Promise<void> } = {
      timer: null,
      run: async () => {
        this.#pendingDeletes.delete(entry)
        if (entry.timer !== null) clearTimeout(entry.timer)
        await seg.deleteFiles()
      }
    }
    this.#pendingDeletes.add(entry)
    const delay = timerDelay(this.#config.fileDeleteDelayMs) ?? 0
    entry.timer = setTimeout(() => {
      entry.run().catch((err: unknown) => {
        this.#ctx.logger.warn({ err, segment: seg.path }, 'deleting a segment file failed; it goes at the next start')
      })
    }, delay)
    entry.timer.unref()
  }

  // ---- retention (called by the LogManager's scheduler) -----------------------------------------

  /**
   * Deletes the oldest segments that retention.ms, retention.bytes or the log start offset make
   * deletable, as Kafka: only whole segments, only below the high watermark, and the active one
   * only when non-empty (a fresh active segment replaces it). Returns how many went.
   */
  async deleteOldSegments (now = this.#clock()): Promise<number> {
    let deleted = 0
    await this.#writer.run(async () => {
      const config = this.#config
      const policyDelete = config.cleanupPolicy.includes('delete')
      const segs = this.#segments
      let bytesOver = policyDelete && config.retentionBytes >= 0 ? this.#size - config.retentionBytes : -1
      const doomed: LogSegment[] = []
      for (let i = 0; i < segs.length; i++) {
        const seg = segs[i]!
        const next = segs[i + 1]
        const upperBound = next?.baseOffset ?? this.#logEndOffset
        if (this.#highWatermark < upperBound) break
        if (next === undefined && seg.size === 0) break
        let breach = next !== undefined && next.baseOffset <= this.#logStartOffset
        if (!breach && policyDelete && config.retentionMs >= 0 && !isNever(config.retentionMs)) {
          const largest = seg.maxTimestamp >= 0 ? seg.maxTimestamp : (await this.#ctx.fs.stat(seg.path)).mtimeMs
          breach = now - largest > config.retentionMs
        }
        if (!breach && bytesOver >= 0 && bytesOver - seg.size >= 0) breach = true
        if (!breach) break
        bytesOver -= seg.size
        doomed.push(seg)
      }
      if (doomed.length === 0) return
      if (doomed.length === segs.length) {
        // The active segment goes too: roll first so the log keeps an (empty) active segment.
        await this.#roll(this.#logEndOffset, now)
      }
      await this.#removeSegments(doomed, 'retention')
      await this.#epochs.truncateFromStart(this.#logStartOffset)
      deleted = doomed.length
      this.#checkOffsets()
    })
    if (deleted > 0) await this.#hooks.logStartOffsetChanged?.(this)
    return deleted
  }

  // ---- compaction support ---------------------------------------------------------------------

  /**
   * Writer-only swap used by the cleaner: replaces `old` (consecutive, inactive) by `replacement`
   * (already written as `.swap` files covering the same offsets).
   */
  async replaceSegments (old: LogSegment[], replacement: LogSegment[], commit: () => Promise<void>): Promise<boolean> {
    return await this.#writer.run(async () => {
      const segs = this.#segments
      const start = segs.indexOf(old[0]!)
      if (start < 0 || old.some((s, k) => segs[start + k] !== s) || old.some((s) => s.active)) return false
      await commit()
      const removedBytes = old.reduce((n, s) => n + s.size, 0)
      const addedBytes = replacement.reduce((n, s) => n + s.size, 0)
      this.#segments = [...segs.slice(0, start), ...replacement, ...segs.slice(start + old.length)]
      for (const seg of old) {
        seg.deleted = true
        this.#scheduleDelete(seg)
      }
      this.#size += addedBytes - removedBytes
      this.#producerState.forgetIndexes(old.map((s) => s.baseOffset))
      return true
    })
  }

  /** Runs `task` on the writer (between append groups). */
  async exclusive<T> (task: () => Promise<T>): Promise<T> {
    return await this.#writer.run(task)
  }

  updateConfig (config: LogConfig): void {
    this.#config = config
    const settings = this.#settings()
    // New settings apply to segments created from now on; the active one keeps its index bounds.
    for (const seg of this.#segments) if (!seg.active) seg.settings = settings
    if (this.#flushTimer !== null && timerDelay(config.flushMs) === null) {
      clearTimeout(this.#flushTimer)
      this.#flushTimer = null
    }
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /** Finishes pending writes, flushes everything and closes the files. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#writer.run(async () => {})
    if (this.#writeError === null) {
      await this.flush()
      await this.#writer.run(async () => {
        const active = this.activeSegment
        if (active.maxTimestamp >= 0) {
          // Kafka's close: the active segment's time index gets its largest timestamp too.
          const ti = await active.timeIndex()
          ti.maybeAppend(active.maxTimestamp, active.offsetOfMaxTimestamp, true)
          await active.persistIndexes(true)
        }
        await this.#producerState.close(this.#logEndOffset)
      })
    }
    await this.#finishDeletes()
    for (const seg of this.#segments) await seg.closeHandle()
  }

  /** Stops timers and drops handles without flushing (a crashed process, in tests; deleteLog). */
  async abandon (): Promise<void> {
    this.#closed = true
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer)
    this.#flushTimer = null
    for (const entry of this.#pendingDeletes) if (entry.timer !== null) clearTimeout(entry.timer)
    this.#pendingDeletes.clear()
    const pending = this.#pending
    this.#pending = []
    const err = new StorageError('KAFKA_STORAGE_ERROR', `log ${this.topic}-${this.partition} is closed`)
    for (const item of pending) item.reject(err)
    await this.#writer.run(async () => {})
    for (const seg of this.#segments) {
      try {
        await seg.closeHandle()
      } catch (err) {
        this.#ctx.logger.warn({ err, segment: seg.path }, 'closing a segment handle failed')
      }
    }
  }

  async #finishDeletes (): Promise<void> {
    for (const entry of [...this.#pendingDeletes]) {
      try {
        await entry.run()
      } catch (err) {
        this.#ctx.logger.warn({ err, topic: this.topic, partition: this.partition }, 'deleting a segment at close failed; it goes at the next start')
      }
    }
  }

  get isClean (): boolean { return this.#writeError === null }
}

function checkTruncationOffset (offset: number, partition: string): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new StorageError('OFFSET_OUT_OF_RANGE', `cannot truncate ${partition} to ${offset}`)
}

/** The first record at or past startingOffset with timestamp >= target, from a whole batch. */
async function firstRecordAtOrAfter (batch: Buffer, timestamp: number, startingOffset: number): Promise<TimestampOffset | null> {
  const leaderEpoch = batch.readInt32BE(PARTITION_LEADER_EPOCH)
  const base = Number(batch.readBigInt64BE(0))
  const maxTimestamp = Number(batch.readBigInt64BE(MAX_TIMESTAMP))
  if ((batch.readInt16BE(ATTRIBUTES) & TIMESTAMP_TYPE_MASK) !== 0) {
    // LogAppendTime: every record carries the batch's timestamp.
    return { offset: Math.max(base, startingOffset), timestamp: maxTimestamp, leaderEpoch }
  }
  try {
    const decoded = await decodeBatch(batch, { verifyCrc: false })
    for (const r of decoded.records) {
      if (r.offset >= BigInt(startingOffset) && r.timestamp >= BigInt(timestamp)) {
        return { offset: Number(r.offset), timestamp: Number(r.timestamp), leaderEpoch }
      }
    }
    return null
  } catch (err) {
    // An undecodable batch still answers at batch granularity, as the index promised.
    if (err instanceof RecordFormatError || err instanceof CompressionError) {
      return { offset: Math.max(base, startingOffset), timestamp: maxTimestamp, leaderEpoch }
    }
    throw err
  }
}
