// The broker's entry point to storage: every partition log under the configured log dirs.
//
// Layout of a log dir:
//   <topic>-<partition>/                 one partition (see log/partition-log.ts)
//   <topic>-<partition>.<uuid>-delete/   a deleted partition, removed after file.delete.delay.ms
//   recovery-point-offset-checkpoint, log-start-offset-checkpoint,
//   replication-offset-checkpoint, cleaner-offset-checkpoint     (checkpoint.ts)
//   .brook_cleanshutdown                 present only between a clean close() and the next open()
//   log-dir-summary                      written by a clean close() just before the marker
//                                        (log-dir-summary.ts)
// Recovery rule: open() loads each partition trusting its indexes only when the marker is there;
// otherwise each log re-reads everything from its checkpointed recovery point (log/log-loader.ts).
// With the marker, a partition in the summary is built from it without touching its directory.
// The marker and the summary are removed before open() returns, so a crash after it means an
// unclean start.
// Creating partitions: each new directory costs no fsync of its own until its first data fsync,
// and concurrent creations in one log dir share the fsyncs of that log dir (#syncLogDir).
//
// Background work (unref'd timers; tests pass scheduler: false and call the run* methods):
// retention every log.retention.check.interval.ms, checkpoints of recovery points and log start
// offsets every 60 s and of high watermarks every 5 s, the cleaner every log.cleaner.backoff.ms.
// Each runs one log at a time and takes a log's writer only for the short metadata step.
import { randomUUID } from 'node:crypto'
import {
  CLEANER_CHECKPOINT, CLEAN_SHUTDOWN_MARKER, type CheckpointEntry, HIGH_WATERMARK_CHECKPOINT, LOG_START_CHECKPOINT,
  RECOVERY_POINT_CHECKPOINT, checkpointKey, readCheckpoint, writeCheckpoint
} from './checkpoint.js'
import { timerDelay } from './config.js'
import type { FileSystem } from './fs/file-system.js'
import { errorCode, writeFileAtomic } from './fs/file-system.js'
import { HandlePool } from './fs/handle-pool.js'
import { type Logger, silentLogger, SerialQueue } from '@brook/common'
import { Cleaner, type CleanerStats } from './log/compaction.js'
import { copyDir } from './log/copy-dir.js'
import { createNewLog, loadLog, restoreLog } from './log/log-loader.js'
import { LOG_DIR_SUMMARY, type LogSummary, readLogDirSummary, writeLogDirSummary } from './log-dir-summary.js'
import type { Log, LogHooks } from './log/partition-log.js'
import { encodeCheckpoint } from './checkpoint.js'
import type { SegmentContext } from './segment/log-segment.js'
import { LOG_EXT, segmentFileName } from './segment/segment-files.js'
import type { LogConfig, LogObserver } from './types.js'

export interface SchedulerIntervals {
  /** log.retention.check.interval.ms */
  retentionCheckMs: number
  /** log.flush.offset.checkpoint.interval.ms */
  recoveryPointCheckpointMs: number
  /** log.flush.start.offset.checkpoint.interval.ms */
  logStartCheckpointMs: number
  /** replica.high.watermark.checkpoint.interval.ms */
  highWatermarkCheckpointMs: number
  /** log.cleaner.backoff.ms */
  cleanerBackoffMs: number
}

export const defaultSchedulerIntervals: Readonly<SchedulerIntervals> = Object.freeze({
  retentionCheckMs: 300_000,
  recoveryPointCheckpointMs: 60_000,
  logStartCheckpointMs: 60_000,
  highWatermarkCheckpointMs: 5_000,
  cleanerBackoffMs: 15_000
})

export interface LogManagerOptions {
  fs: FileSystem
  logDirs: readonly string[]
  /** Topic defaults (the broker maps log.* broker settings, e.g. log.flush.interval.messages, into them). */
  defaults: LogConfig
  logger?: Logger
  /** Config for a log found on disk at open(); the defaults when absent. */
  topicConfig?: (topic: string) => LogConfig
  /** Open .log handles kept across all partitions (an LRU closes idle ones). Default 512. */
  maxOpenFiles?: number
  /** false: no timers (tests); otherwise overrides of the default intervals. */
  scheduler?: false | Partial<SchedulerIntervals>
  /** Parallel partition loads at open(). Default 8. */
  loadConcurrency?: number
  clock?: () => number
  /** Told about fsyncs (the broker's metrics). */
  observer?: LogObserver
}

interface Entry {
  log: Log
  logDir: string
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/
const PARTITION_DIR = /^(.+)-(\d+)$/
const DELETE_DIR = /^(.+)-(\d+)\.[0-9a-f]{32}-delete$/
/** A partition copy being moved into this log dir (moveLog); one left by a crash is removed at open. */
const FUTURE_DIR = /^(.+)-(\d+)\.[0-9a-f]{32}-future$/

function parentDir (path: string): string {
  const i = path.replace(/\/+$/, '').lastIndexOf('/')
  return i <= 0 ? '/' : path.slice(0, i)
}

export class LogManager {
  readonly #fs: FileSystem
  readonly #logDirs: readonly string[]
  readonly #logger: Logger
  readonly #topicConfig: (topic: string) => LogConfig
  readonly #pool: HandlePool
  readonly #ctx: SegmentContext
  readonly #clock: () => number
  readonly #loadConcurrency: number
  readonly #intervals: SchedulerIntervals | null
  #defaults: LogConfig
  readonly #logs = new Map<string, Entry>()
  readonly #creating = new Map<string, Promise<Log>>()
  /** Logs being moved to another log dir: closed meanwhile, so background work skips them. */
  readonly #moving = new Set<string>()
  readonly #checkpointQueues = new Map<string, SerialQueue>()
  readonly #timers: NodeJS.Timeout[] = []
  readonly #pendingDirDeletes = new Set<{ timer: NodeJS.Timeout, run: () => Promise<void> }>()
  readonly #cleaner: Cleaner
  /** First dirty offset per log (the cleaner's progress), from cleaner-offset-checkpoint. */
  readonly #cleanerOffsets = new Map<string, number>()
  #background: Promise<void> = Promise.resolve()
  /** Per log dir: the fsync in flight and whether another was asked for while it ran. */
  readonly #dirSyncs = new Map<string, { running: Promise<void>, next: Promise<void> | null }>()
  #opened = false
  #closed = false

  constructor (options: LogManagerOptions) {
    this.#fs = options.fs
    this.#logDirs = options.logDirs.map((d) => d.replace(/\/+$/, ''))
    if (this.#logDirs.length === 0) throw new Error('BROOK_STORAGE_CONFIG: at least one log dir is needed')
    this.#defaults = options.defaults
    this.#logger = options.logger ?? silentLogger
    this.#topicConfig = options.topicConfig ?? (() => this.#defaults)
    this.#pool = new HandlePool(this.#fs, options.maxOpenFiles ?? 512, this.#logger)
    this.#ctx = { fs: this.#fs, pool: this.#pool, logger: this.#logger, ...(options.observer === undefined ? {} : { observer: options.observer }) }
    this.#clock = options.clock ?? Date.now
    this.#loadConcurrency = Math.max(1, options.loadConcurrency ?? 8)
    this.#intervals = options.scheduler === false ? null : { ...defaultSchedulerIntervals, ...options.scheduler }
    this.#cleaner = new Cleaner({ ctx: this.#ctx, clock: this.#clock })
  }

  get defaults (): LogConfig { return this.#defaults }
  /** Open .log handles right now (bounded by maxOpenFiles while none is in use). */
  get openFiles (): number { return this.#pool.openCount }

  /** Loads every partition of every log dir, recovering after an unclean stop. */
  async open (): Promise<void> {
    if (this.#opened) throw new Error('BROOK_STORAGE_STATE: LogManager.open() called twice')
    this.#opened = true
    for (const logDir of this.#logDirs) await this.#openDir(logDir)
    this.#startScheduler()
  }

  async #openDir (logDir: string): Promise<void> {
    const fs = this.#fs
    await fs.mkdir(logDir)
    await fs.syncDir(parentDir(logDir))
    const marker = await readCheckpoint(fs, logDir, CLEAN_SHUTDOWN_MARKER)
    const clean = Array.isArray(marker)
    if (typeof marker === 'string') this.#logger.warn({ logDir, problem: marker }, 'clean-shutdown marker unreadable; recovering as after a crash')
    const recoveryPoints = await this.#readOffsets(logDir, RECOVERY_POINT_CHECKPOINT)
    const logStarts = await this.#readOffsets(logDir, LOG_START_CHECKPOINT)
    const highWatermarks = await this.#readOffsets(logDir, HIGH_WATERMARK_CHECKPOINT)
    for (const [key, offset] of await this.#readOffsets(logDir, CLEANER_CHECKPOINT)) this.#cleanerOffsets.set(key, offset)
    const summaries = clean ? await this.#readSummary(logDir) : new Map<string, LogSummary>()
    const partitions: Array<{ topic: string, partition: number, name: string, summary?: LogSummary }> = []
    for (const name of await fs.readdir(logDir)) {
      if (DELETE_DIR.test(name) || FUTURE_DIR.test(name)) {
        await fs.rm(`${logDir}/${name}`)
        continue
      }
      const m = PARTITION_DIR.exec(name)
      if (m === null || !TOPIC_NAME.test(m[1]!)) continue
      const summary = summaries.get(checkpointKey(m[1]!, Number(m[2])))
      // A summarized partition was a directory at the clean close; nothing has run since.
      if (summary === undefined && !(await fs.stat(`${logDir}/${name}`)).isDirectory) continue
      partitions.push({ topic: m[1]!, partition: Number(m[2]), name, ...(summary === undefined ? {} : { summary }) })
    }
    let restored = 0
    // One config per topic, not per partition (the broker derives it from all its settings).
    const configs = new Map<string, LogConfig>()
    const configOf = (topic: string): LogConfig => {
      let config = configs.get(topic)
      if (config === undefined) configs.set(topic, config = this.#topicConfig(topic))
      return config
    }
    const started = this.#clock()
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < partitions.length) {
        const p = partitions[next++]!
        const key = checkpointKey(p.topic, p.partition)
        if (this.#logs.has(key)) {
          this.#logger.error({ logDir, topic: p.topic, partition: p.partition }, 'partition present in two log dirs; ignoring this copy')
          continue
        }
        const options = {
          ctx: this.#ctx,
          dir: `${logDir}/${p.name}`,
          topic: p.topic,
          partition: p.partition,
          config: configOf(p.topic),
          clean,
          recoveryPoint: recoveryPoints.get(key),
          logStartOffset: logStarts.get(key),
          highWatermark: highWatermarks.get(key),
          hooks: this.#hooks(logDir),
          clock: this.#clock
        }
        let log = p.summary === undefined || !(await this.#activeSizeMatches(options.dir, p.summary)) ? null : restoreLog(options, p.summary)
        if (log === null) log = await loadLog(options)
        else restored++
        this.#logs.set(key, { log, logDir })
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.#loadConcurrency, partitions.length) }, worker))
    if (clean) await fs.unlink(`${logDir}/${CLEAN_SHUTDOWN_MARKER}`)
    // Without the marker a summary is never read; removed so that no later marker can vouch for it.
    await fs.rm(`${logDir}/${LOG_DIR_SUMMARY}`)
    if (clean) await fs.syncDir(logDir)
    this.#logger.info({ logDir, partitions: partitions.length, clean, restored, ms: this.#clock() - started }, 'log dir loaded')
  }

  /**
   * A cut active segment is caught after a clean shutdown too, as the full load's tail scan does:
   * one stat, only for a non-empty active segment (an empty one cannot lose bytes).
   */
  async #activeSizeMatches (dir: string, summary: LogSummary): Promise<boolean> {
    const active = summary.segments[summary.segments.length - 1]!
    if (active.size === 0) return true
    let size: number
    try {
      size = (await this.#fs.stat(`${dir}/${segmentFileName(active.baseOffset, LOG_EXT)}`)).size
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw err
      size = -1
    }
    if (size === active.size) return true
    this.#logger.warn({ dir, expected: active.size, found: size }, 'active segment differs from the clean-shutdown summary; loading it from its directory')
    return false
  }

  async #readSummary (logDir: string): Promise<Map<string, LogSummary>> {
    const map = new Map<string, LogSummary>()
    const logs = await readLogDirSummary(this.#fs, logDir)
    if (typeof logs === 'string') this.#logger.warn({ logDir, file: LOG_DIR_SUMMARY, problem: logs }, 'clean-shutdown summary unreadable; loading every partition from its directory')
    else for (const l of logs ?? []) map.set(checkpointKey(l.topic, l.partition), l)
    return map
  }

  /**
   * fsyncs a log dir for the caller: a sync already running may have missed the caller's change,
   * so the caller waits for the next one, which every caller arriving meanwhile shares.
   */
  async #syncLogDir (logDir: string): Promise<void> {
    const state = this.#dirSyncs.get(logDir)
    if (state === undefined) {
      const running = this.#fs.syncDir(logDir).finally(() => { this.#afterDirSync(logDir) })
      this.#dirSyncs.set(logDir, { running, next: null })
      await running
      return
    }
    state.next ??= state.running.catch(() => { /* that sync's own callers see its error */ }).then(async () => await this.#fs.syncDir(logDir))
    await state.next
  }

  #afterDirSync (logDir: string): void {
    const state = this.#dirSyncs.get(logDir)
    if (state === undefined) return
    if (state.next === null) {
      this.#dirSyncs.delete(logDir)
      return
    }
    state.running = state.next.finally(() => { this.#afterDirSync(logDir) })
    state.next = null
  }

  async #readOffsets (logDir: string, name: string): Promise<Map<string, number>> {
    const entries = await readCheckpoint(this.#fs, logDir, name)
    const map = new Map<string, number>()
    if (typeof entries === 'string') {
      this.#logger.warn({ logDir, file: name, problem: entries }, 'checkpoint unreadable; using safe defaults')
      return map
    }
    for (const e of entries ?? []) map.set(checkpointKey(e.topic, e.partition), e.offset)
    return map
  }

  #hooks (logDir: string): LogHooks {
    return {
      logStartOffsetChanged: async () => { await this.#checkpoint(logDir, LOG_START_CHECKPOINT) },
      truncated: async (log, offset) => {
        // As Kafka: written before any later append, so a crash cannot bring back a recovery
        // point or cleaner checkpoint past the truncation (segments there would be trusted), nor
        // a high watermark over offsets the follower rewrites after it.
        const key = checkpointKey(log.topic, log.partition)
        const cp = this.#cleanerOffsets.get(key)
        if (cp !== undefined && cp > offset) this.#cleanerOffsets.set(key, offset)
        await this.#checkpoint(logDir, RECOVERY_POINT_CHECKPOINT)
        await this.#checkpoint(logDir, LOG_START_CHECKPOINT)
        await this.#checkpoint(logDir, HIGH_WATERMARK_CHECKPOINT)
        await this.#checkpoint(logDir, CLEANER_CHECKPOINT)
      }
    }
  }

  /** The log dir holding the fewest partitions (counted only when there is a choice: creating N partitions stays linear). */
  #leastLoadedDir (): string {
    if (this.#logDirs.length === 1) return this.#logDirs[0]!
    const counts = new Map<string, number>(this.#logDirs.map((d) => [d, 0]))
    for (const e of this.#logs.values()) counts.set(e.logDir, (counts.get(e.logDir) ?? 0) + 1)
    let best = this.#logDirs[0]!
    for (const d of this.#logDirs) if ((counts.get(d) ?? 0) < (counts.get(best) ?? 0)) best = d
    return best
  }

  /** Same as createLog (kept for callers written against the first draft). */
  async createOrGetLog (topic: string, partition: number, config: LogConfig = this.#defaults): Promise<Log> {
    return await this.createLog(topic, partition, config)
  }

  /**
   * The existing log, or a new empty one in the log dir holding the fewest partitions. A Log is a
   * PartitionLog with the engine's extras (offsets, roll, findMaxTimestampOffset, ...).
   */
  async createLog (topic: string, partition: number, config: LogConfig = this.#defaults): Promise<Log> {
    this.#checkOpen()
    if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') throw new Error(`BROOK_STORAGE_NAME: illegal topic name ${JSON.stringify(topic)}`)
    if (!Number.isInteger(partition) || partition < 0) throw new Error(`BROOK_STORAGE_NAME: illegal partition ${partition}`)
    const key = checkpointKey(topic, partition)
    const existing = this.#logs.get(key)
    if (existing !== undefined) return existing.log
    const inFlight = this.#creating.get(key)
    if (inFlight !== undefined) return await inFlight
    const creation = (async () => {
      const logDir = this.#leastLoadedDir()
      const dir = `${logDir}/${topic}-${partition}`
      await this.#fs.mkdir(dir)
      const log = createNewLog({ ctx: this.#ctx, dir, topic, partition, config, clean: false, recoveryPoint: 0, hooks: this.#hooks(logDir), clock: this.#clock })
      // The partition directory's entry must survive a power cut before anything is acknowledged in it.
      await this.#syncLogDir(logDir)
      this.#logs.set(key, { log, logDir })
      return log
    })()
    this.#creating.set(key, creation)
    try {
      return await creation
    } finally {
      this.#creating.delete(key)
    }
  }

  getLog (topic: string, partition: number): Log | undefined {
    return this.#logs.get(checkpointKey(topic, partition))?.log
  }

  logs (): Log[] {
    return [...this.#logs.values()].map((e) => e.log)
  }

  /** The configured log dirs, trailing slashes removed, in configuration order. */
  get logDirs (): readonly string[] {
    return this.#logDirs
  }

  /** The log dir holding the partition, or undefined when there is no such log. */
  logDirOf (topic: string, partition: number): string | undefined {
    return this.#logs.get(checkpointKey(topic, partition))?.logDir
  }

  /**
   * Moves a partition to another configured log dir and returns its log reopened there (the
   * same log when it is already there). The caller holds back appends meanwhile: the old log is
   * closed (flushed, producer state snapshotted), its files are copied into
   * `<dest>/<topic>-<partition>.<id>-future` and synced, that directory is renamed into place,
   * the log is opened from it, both dirs' checkpoints are rewritten and the old directory is
   * deleted as deleteLog does. A failure before the rename reopens the log where it was.
   * A crash leaves either the old copy (and a -future dir removed at the next open) or both
   * complete copies, of which the first log dir's wins at the next open.
   */
  async moveLog (topic: string, partition: number, destDir: string): Promise<Log> {
    this.#checkOpen()
    const dest = destDir.replace(/\/+$/, '')
    if (!this.#logDirs.includes(dest)) throw new Error(`BROOK_STORAGE_CONFIG: ${dest} is not a configured log dir`)
    const key = checkpointKey(topic, partition)
    const entry = this.#logs.get(key)
    if (entry === undefined) throw new Error(`BROOK_STORAGE_STATE: no log ${topic}-${partition}`)
    if (entry.logDir === dest || this.#moving.has(key)) return entry.log
    this.#moving.add(key)
    try {
      const old = entry.log
      await old.close()
      const reopen = async (dir: string, logDir: string): Promise<Log> => await loadLog({
        ctx: this.#ctx,
        dir,
        topic,
        partition,
        config: old.config,
        clean: old.isClean,
        recoveryPoint: old.recoveryPoint,
        logStartOffset: old.logStartOffset,
        highWatermark: old.highWatermark,
        hooks: this.#hooks(logDir),
        clock: this.#clock
      })
      const future = `${dest}/${topic}-${partition}.${randomUUID().replace(/-/g, '')}-future`
      const target = `${dest}/${topic}-${partition}`
      try {
        await copyDir(this.#fs, old.dir, future)
        await this.#fs.rename(future, target)
        await this.#fs.syncDir(dest)
      } catch (err) {
        await this.#fs.rm(future)
        this.#logs.set(key, { log: await reopen(old.dir, entry.logDir), logDir: entry.logDir })
        throw err
      }
      const log = await reopen(target, dest)
      this.#logs.set(key, { log, logDir: dest })
      for (const name of [RECOVERY_POINT_CHECKPOINT, LOG_START_CHECKPOINT, HIGH_WATERMARK_CHECKPOINT, CLEANER_CHECKPOINT]) {
        await this.#checkpoint(dest, name)
        await this.#checkpoint(entry.logDir, name)
      }
      const doomed = `${entry.logDir}/${topic}-${partition}.${randomUUID().replace(/-/g, '')}-delete`
      await this.#fs.rename(old.dir, doomed)
      await this.#fs.syncDir(entry.logDir)
      await this.#fs.rm(doomed)
      return log
    } finally {
      this.#moving.delete(key)
    }
  }

  /** Removes a partition: renamed `<topic>-<partition>.<uuid>-delete` at once, files removed later. */
  async deleteLog (topic: string, partition: number): Promise<void> {
    this.#checkOpen()
    const key = checkpointKey(topic, partition)
    const entry = this.#logs.get(key)
    if (entry === undefined) return
    this.#logs.delete(key)
    this.#cleanerOffsets.delete(key)
    await entry.log.abandon()
    const doomed = `${entry.logDir}/${topic}-${partition}.${randomUUID().replace(/-/g, '')}-delete`
    await this.#fs.rename(entry.log.dir, doomed)
    await this.#fs.syncDir(entry.logDir)
    const job = {
      timer: setTimeout(() => { void job.run() }, timerDelay(entry.log.config.fileDeleteDelayMs) ?? 0),
      run: async () => {
        this.#pendingDirDeletes.delete(job)
        clearTimeout(job.timer)
        try {
          await this.#fs.rm(doomed)
        } catch (err) {
          this.#logger.warn({ err, dir: doomed }, 'removing a deleted partition failed; it goes at the next start')
        }
      }
    }
    job.timer.unref()
    this.#pendingDirDeletes.add(job)
  }

  /** Writes every checkpoint file of every log dir now. */
  async checkpoint (): Promise<void> {
    for (const logDir of this.#logDirs) {
      for (const name of [RECOVERY_POINT_CHECKPOINT, LOG_START_CHECKPOINT, HIGH_WATERMARK_CHECKPOINT, CLEANER_CHECKPOINT]) {
        await this.#checkpoint(logDir, name)
      }
    }
  }

  async #checkpoint (logDir: string, name: string): Promise<void> {
    let queue = this.#checkpointQueues.get(logDir)
    if (queue === undefined) {
      queue = new SerialQueue()
      this.#checkpointQueues.set(logDir, queue)
    }
    await queue.run(async () => {
      const entries: CheckpointEntry[] = []
      for (const [key, e] of this.#logs) {
        if (e.logDir !== logDir) continue
        const { topic, partition } = e.log
        let offset: number | undefined
        if (name === RECOVERY_POINT_CHECKPOINT) offset = e.log.recoveryPoint
        else if (name === LOG_START_CHECKPOINT) offset = e.log.logStartOffset
        else if (name === HIGH_WATERMARK_CHECKPOINT) offset = e.log.highWatermark
        else offset = this.#cleanerOffsets.get(key)
        if (offset !== undefined) entries.push({ topic, partition, offset })
      }
      await writeCheckpoint(this.#fs, logDir, name, entries)
    })
  }

  /** One retention pass over every log (the scheduler calls it; tests call it directly). */
  async runRetention (now = this.#clock()): Promise<number> {
    let deleted = 0
    for (const log of this.logs()) {
      if (this.#closed) break
      if (this.#moving.has(checkpointKey(log.topic, log.partition))) continue
      try {
        deleted += await log.deleteOldSegments(now)
      } catch (err) {
        this.#logger.error({ err, topic: log.topic, partition: log.partition }, 'retention failed for a log')
      }
    }
    return deleted
  }

  /**
   * One cleaner pass: compacts the log with the highest dirty ratio at or above its
   * min.cleanable.dirty.ratio (or past max.compaction.lag.ms). Null when none qualified.
   */
  async runCleaner (now = this.#clock()): Promise<CleanerStats | null> {
    let best: { log: Log, ratio: number, firstDirty: number } | null = null
    for (const [key, e] of this.#logs) {
      if (this.#moving.has(key)) continue
      const log = e.log
      if (!log.config.cleanupPolicy.includes('compact')) continue
      const firstDirty = Math.max(this.#cleanerOffsets.get(key) ?? log.logStartOffset, log.logStartOffset)
      const ratio = this.#cleaner.dirtyRatio(log, firstDirty)
      if (ratio === null) continue
      const due = ratio >= log.config.minCleanableDirtyRatio || this.#cleaner.pastMaxLag(log, firstDirty, now)
      if (due && (best === null || ratio > best.ratio)) best = { log, ratio, firstDirty }
    }
    if (best === null) return null
    const stats = await this.#cleaner.clean(best.log, best.firstDirty, now)
    const entry = [...this.#logs.entries()].find(([, e]) => e.log === best.log)
    if (entry !== undefined) {
      this.#cleanerOffsets.set(entry[0], stats.nextDirtyOffset)
      await this.#checkpoint(entry[1].logDir, CLEANER_CHECKPOINT)
    }
    return stats
  }

  #startScheduler (): void {
    const intervals = this.#intervals
    if (intervals === null) return
    const every = (ms: number, what: string, task: () => Promise<unknown>): void => {
      const delay = timerDelay(ms)
      if (delay === null) return
      let running = false
      const timer = setInterval(() => {
        if (running || this.#closed) return
        running = true
        const run = task().catch((err: unknown) => {
          this.#logger.error({ err }, `${what} failed`)
        }).finally(() => { running = false })
        this.#background = this.#background.then(async () => { await run })
      }, Math.max(1, delay))
      timer.unref()
      this.#timers.push(timer)
    }
    every(intervals.retentionCheckMs, 'retention', async () => await this.runRetention())
    every(intervals.recoveryPointCheckpointMs, 'recovery point checkpoint', async () => {
      for (const d of this.#logDirs) await this.#checkpoint(d, RECOVERY_POINT_CHECKPOINT)
    })
    every(intervals.logStartCheckpointMs, 'log start checkpoint', async () => {
      for (const d of this.#logDirs) await this.#checkpoint(d, LOG_START_CHECKPOINT)
    })
    every(intervals.highWatermarkCheckpointMs, 'high watermark checkpoint', async () => {
      for (const d of this.#logDirs) await this.#checkpoint(d, HIGH_WATERMARK_CHECKPOINT)
    })
    every(intervals.cleanerBackoffMs, 'cleaner', async () => {
      // Keep cleaning while some log qualifies, one log at a time.
      while (!this.#closed && await this.runCleaner() !== null) { /* next log */ }
    })
  }

  #checkOpen (): void {
    if (!this.#opened || this.#closed) throw new Error('BROOK_STORAGE_STATE: LogManager is not open')
  }

  /** Flushes every log, writes the checkpoints and, where every log closed cleanly, the clean-shutdown marker. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const t of this.#timers) clearInterval(t)
    await this.#background
    const unclean = new Set<string>()
    const summaries = new Map<string, LogSummary[]>(this.#logDirs.map((d) => [d, []]))
    const entries = [...this.#logs.values()]
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < entries.length) {
        const e = entries[next++]!
        try {
          await e.log.close()
          if (!e.log.isClean) unclean.add(e.logDir)
          const summary = e.log.summary()
          if (summary !== null) summaries.get(e.logDir)?.push(summary)
        } catch (err) {
          unclean.add(e.logDir)
          this.#logger.error({ err, topic: e.log.topic, partition: e.log.partition }, 'closing a log failed')
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.#loadConcurrency, entries.length) }, worker))
    for (const job of [...this.#pendingDirDeletes]) await job.run()
    for (const logDir of this.#logDirs) {
      try {
        for (const name of [RECOVERY_POINT_CHECKPOINT, LOG_START_CHECKPOINT, HIGH_WATERMARK_CHECKPOINT, CLEANER_CHECKPOINT]) {
          await this.#checkpoint(logDir, name)
        }
        if (!unclean.has(logDir)) {
          await writeLogDirSummary(this.#fs, logDir, summaries.get(logDir) ?? [])
          await writeFileAtomic(this.#fs, logDir, CLEAN_SHUTDOWN_MARKER, encodeCheckpoint([]))
        }
      } catch (err) {
        this.#logger.error({ err, logDir, code: errorCode(err) }, 'writing checkpoints at close failed; the next start recovers')
      }
    }
    await this.#pool.closeAll()
  }

  /** Tests: stop everything without flushing or writing the marker (a crashed process). */
  async abandon (): Promise<void> {
    this.#closed = true
    for (const t of this.#timers) clearInterval(t)
    for (const job of this.#pendingDirDeletes) clearTimeout(job.timer)
    for (const e of this.#logs.values()) await e.log.abandon()
  }
}
