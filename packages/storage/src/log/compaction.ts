// The log cleaner (cleanup.policy=compact, or compact,delete): keeps the last record per key.
//
// One pass over a log, as Kafka's Cleaner:
//   1. Range: the dirty section starts at the cleaner checkpoint (first dirty offset) and ends at
//      the first uncleanable offset: the active segment's base, the last stable offset (so no
//      open transaction, nor one whose markers are not yet below the high watermark, is touched),
//      or the first segment still younger than min.compaction.lag.ms, whichever is lowest; only
//      whole segments count. Dirty ratio = dirty bytes / (clean + dirty bytes).
//   2. Offset map: key -> last offset, over the dirty section (capped; the section then ends at
//      the last segment mapped in full). Batches of aborted transactions (known from the
//      segments' .txnindex, see cleaner-txn.ts) are not mapped.
//   3. Every segment from the log start to the end of the mapped section is rewritten in groups
//      (a group fits segment.bytes and 32-bit relative offsets) into `<base>.log.cleaned`:
//        - a batch of an aborted transaction loses every record;
//        - another record survives if its offset is past the map, or it is the latest for its key
//          and either has a value or its batch's delete horizon has not passed; keyless records go;
//        - a batch whose records all survive is copied byte for byte; otherwise it is rebuilt with
//          the same base offset, last offset delta, producer id/epoch, base sequence and flags;
//        - a batch holding tombstones and no delete horizon gets one: now + delete.retention.ms;
//        - a data batch left empty is kept (empty) when it is its producer's last data batch in
//          the section, or the last batch of the pass, so sequence state and the last offset survive;
//        - a transaction marker stays while data of its transaction was met in this pass; once
//          none was, it gets a delete horizon (now + delete.retention.ms), and a pass after that
//          horizon drops it (unless it is the last batch of the pass: then it stays as it is);
//        - the .txnindex entries of aborted transactions whose ABORT marker stays (their data
//          was met) are written to the cleaned segment's `.txnindex`; the others are dropped.
//   4. Swap: the .cleaned files (.txnindex only when it has entries) are fsynced and renamed
//      `.swap` (log last); under the log's
//      writer the old segments become `.deleted` and the swap files take the normal names (log
//      last); the directory is fsynced. Recovery (log-loader.ts) finishes or drops a swap.
// The active segment is never touched.
import { buildBatch, decodeBatch, ATTRIBUTES, CONTROL_MASK, DELETE_HORIZON_MASK, PRODUCER_ID, TRANSACTIONAL_MASK, type RecordBatchHeader, type KafkaRecord } from '@brook/protocol'
import { isNever } from '../config.js'
import { LogSegment, type SegmentContext, segmentSettings } from '../segment/log-segment.js'
import { CLEANED_SUFFIX, DELETED_SUFFIX, LOG_EXT, OFFSET_INDEX_EXT, SWAP_SUFFIX, TIME_INDEX_EXT, TXN_INDEX_EXT, type StatusSuffix } from '../segment/segment-files.js'
import { type AbortedTxn, TransactionIndex } from '../producer-state/txn-index.js'
import { CleanerTxnState } from './cleaner-txn.js'
import type { Log } from './partition-log.js'

export interface CleanerStats {
  segmentsCleaned: number
  bytesRead: number
  bytesWritten: number
  recordsRead: number
  recordsRetained: number
  /** Where the next pass's dirty section starts (the cleaner checkpoint). */
  nextDirtyOffset: number
}

export interface CleanerOptions {
  ctx: SegmentContext
  clock: () => number
  /** Keys held in the offset map per pass (Kafka bounds it by log.cleaner.dedupe.buffer.size). */
  maxMapKeys?: number
}

interface Range {
  /** Segments from the log start to the end of the dirty section. */
  segments: LogSegment[]
  /** Index in `segments` of the first dirty one. */
  firstDirtyIndex: number
  cleanBytes: number
  dirtyBytes: number
  /** Exclusive end of the dirty section. */
  end: number
}

/** What one cleaning pass carries from batch to batch. */
interface PassState {
  map: Map<string, number>
  latestMapped: number
  lastBatchOfProducer: Map<bigint, number>
  now: number
  roundEnd: number
  stats: CleanerStats
  txns: CleanerTxnState
  carried: AbortedTxn[]
}

const WRITE_CHUNK = 1024 * 1024

export class Cleaner {
  readonly #ctx: SegmentContext
  readonly #clock: () => number
  readonly #maxMapKeys: number

  constructor (options: CleanerOptions) {
    this.#ctx = options.ctx
    this.#clock = options.clock
    this.#maxMapKeys = options.maxMapKeys ?? 2_000_000
  }

  #range (log: Log, firstDirty: number, now: number): Range | null {
    const segs = log.segments
    const config = log.config
    // Nothing at or past the first unstable offset: an open transaction's records stay as written.
    let firstUncleanable = Math.min(log.activeSegment.baseOffset, log.lastStableOffset)
    if (config.minCompactionLagMs > 0) {
      for (const seg of segs) {
        if (seg.maxTimestamp >= 0 && now - seg.maxTimestamp < config.minCompactionLagMs) {
          firstUncleanable = Math.min(firstUncleanable, seg.baseOffset)
          break
        }
      }
    }
    const included: LogSegment[] = []
    let firstDirtyIndex = -1
    let cleanBytes = 0
    let dirtyBytes = 0
    let end = -1
    for (let i = 0; i + 1 < segs.length; i++) {
      const seg = segs[i]!
      const upper = segs[i + 1]!.baseOffset
      if (upper > firstUncleanable) break
      if (upper <= log.logStartOffset) continue
      included.push(seg)
      if (upper <= firstDirty) {
        cleanBytes += seg.size
      } else {
        if (firstDirtyIndex < 0) firstDirtyIndex = included.length - 1
        dirtyBytes += seg.size
        end = upper
      }
    }
    if (firstDirtyIndex < 0) return null
    return { segments: included, firstDirtyIndex, cleanBytes, dirtyBytes, end }
  }

  /** dirty / (clean + dirty) over whole cleanable segments; null when nothing is cleanable. */
  dirtyRatio (log: Log, firstDirty: number, now = this.#clock()): number | null {
    const range = this.#range(log, firstDirty, now)
    if (range === null) return null
    const total = range.cleanBytes + range.dirtyBytes
    return total === 0 ? 0 : range.dirtyBytes / total
  }

  /** max.compaction.lag.ms: the oldest dirty data is older than this. */
  pastMaxLag (log: Log, firstDirty: number, now = this.#clock()): boolean {
    if (isNever(log.config.maxCompactionLagMs)) return false
    const range = this.#range(log, firstDirty, now)
    if (range === null) return false
    const first = range.segments[range.firstDirtyIndex]!
    const ts = first.rollingBasedTimestamp ?? first.maxTimestamp
    return ts >= 0 && now - ts > log.config.maxCompactionLagMs
  }

  async clean (log: Log, firstDirty: number, now = this.#clock()): Promise<CleanerStats> {
    const stats: CleanerStats = { segmentsCleaned: 0, bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsRetained: 0, nextDirtyOffset: firstDirty }
    const range = this.#range(log, firstDirty, now)
    if (range === null) return stats
    const map = new Map<string, number>()
    const lastBatchOfProducer = new Map<bigint, number>()
    // Every transaction with data below the range end is complete (the range stops at the LSO), but
    // its ABORT marker (and index entry) may lie in a later segment: search the indexes to the log end.
    const rangeStart = range.segments[0]!.baseOffset
    const aborted = (await log.abortedTransactions(rangeStart, log.logEndOffset)).filter((t) => t.firstOffset < range.end)
    const mapTxns = new CleanerTxnState(aborted)
    let mapEnd = range.end
    let mappedUpTo = range.firstDirtyIndex
    for (let i = range.firstDirtyIndex; i < range.segments.length; i++) {
      const seg = range.segments[i]!
      await seg.forEachBatch(async (b) => {
        if (b.lastOffset < firstDirty) return
        const decoded = await decodeBatch(b.buf.subarray(b.at, b.at + b.size), { verifyCrc: false })
        if (decoded.isControl) return
        const h = decoded.header
        if (mapTxns.onData(h.producerId, (h.attributes & TRANSACTIONAL_MASK) !== 0, b.lastOffset)) return
        for (const r of decoded.records) {
          if (r.key !== null && Number(r.offset) >= firstDirty) map.set(r.key.toString('latin1'), Number(r.offset))
        }
      })
      mappedUpTo = i + 1
      mapEnd = range.segments[i + 1]?.baseOffset ?? range.end
      if (map.size >= this.#maxMapKeys) break
    }
    const toClean = range.segments.slice(0, mappedUpTo)
    // Producers' last data batches within what is rewritten: their (possibly emptied) batches stay.
    for (const seg of toClean) {
      await seg.forEachBatch((b) => {
        const producerId = b.buf.readBigInt64BE(b.at + PRODUCER_ID)
        if (producerId >= 0n && (b.buf.readInt16BE(b.at + ATTRIBUTES) & CONTROL_MASK) === 0) lastBatchOfProducer.set(producerId, b.lastOffset)
      })
    }
    const latestMapped = mapEnd - 1
    // One state for the whole pass, fed in offset order across groups (a transaction may span them).
    const txns = new CleanerTxnState(aborted)
    for (const group of this.#groups(log, toClean, mapEnd)) {
      const upper = nextBase(log, group)
      const replacement = await this.#cleanGroup(log, group, {
        map, latestMapped, lastBatchOfProducer, now, roundEnd: mapEnd, groupEnd: upper, stats, txns, carried: []
      })
      if (replacement === null) break
      stats.segmentsCleaned += group.length
    }
    stats.nextDirtyOffset = mapEnd
    this.#ctx.logger.info({ topic: log.topic, partition: log.partition, ...stats }, 'log cleaned')
    return stats
  }

  /** Consecutive segments whose total fits segment.bytes and whose offsets fit 32 bits from the group base. */
  #groups (log: Log, segments: LogSegment[], end: number): LogSegment[][] {
    const groups: LogSegment[][] = []
    let current: LogSegment[] = []
    let bytes = 0
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!
      const upper = segments[i + 1]?.baseOffset ?? end
      const base = current[0]?.baseOffset ?? seg.baseOffset
      if (current.length > 0 && (bytes + seg.size > log.config.segmentBytes || upper - 1 - base > 0x7fffffff)) {
        groups.push(current)
        current = []
        bytes = 0
      }
      current.push(seg)
      bytes += seg.size
    }
    if (current.length > 0) groups.push(current)
    return groups
  }

  async #cleanGroup (log: Log, group: LogSegment[], p: PassState & { groupEnd: number }): Promise<LogSegment | null> {
    const { fs } = this.#ctx
    const settings = segmentSettings(log.config.indexIntervalBytes, log.config.segmentIndexBytes)
    const cleaned = await LogSegment.create(this.#ctx, log.dir, group[0]!.baseOffset, settings, this.#clock(), CLEANED_SUFFIX)
    let pending: Buffer[] = []
    let pendingBytes = 0
    const flushPending = async (): Promise<void> => {
      if (pendingBytes === 0) return
      await cleaned.write(pending, pendingBytes)
      pending = []
      pendingBytes = 0
    }
    let hasTxnIndex = false
    try {
      for (const seg of group) {
        if (seg.deleted) return await this.#abandon(cleaned)
        await seg.forEachBatch(async (b) => {
          const raw = b.buf.subarray(b.at, b.at + b.size)
          p.stats.bytesRead += b.size
          const out = await this.#filterBatch(log, raw, b.lastOffset, p)
          if (out === null) return
          pending.push(out)
          pendingBytes += out.length
          p.stats.bytesWritten += out.length
          if (pendingBytes >= WRITE_CHUNK) await flushPending()
        })
      }
      await flushPending()
      cleaned.nextOffset = p.groupEnd
      await cleaned.onBecomeInactive()
      cleaned.dirty = true
      await cleaned.flush(true)
      hasTxnIndex = await this.#writeTxnIndex(cleaned, p.carried)
      await this.#rename(cleaned, SWAP_SUFFIX, hasTxnIndex)
      await fs.syncDir(log.dir)
    } catch (err) {
      await this.#abandon(cleaned)
      throw err
    }
    const swapped = await log.replaceSegments(group, [cleaned], async () => {
      for (const seg of group) await seg.changeSuffix(DELETED_SUFFIX)
      await this.#rename(cleaned, '', hasTxnIndex)
      await fs.syncDir(log.dir)
    })
    if (!swapped) return await this.#abandon(cleaned)
    return cleaned
  }

  /** The carried aborted-transaction entries as the cleaned segment's .txnindex, fsynced; false when none. */
  async #writeTxnIndex (seg: LogSegment, carried: readonly AbortedTxn[]): Promise<boolean> {
    if (carried.length === 0) return false
    const index = TransactionIndex.empty(this.#ctx.fs, seg.filePath(TXN_INDEX_EXT), seg.baseOffset)
    for (const txn of carried) await index.append(txn)
    await index.flush()
    return true
  }

  /** Renames a new segment's files, indexes first: the log file's name is the commit point. */
  async #rename (seg: LogSegment, suffix: StatusSuffix, hasTxnIndex: boolean): Promise<void> {
    const { fs } = this.#ctx
    for (const ext of [OFFSET_INDEX_EXT, TIME_INDEX_EXT, TXN_INDEX_EXT, LOG_EXT] as const) {
      if (ext === TXN_INDEX_EXT && !hasTxnIndex) continue
      await fs.rename(seg.filePath(ext), seg.filePath(ext, suffix))
    }
    seg.suffix = suffix
  }

  async #abandon (seg: LogSegment): Promise<null> {
    await seg.deleteFiles()
    return null
  }

  /** The batch to write for `raw` (itself when untouched), or null to drop it. */
  async #filterBatch (log: Log, raw: Buffer, lastOffset: number, p: PassState): Promise<Buffer | null> {
    const decoded = await decodeBatch(raw, { verifyCrc: false })
    const h = decoded.header
    p.stats.recordsRead += decoded.records.length
    const horizon = (h.attributes & DELETE_HORIZON_MASK) !== 0 ? Number(h.baseTimestamp) : null
    if (decoded.isControl) {
      const marker = p.txns.onControl(h.producerId, decoded.records[0]?.key, lastOffset)
      if (marker.carry !== null) p.carried.push(marker.carry)
      // The last batch of the pass stays whatever it is: it keeps the cleaned range's last offset.
      if (marker.discardable && horizon !== null && horizon <= p.now && lastOffset + 1 !== p.roundEnd) return null
      p.stats.recordsRetained += decoded.records.length
      if (!marker.discardable || horizon !== null) return raw
      // Its transaction's data is gone: the marker goes one delete.retention.ms from now.
      return await rebuild(h, decoded.compression, decoded.timestampType, decoded.records, BigInt(p.now + log.config.deleteRetentionMs), true)
    }
    const abortedData = p.txns.onData(h.producerId, (h.attributes & TRANSACTIONAL_MASK) !== 0, lastOffset)
    const retainDeletes = horizon === null || p.now < horizon
    const kept = abortedData ? [] : decoded.records.filter((r) => retains(r, p.map, p.latestMapped, retainDeletes))
    p.stats.recordsRetained += kept.length
    const needsHorizon = horizon === null && kept.some((r) => r.value === null)
    // An empty batch (this pass emptied it, or an earlier one did) stays only for the reasons above.
    if (kept.length === 0) {
      const producerLast = h.producerId >= 0n && p.lastBatchOfProducer.get(h.producerId) === lastOffset
      if (!producerLast && lastOffset + 1 !== p.roundEnd) return null
    }
    if (kept.length === decoded.records.length && !needsHorizon) return raw
    return await rebuild(h, decoded.compression, decoded.timestampType, kept,
      needsHorizon ? BigInt(p.now + log.config.deleteRetentionMs) : (horizon === null ? undefined : BigInt(horizon)))
  }
}

function retains (r: KafkaRecord, map: Map<string, number>, latestMapped: number, retainDeletes: boolean): boolean {
  const offset = Number(r.offset)
  if (offset > latestMapped) return true
  if (r.key === null) return false
  const latest = map.get(r.key.toString('latin1'))
  const isLatest = latest === undefined || offset >= latest
  return isLatest && (r.value !== null || retainDeletes)
}

async function rebuild (h: RecordBatchHeader, compression: number, timestampType: number, kept: KafkaRecord[], deleteHorizonMs: bigint | undefined, control = false): Promise<Buffer> {
  return await buildBatch({
    records: kept.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers.map((x) => ({ key: x.key, value: x.value })),
      timestamp: r.timestamp,
      offsetDelta: Number(r.offset - h.baseOffset)
    })),
    baseOffset: h.baseOffset,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    compression,
    timestampType,
    transactional: (h.attributes & TRANSACTIONAL_MASK) !== 0,
    control,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    lastOffsetDelta: h.lastOffsetDelta,
    // LogAppendTime batches keep their append time; CreateTime ones take the survivors' largest.
    ...(timestampType === 1 || kept.length === 0 ? { maxTimestamp: h.maxTimestamp } : {}),
    ...(kept.length === 0 ? { baseTimestamp: h.baseTimestamp } : {}),
    ...(deleteHorizonMs === undefined ? {} : { deleteHorizonMs })
  })
}

function nextBase (log: Log, group: LogSegment[]): number {
  const last = group[group.length - 1]!
  const segs = log.segments
  const i = segs.indexOf(last)
  return segs[i + 1]?.baseOffset ?? last.nextOffset
}
