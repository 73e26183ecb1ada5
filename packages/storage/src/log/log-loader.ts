// Opens a partition directory into a Log (Kafka's LogLoader), recovering it when needed.
//
// Order of work:
//   1. leftovers: `.deleted` and `.cleaned` files are removed; a `.swap` group (complete cleaner
//      output) replaces every segment whose base offset lies in [swap base, swap next offset),
//      then loses its suffix; index files without a .log are removed.
//   2. every `<base>.log` becomes a segment, sized by stat.
//   3. after a clean shutdown (the log dir's marker): indexes are trusted; each inactive segment
//      reads only its time index's last entry; the active one scans its tail after the last
//      offset index entry (CRC-checked, a bad tail cut).
//      after an unclean stop: segments below the recovery point are handled as above; the one
//      holding the last offset below it and all later ones are re-read whole, CRC-checked, cut at the
//      first bad batch (later segments then deleted) and re-indexed; the result is fsynced so the
//      new recovery point (the log end) is true.
//   4. leader epochs: the leader-epoch-checkpoint is read (rebuilt from the batches' epochs when
//      missing or unreadable) and cut to [log start, log end); then producer state is loaded.
// Two shortcuts read no directory: createNewLog (a directory just made: one empty segment, no
// epochs, no producers) and restoreLog (a partition in the log dir's clean-shutdown summary).
import type { LogConfig } from '../types.js'
import type { LogSummary } from '../log-dir-summary.js'
import type { Logger } from '@brook/common'
import { LogSegment, type SegmentContext, segmentSettings } from '../segment/log-segment.js'
import { scanBatches } from '../segment/batch-scan.js'
import {
  CLEANED_SUFFIX, DELETED_SUFFIX, LOG_EXT, OFFSET_INDEX_EXT, SEGMENT_EXTS, SWAP_SUFFIX, TXN_INDEX_EXT, parseSegmentFileName, segmentFileName
} from '../segment/segment-files.js'
import { Log, type LogHooks } from './partition-log.js'

export interface LoadLogOptions {
  ctx: SegmentContext
  dir: string
  topic: string
  partition: number
  config: LogConfig
  /** The log dir had a clean-shutdown marker. */
  clean: boolean
  /** From the checkpoint files; undefined when not recorded. */
  recoveryPoint?: number
  logStartOffset?: number
  highWatermark?: number
  hooks?: LogHooks
  clock?: () => number
}

export async function loadLog (options: LoadLogOptions): Promise<Log> {
  const { ctx, dir, config } = options
  const { fs, logger } = ctx
  const now = (options.clock ?? Date.now)()
  // One listing of the partition directory, read again only when a repair step changed it.
  let names = await fs.readdir(dir)
  if (await removeLeftovers(ctx, dir, names)) names = await fs.readdir(dir)
  if (await completeSwaps(ctx, dir, names, logger)) names = await fs.readdir(dir)

  const logBases = new Set<number>()
  for (const name of names) {
    const parsed = parseSegmentFileName(name)
    if (parsed !== null && parsed.suffix === '' && parsed.ext === LOG_EXT) logBases.add(parsed.baseOffset)
  }
  for (const name of names) {
    const parsed = parseSegmentFileName(name)
    if (parsed !== null && parsed.suffix === '' && parsed.ext !== LOG_EXT && !logBases.has(parsed.baseOffset)) {
      await fs.rm(`${dir}/${name}`)
    }
  }
  const settings = segmentSettings(config.indexIntervalBytes, config.segmentIndexBytes)
  const bases = [...logBases].sort((a, b) => a - b)
  const segments: LogSegment[] = []
  for (const base of bases) {
    const size = (await fs.stat(`${dir}/${segmentFileName(base, LOG_EXT)}`)).size
    segments.push(new LogSegment(ctx, dir, base, size, settings, now))
  }
  for (let i = 0; i < segments.length; i++) {
    segments[i]!.nextOffset = segments[i + 1]?.baseOffset ?? Number.MAX_SAFE_INTEGER
  }
  let replayFrom: number | undefined
  if (segments.length === 0) {
    // Made on first use, and its directory entry fsynced with its first flush (LogSegment.open).
    const seg = LogSegment.createLazily(ctx, dir, options.logStartOffset ?? 0, settings, now)
    seg.active = true
    segments.push(seg)
  } else if (options.clean) {
    await loadTrusted(ctx, segments.slice(0, -1))
    segments[segments.length - 1]!.active = true
    await segments[segments.length - 1]!.loadTail()
  } else {
    replayFrom = await recover(ctx, dir, segments, options.recoveryPoint ?? 0, options)
  }
  const last = segments[segments.length - 1]!
  last.active = true
  const log = logOfSegments(options, segments)
  await log.loadLeaderEpochs()
  if (options.logStartOffset !== undefined && options.logStartOffset > log.logEndOffset) {
    // Data lost in a crash ended below a log start offset already promised (DeleteRecords,
    // retention): restart the log there so offsets never go back below it.
    logger.warn({ topic: options.topic, partition: options.partition, logStartOffset: options.logStartOffset, logEndOffset: log.logEndOffset },
      'log end below the checkpointed log start; restarting the log at the log start')
    await log.truncateFullyAndStartAt(options.logStartOffset)
  }
  await log.loadProducerState(replayFrom)
  return log
}

/**
 * A log in a directory the caller has just created (so empty): one empty segment whose file is
 * made on first use; the directory's entries are fsynced before the log's first data fsync.
 */
export function createNewLog (options: LoadLogOptions): Log {
  const { ctx, dir, config } = options
  const now = (options.clock ?? Date.now)()
  const start = options.logStartOffset ?? 0
  const seg = LogSegment.createLazily(ctx, dir, start, segmentSettings(config.indexIntervalBytes, config.segmentIndexBytes), now)
  seg.nextOffset = start
  const log = new Log({
    ctx, dir, topic: options.topic, partition: options.partition, config, segments: [seg], logStartOffset: start, recoveryPoint: start,
    highWatermark: options.highWatermark ?? 0, hooks: options.hooks, clock: options.clock, newDirectory: true
  })
  log.restoreState([])
  return log
}

/**
 * A log described by the clean-shutdown summary: built without reading its directory (indexes are
 * read on first use). Null when the summary does not fit the checkpoints (the caller loads it).
 */
export function restoreLog (options: LoadLogOptions, summary: LogSummary): Log | null {
  const { ctx, dir, config } = options
  const now = (options.clock ?? Date.now)()
  const settings = segmentSettings(config.indexIntervalBytes, config.segmentIndexBytes)
  const segments = summary.segments.map((s) => {
    const seg = new LogSegment(ctx, dir, s.baseOffset, s.size, settings, now)
    seg.nextOffset = s.nextOffset
    seg.maxTimestamp = s.maxTimestamp
    seg.offsetOfMaxTimestamp = s.offsetOfMaxTimestamp
    seg.rollingBasedTimestamp = s.rollingBasedTimestamp
    seg.bytesSinceLastIndexEntry = s.bytesSinceLastIndexEntry
    return seg
  })
  const last = segments[segments.length - 1]!
  if (options.logStartOffset !== undefined && options.logStartOffset > last.nextOffset) return null
  const log = logOfSegments(options, segments)
  return log.restoreState(summary.epochs) ? log : null
}

/**
 * The Log over segments found on disk or described by the summary: recovered up to the last
 * segment's end, starting at the checkpointed log start or else at the first segment.
 */
function logOfSegments (options: LoadLogOptions, segments: LogSegment[]): Log {
  return new Log({
    ctx: options.ctx,
    dir: options.dir,
    topic: options.topic,
    partition: options.partition,
    config: options.config,
    segments,
    logStartOffset: options.logStartOffset ?? segments[0]!.baseOffset,
    recoveryPoint: segments[segments.length - 1]!.nextOffset,
    highWatermark: options.highWatermark ?? 0,
    hooks: options.hooks,
    clock: options.clock
  })
}

/** Removes files a crash left half-deleted or half-cleaned; true when it removed any. */
async function removeLeftovers (ctx: SegmentContext, dir: string, names: readonly string[]): Promise<boolean> {
  let removed = false
  const swapLogs = new Set(names.map(parseSegmentFileName).filter((p) => p?.suffix === SWAP_SUFFIX && p.ext === LOG_EXT).map((p) => p!.baseOffset))
  for (const name of names) {
    const parsed = parseSegmentFileName(name)
    // A swap index without its swap log: the swap already completed (its log was renamed last).
    const strayIndexSwap = parsed?.suffix === SWAP_SUFFIX && parsed.ext !== LOG_EXT && !swapLogs.has(parsed.baseOffset)
    // An index rebuild cut short leaves its temp file (the rebuild runs again).
    const rebuildTemp = /^\d{20}\.(index|timeindex)(\.swap|\.cleaned)?\.tmp$/.test(name)
    if (parsed?.suffix === DELETED_SUFFIX || parsed?.suffix === CLEANED_SUFFIX || strayIndexSwap || rebuildTemp) {
      await ctx.fs.rm(`${dir}/${name}`)
      removed = true
    }
  }
  return removed
}

/** Finishes a cleaner swap interrupted by a crash; true when there was one. */
async function completeSwaps (ctx: SegmentContext, dir: string, names: readonly string[], logger: Logger): Promise<boolean> {
  const { fs } = ctx
  const swaps = names.map(parseSegmentFileName).filter((p) => p !== null && p.suffix === SWAP_SUFFIX && p.ext === LOG_EXT)
  if (swaps.length === 0) return false
  for (const swap of swaps) {
    const base = swap!.baseOffset
    const path = `${dir}/${segmentFileName(base, LOG_EXT, SWAP_SUFFIX)}`
    const fh = await fs.open(path, 'r')
    let next = base
    try {
      await scanBatches(fh, 0, await fh.size(), { verifyCrc: false, chunkSize: 1024 * 1024 }, (b) => { next = b.lastOffset + 1 })
    } finally {
      await fh.close()
    }
    // The swap files are renamed log last, so a `<base>.txnindex` with no `.txnindex.swap` beside
    // it is the cleaner's, already in place: it cannot be rebuilt from the log, so it stays. (Were
    // it the old segment's, its entries only name aborted ranges, which stay harmless.)
    const txnIndexRenamed = !names.includes(segmentFileName(base, TXN_INDEX_EXT, SWAP_SUFFIX))
    for (const name of names) {
      const p = parseSegmentFileName(name)
      if (p === null || p.suffix !== '' || p.baseOffset < base || p.baseOffset >= Math.max(next, base + 1)) continue
      if (txnIndexRenamed && p.baseOffset === base && p.ext === TXN_INDEX_EXT) continue
      await fs.rm(`${dir}/${name}`)
    }
    for (const ext of SEGMENT_EXTS) {
      const from = `${dir}/${segmentFileName(base, ext, SWAP_SUFFIX)}`
      if (await fs.exists(from)) await fs.rename(from, `${dir}/${segmentFileName(base, ext)}`)
    }
    logger.info({ dir, baseOffset: base, nextOffset: next }, 'completed an interrupted compaction swap')
  }
  await fs.syncDir(dir)
  return true
}

/** Segments below the recovery point: only their largest timestamp is read now, indexes lazily. */
async function loadTrusted (ctx: SegmentContext, segments: LogSegment[]): Promise<void> {
  for (const seg of segments) {
    const indexPresent = await ctx.fs.exists(seg.filePath(OFFSET_INDEX_EXT))
    if (!indexPresent || !await seg.loadMaxTimestamp()) {
      ctx.logger.warn({ segment: seg.path }, 'segment index missing or bad; rebuilding it from the log')
      await seg.rebuildIndexes(false)
    }
  }
}

/** Re-reads the segments from the one holding the last offset below the recovery point; returns that segment's base offset. */
async function recover (ctx: SegmentContext, dir: string, segments: LogSegment[], recoveryPoint: number, options: LoadLogOptions): Promise<number> {
  // From the segment holding the last offset below the recovery point: it may have been the
  // active one when the checkpoint was written, its indexes then incomplete on disk, and a roll
  // since then gave its time index the final entry only in memory.
  let first = 0
  for (let i = 0; i < segments.length; i++) if (segments[i]!.baseOffset <= Math.max(0, recoveryPoint - 1)) first = i
  await loadTrusted(ctx, segments.slice(0, first))
  let removed = false
  for (let i = first; i < segments.length; i++) {
    const seg = segments[i]!
    const cut = await seg.rebuildIndexes(true)
    if (cut > 0) {
      ctx.logger.warn({ topic: options.topic, partition: options.partition, segment: seg.path, bytes: cut }, 'recovery cut a torn or corrupt tail')
    }
    const next = segments[i + 1]
    if (next !== undefined && (cut > 0 || seg.nextOffset > next.baseOffset)) {
      // Nothing after a damaged point can be trusted to follow on from it.
      for (const doomed of segments.splice(i + 1)) {
        ctx.logger.warn({ segment: doomed.path }, 'recovery deletes a segment after a damaged one')
        for (const ext of SEGMENT_EXTS) await ctx.fs.rm(doomed.filePath(ext))
      }
      removed = true
    }
    seg.dirty = true
    await seg.flush(true)
  }
  if (removed) await ctx.fs.syncDir(dir)
  const last = segments[segments.length - 1]!
  last.active = true
  return segments[Math.min(first, segments.length - 1)]!.baseOffset
}
