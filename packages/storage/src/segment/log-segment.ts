// One segment of a partition log: `<base>.log` holding record batches back to back exactly as
// appended (only baseOffset and partitionLeaderEpoch patched by the writer), and its two sparse
// indexes (offset-index.ts, time-index.ts), held in memory and persisted beside it.
//
// `size` is the end of the last completed write: readers never look past it, so a write in
// flight is invisible until it has fully landed. Only the partition's single writer calls the
// mutating methods (write, truncateTo, recover, onBecomeInactive); reads run concurrently.
// Recovery rule: recover() re-reads the whole file, checks framing, offsets and CRC of every
// batch, truncates at the first bad one and rebuilds both indexes from what remains.
import {
  BATCH_LENGTH, LAST_OFFSET_DELTA, LOG_OVERHEAD, MAX_TIMESTAMP, MIN_BATCH_LENGTH, batchBaseOffset
} from '@brook/protocol'
import type { FileHandle, FileSystem } from '../fs/file-system.js'
import { errorCode, writeFileAtomic } from '../fs/file-system.js'
import type { HandlePool, PooledFile } from '../fs/handle-pool.js'
import type { Logger } from '@brook/common'
import { type LogObserver, StorageError } from '../types.js'
import { type PersistableIndex, persistIndex, readIndexFile } from './index-file.js'
import { OFFSET_INDEX_ENTRY_SIZE, OffsetIndex } from './offset-index.js'
import { type ScanEnd, type ScannedBatch, scanBatches } from './batch-scan.js'
import {
  LOG_EXT, OFFSET_INDEX_EXT, type SegmentExt, type StatusSuffix, TIME_INDEX_EXT, TXN_INDEX_EXT, segmentFileName
} from './segment-files.js'
import { TIME_INDEX_ENTRY_SIZE, TimeIndex } from './time-index.js'
import { TailCache } from './tail-cache.js'

export interface SegmentSettings {
  indexIntervalBytes: number
  /** segment.index.bytes / 8 */
  maxIndexEntries: number
  /** segment.index.bytes / 12 */
  maxTimeIndexEntries: number
}

export function segmentSettings (indexIntervalBytes: number, segmentIndexBytes: number): SegmentSettings {
  return {
    indexIntervalBytes,
    maxIndexEntries: Math.max(1, Math.floor(segmentIndexBytes / OFFSET_INDEX_ENTRY_SIZE)),
    maxTimeIndexEntries: Math.max(1, Math.floor(segmentIndexBytes / TIME_INDEX_ENTRY_SIZE))
  }
}

export interface SegmentContext {
  fs: FileSystem
  pool: HandlePool
  logger: Logger
  observer?: LogObserver
}

/** A read from one segment: whole batches (possibly none when limits cut the first one off). */
export interface SegmentRead {
  chunk: Buffer | null
  /** Base offset of the first batch at or past the requested offset. */
  firstOffset: number
}

/** Bytes read to walk batch headers from an index entry to the wanted batch (index.interval.bytes is 4 KiB). */
const LOCATE_CHUNK = 8 * 1024
const SCAN_CHUNK = 1024 * 1024
const LOOKUP_CHUNK = 64 * 1024
/**
 * Writes up to this size go out on the event loop's own thread: copying a few KiB into the page
 * cache costs less than handing the write to the thread pool and waking the loop afterwards.
 */
const SYNC_WRITE_MAX_BYTES = 64 * 1024

export class LogSegment implements PooledFile {
  readonly baseOffset: number
  readonly dir: string
  readonly #ctx: SegmentContext
  settings: SegmentSettings
  suffix: StatusSuffix = ''
  /** Readable bytes: the end of the last completed write. */
  size: number
  /** Exclusive bound on the offsets held; exact for the active segment (the next offset to assign). */
  nextOffset: number
  /** Largest batch maxTimestamp (-1: none), and the last offset of the batch that first reached it. */
  maxTimestamp = -1
  offsetOfMaxTimestamp: number
  /** The first batch's maxTimestamp: segment.ms counts from it (Kafka's rollingBasedTimestamp). */
  rollingBasedTimestamp: number | null = null
  /** Wall clock at creation or load: segment.ms for segments without timestamps. */
  created: number
  bytesSinceLastIndexEntry = 0
  /**
   * Log bytes written since the last completed fsync. It stays set while an fsync is in flight,
   * so a concurrent flush (a group commit beside a roll) syncs too instead of trusting one that
   * may still fail.
   */
  dirty = false
  /** Writes so far: a flush clears `dirty` only if none came in during its fsync. */
  #writes = 0
  active = false
  /** Taken out of the log (retention, truncation, compaction); files go after a delay. */
  deleted = false
  /**
   * The index files on disk match memory and are fsynced. An inactive segment whose indexes are
   * not durable must not fall below the recovery point (it would be trusted after a crash).
   */
  indexesDurable = true
  #offsetIndex: OffsetIndex | null = null
  #timeIndex: TimeIndex | null = null
  #loading: Promise<void> | null = null
  /** The file was made again by open(): its directory entry is fsynced with the next flush. */
  #directoryPending = false
  /** createLazily: the file is made by the first open(), as expected. */
  #fileExpectedMissing = false
  /** Recent writes while the active segment is read at its end (tail-cache.ts). */
  readonly tail = new TailCache()

  constructor (ctx: SegmentContext, dir: string, baseOffset: number, size: number, settings: SegmentSettings, now: number) {
    this.#ctx = ctx
    this.dir = dir
    this.baseOffset = baseOffset
    this.size = size
    this.nextOffset = baseOffset
    this.offsetOfMaxTimestamp = baseOffset
    this.settings = settings
    this.created = now
  }

  /** Creates an empty segment file (the caller makes the directory entry durable). */
  /**
   * An empty segment whose file is made on first use (open()): a new partition costs no file
   * creation until something is written or read.
   */
  static createLazily (ctx: SegmentContext, dir: string, baseOffset: number, settings: SegmentSettings, now: number): LogSegment {
    const seg = new LogSegment(ctx, dir, baseOffset, 0, settings, now)
    seg.#offsetIndex = new OffsetIndex(baseOffset, settings.maxIndexEntries)
    seg.#timeIndex = new TimeIndex(baseOffset, settings.maxTimeIndexEntries)
    seg.#fileExpectedMissing = true
    return seg
  }

  /** `stale`: index files of an earlier segment at this base may be there (not in a new directory). */
  static async create (ctx: SegmentContext, dir: string, baseOffset: number, settings: SegmentSettings, now: number, suffix: StatusSuffix = '', stale = true): Promise<LogSegment> {
    const seg = new LogSegment(ctx, dir, baseOffset, 0, settings, now)
    seg.suffix = suffix
    const fh = await ctx.fs.open(seg.path, 'w+')
    await fh.close()
    seg.#offsetIndex = new OffsetIndex(baseOffset, settings.maxIndexEntries)
    seg.#timeIndex = new TimeIndex(baseOffset, settings.maxTimeIndexEntries)
    if (stale) {
      for (const ext of [OFFSET_INDEX_EXT, TIME_INDEX_EXT, TXN_INDEX_EXT] as const) {
        await ctx.fs.rm(seg.filePath(ext))
      }
    }
    return seg
  }

  filePath (ext: SegmentExt, suffix: StatusSuffix = this.suffix): string {
    return `${this.dir}/${segmentFileName(this.baseOffset, ext, suffix)}`
  }

  get path (): string { return this.filePath(LOG_EXT) }
  get indexesLoaded (): boolean { return this.#offsetIndex !== null && this.#timeIndex !== null }
  get memoryBytes (): number { return (this.#offsetIndex?.memoryBytes ?? 0) + (this.#timeIndex?.memoryBytes ?? 0) }

  /**
   * The pool's opener. An empty segment's file may be missing: made with a partition directory
   * whose entries were not durable yet when the power went. It is made again, and the directory
   * fsynced with the next flush.
   */
  async open (): Promise<FileHandle> {
    try {
      return await this.#ctx.fs.open(this.path, 'r+')
    } catch (err) {
      if (errorCode(err) !== 'ENOENT' || this.size !== 0 || this.suffix !== '') throw err
      if (!this.#fileExpectedMissing) this.#ctx.logger.warn({ segment: this.path }, 'empty segment file missing; creating it again')
      const fh = await this.#ctx.fs.open(this.path, 'w+')
      this.#directoryPending = true
      return fh
    }
  }

  async withHandle<T> (fn: (fh: FileHandle) => Promise<T>): Promise<T> {
    return await this.#ctx.pool.use(this, fn)
  }

  /** Pool eviction: an inactive segment drops its indexes once they are safely on disk. */
  onEvict (): void {
    if (this.active || this.#loading !== null) return
    const oi = this.#offsetIndex
    const ti = this.#timeIndex
    if (oi !== null && ti !== null && oi.persistedEntries === oi.entries && ti.persistedEntries === ti.entries &&
      oi.fileEntries === oi.entries && ti.fileEntries === ti.entries) {
      this.#offsetIndex = null
      this.#timeIndex = null
    }
  }

  async offsetIndex (): Promise<OffsetIndex> {
    if (this.#offsetIndex === null) await this.#load()
    return this.#offsetIndex!
  }

  async timeIndex (): Promise<TimeIndex> {
    if (this.#timeIndex === null) await this.#load()
    return this.#timeIndex!
  }

  async #load (): Promise<void> {
    if (this.#loading === null) {
      this.#loading = this.#loadIndexes().finally(() => { this.#loading = null })
    }
    await this.#loading
  }

  /** Loads both index files, rebuilding them from the log when missing or failing their checks. */
  async #loadIndexes (): Promise<void> {
    const { fs, logger } = this.#ctx
    const oBuf = await readIndexFile(fs, this.filePath(OFFSET_INDEX_EXT))
    const tBuf = await readIndexFile(fs, this.filePath(TIME_INDEX_EXT))
    if (oBuf === null && tBuf === null && this.size === 0) {
      // An empty segment's indexes were never written (persistIndex writes no empty file).
      this.#offsetIndex = new OffsetIndex(this.baseOffset, this.settings.maxIndexEntries)
      this.#timeIndex = new TimeIndex(this.baseOffset, this.settings.maxTimeIndexEntries)
      return
    }
    const oi = oBuf === null ? null : OffsetIndex.decode(oBuf, this.baseOffset, this.settings.maxIndexEntries, this.size)
    const ti = tBuf === null ? null : TimeIndex.decode(tBuf, this.baseOffset, this.settings.maxTimeIndexEntries, this.nextOffset)
    if (oi !== null && ti !== null) {
      this.#offsetIndex = oi
      this.#timeIndex = ti
      return
    }
    logger.warn({ segment: this.path, offsetIndex: oBuf === null ? 'missing' : oi === null ? 'corrupt' : 'ok', timeIndex: tBuf === null ? 'missing' : ti === null ? 'corrupt' : 'ok' },
      'rebuilding segment indexes from the log')
    await this.rebuildIndexes(false)
  }

  /** Applies one written batch to the indexes and the segment's running figures. */
  indexBatch (position: number, size: number, baseOffset: number, lastOffset: number, maxTimestamp: number): void {
    const oi = this.#offsetIndex!
    const ti = this.#timeIndex!
    if (position === 0) this.rollingBasedTimestamp = maxTimestamp
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp
      this.offsetOfMaxTimestamp = lastOffset
    }
    // Never fill an index past its bound: the writer rolls before the next append instead.
    if (this.bytesSinceLastIndexEntry > this.settings.indexIntervalBytes && !oi.isFull && !ti.isFull) {
      oi.append(baseOffset, position)
      ti.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp)
      this.bytesSinceLastIndexEntry = 0
    }
    this.bytesSinceLastIndexEntry += size
  }

  /**
   * Scans the whole file and rebuilds both indexes. With `verify`, checks CRCs and truncates the
   * file at the first bad batch; returns the bytes cut. Writer-only (or at load).
   */
  async rebuildIndexes (verify: boolean): Promise<number> {
    this.#offsetIndex = new OffsetIndex(this.baseOffset, this.settings.maxIndexEntries)
    this.#timeIndex = new TimeIndex(this.baseOffset, this.settings.maxTimeIndexEntries)
    this.#offsetIndex.fileEntries = Number.MAX_SAFE_INTEGER
    this.#timeIndex.fileEntries = Number.MAX_SAFE_INTEGER
    this.maxTimestamp = -1
    this.offsetOfMaxTimestamp = this.baseOffset
    this.bytesSinceLastIndexEntry = 0
    this.rollingBasedTimestamp = null
    let next = this.baseOffset
    const end = await this.withHandle(async (fh) => {
      const fileSize = await fh.size()
      const result = await scanBatches(fh, 0, fileSize, { verifyCrc: verify, chunkSize: SCAN_CHUNK, minOffset: this.baseOffset }, (b) => {
        if (b.lastOffset - this.baseOffset > 0x7fffffff) return false
        this.indexBatch(b.position, b.size, b.baseOffset, b.lastOffset, b.maxTimestamp)
        next = b.lastOffset + 1
      })
      if (verify && result.position < fileSize) {
        this.#ctx.logger.warn({ segment: this.path, position: result.position, fileSize, problem: result.problem ?? 'offset overflow' },
          'truncating an invalid tail of the segment')
        await fh.truncate(result.position)
        await fh.sync()
      } else if (result.problem !== null) {
        this.#ctx.logger.error({ segment: this.path, position: result.position, problem: result.problem },
          'invalid batch inside a segment below the recovery point; indexing stops there')
      }
      return { fileSize, position: result.position }
    })
    // As Kafka's recover: the time index ends with the segment's largest timestamp.
    if (this.maxTimestamp >= 0) this.#timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp, true)
    const cut = verify ? end.fileSize - end.position : 0
    if (verify) {
      this.size = end.position
      this.nextOffset = next
    } else {
      this.size = end.fileSize
      this.nextOffset = Math.max(this.nextOffset, next)
    }
    await this.#writeIndexesWhole()
    return cut
  }

  /**
   * A rebuild writes each index file whole and atomically (temp file, fsync, rename, directory
   * fsync): cut short by a crash, it leaves the old file or none, never one that looks whole in
   * the page cache but never reached the disk. A later start would trust such a file, and a power
   * cut after some unrelated directory fsync would then leave it empty.
   */
  async #writeIndexesWhole (): Promise<void> {
    const indexes: Array<[PersistableIndex, SegmentExt]> = [[this.#offsetIndex!, OFFSET_INDEX_EXT], [this.#timeIndex!, TIME_INDEX_EXT]]
    for (const [index, ext] of indexes) {
      await writeFileAtomic(this.#ctx.fs, this.dir, segmentFileName(this.baseOffset, ext, this.suffix), index.encode(0, index.entries))
      index.persistedEntries = index.entries
      index.fileEntries = index.entries
    }
    this.indexesDurable = true
  }

  /**
   * After a clean shutdown: trusts the persisted indexes and reads only the tail after the last
   * offset index entry, to learn the next offset and any larger timestamp. A bad tail is cut.
   */
  async loadTail (): Promise<number> {
    const oi = await this.offsetIndex()
    const ti = await this.timeIndex()
    const last = ti.lastEntry()
    if (last.timestamp > this.maxTimestamp) {
      this.maxTimestamp = last.timestamp
      this.offsetOfMaxTimestamp = last.offset
    }
    // The indexed batch itself is re-read: if it is bad, the log ends at its base offset.
    let next = oi.lastOffset()
    let cut = 0
    await this.withHandle(async (fh) => {
      const fileSize = await fh.size()
      const start = oi.lastPosition()
      const result = await scanBatches(fh, start, fileSize, { verifyCrc: true, chunkSize: SCAN_CHUNK, minOffset: this.baseOffset }, (b) => {
        if (b.position === 0) this.rollingBasedTimestamp = b.maxTimestamp
        if (b.maxTimestamp > this.maxTimestamp) {
          this.maxTimestamp = b.maxTimestamp
          this.offsetOfMaxTimestamp = b.lastOffset
        }
        next = b.lastOffset + 1
      })
      if (result.position < fileSize) {
        this.#ctx.logger.warn({ segment: this.path, position: result.position, fileSize, problem: result.problem },
          'truncating an invalid tail of the segment')
        await fh.truncate(result.position)
        await fh.sync()
        cut = fileSize - result.position
      }
      this.size = result.position
      this.bytesSinceLastIndexEntry = result.position - start
    })
    this.nextOffset = next
    if (this.rollingBasedTimestamp === null && this.size > 0) {
      await this.withHandle(async (fh) => {
        await scanBatches(fh, 0, this.size, { verifyCrc: false, chunkSize: LOOKUP_CHUNK }, (b) => {
          this.rollingBasedTimestamp = b.maxTimestamp
          return false
        })
      })
    }
    return cut
  }

  /**
   * For an inactive segment at load: its largest timestamp from the time index's last entry (one
   * small read). False when the file is missing or unusable (the caller rebuilds the indexes).
   */
  async loadMaxTimestamp (): Promise<boolean> {
    const { fs } = this.#ctx
    let fh: FileHandle
    try {
      fh = await fs.open(this.filePath(TIME_INDEX_EXT), 'r')
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return false
      throw err
    }
    try {
      const size = await fh.size()
      if (size % TIME_INDEX_ENTRY_SIZE !== 0) return false
      if (size === 0) return true
      const buf = Buffer.alloc(TIME_INDEX_ENTRY_SIZE)
      await fh.read(buf, 0, TIME_INDEX_ENTRY_SIZE, size - TIME_INDEX_ENTRY_SIZE)
      const ts = Number(buf.readBigInt64BE(0))
      const offset = this.baseOffset + buf.readInt32BE(8)
      if (ts < 0 || offset < this.baseOffset || offset >= this.nextOffset) return false
      this.maxTimestamp = ts
      this.offsetOfMaxTimestamp = offset
      return true
    } finally {
      await fh.close()
    }
  }

  /**
   * Writes batches at the end of the file. On failure the bytes are cut off again (best effort)
   * and nothing of them becomes readable. The caller indexes the batches afterwards.
   */
  async write (buffers: readonly Buffer[], bytes: number): Promise<void> {
    // An active segment restored from a clean-shutdown summary reads its indexes on first write.
    if (this.#offsetIndex === null || this.#timeIndex === null) await this.#load()
    const position = this.size
    const open = bytes <= SYNC_WRITE_MAX_BYTES ? this.#ctx.pool.openNow(this) : null
    if (open !== null) {
      try {
        open.writevSync(buffers, position)
      } catch (err) {
        await this.#cutBack(open, position, err)
      }
    } else {
      await this.withHandle(async (fh) => {
        try {
          await fh.writev(buffers, position)
        } catch (err) {
          await this.#cutBack(fh, position, err)
        }
      })
    }
    this.dirty = true
    this.#writes++
    let pos = position
    for (const buf of buffers) {
      let at = 0
      while (at < buf.length) {
        const size = LOG_OVERHEAD + buf.readInt32BE(at + BATCH_LENGTH)
        const base = batchBaseOffset(buf, at)
        this.indexBatch(pos, size, base, base + buf.readInt32BE(at + LAST_OFFSET_DELTA), Number(buf.readBigInt64BE(at + MAX_TIMESTAMP)))
        pos += size
        at += size
      }
    }
    this.tail.add(buffers, bytes, position)
    this.size = position + bytes
  }

  /** A failed write's bytes are cut off again (best effort: recovery cuts them otherwise). */
  /**
   * Cuts a failed write's bytes off again and rethrows its error. When the cut fails too, bytes
   * are left past the end: a StorageError then, so the caller does not take the failure as one
   * that left no trace.
   */
  async #cutBack (fh: Pick<FileHandle, 'truncate'>, position: number, err: unknown): Promise<never> {
    let cut = true
    await fh.truncate(position).catch((cutErr: unknown) => {
      cut = false
      this.#ctx.logger.error({ segment: this.path, err: cutErr }, 'could not cut a failed write back; recovery will')
    })
    if (!cut) throw new StorageError('KAFKA_STORAGE_ERROR', `write to ${this.path} failed and could not be cut back`, { cause: err })
    throw err
  }

  /** fsyncs the log (when written since the last sync) and, with `indexes`, persists and fsyncs the indexes. */
  async flush (indexes: boolean): Promise<void> {
    if (this.dirty) {
      const writes = this.#writes
      await this.withHandle(async (fh) => { await fh.datasync() })
      if (this.#directoryPending) {
        await this.#ctx.fs.syncDir(this.dir)
        this.#directoryPending = false
      }
      if (this.#writes === writes) this.dirty = false
    }
    if (indexes) await this.persistIndexes(true)
  }

  async persistIndexes (sync: boolean): Promise<void> {
    const oi = this.#offsetIndex
    const ti = this.#timeIndex
    // A segment never written needs no index files: missing ones load as empty (#loadIndexes).
    if (this.size === 0 && this.suffix === '' && oi !== null && ti !== null && oi.entries === 0 && ti.entries === 0 && oi.fileEntries < 0 && ti.fileEntries < 0) return
    if (oi !== null) await persistIndex(this.#ctx.fs, this.filePath(OFFSET_INDEX_EXT), oi, sync)
    if (ti !== null) await persistIndex(this.#ctx.fs, this.filePath(TIME_INDEX_EXT), ti, sync)
    if (sync) this.indexesDurable = true
  }

  /** The segment stops being active: the time index gets its final (largest) entry. */
  async onBecomeInactive (): Promise<void> {
    const ti = await this.timeIndex()
    if (this.maxTimestamp >= 0) ti.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp, true)
    this.active = false
    this.indexesDurable = false
    this.tail.clear()
  }

  /**
   * The first batch whose last offset is >= offset, scanning headers from the index entry; null
   * when the segment holds no such batch. Its `buf` holds at least the header.
   */
  async #locate (fh: FileHandle, offset: number, end: number): Promise<ScannedBatch | null> {
    const oi = await this.offsetIndex()
    const start = oi.lookup(offset).position
    let found: ScannedBatch | null = null
    const result: ScanEnd = await scanBatches(fh, start, end, { verifyCrc: false, chunkSize: LOCATE_CHUNK, headersOnly: true }, (b) => {
      if (b.lastOffset >= offset) {
        found = b
        return false
      }
    })
    if (found === null && result.problem !== null) throw this.#corrupt(result.position, result.problem)
    return found
  }

  #corrupt (position: number, problem: string): StorageError {
    return new StorageError('KAFKA_STORAGE_ERROR', `segment ${this.path} is unreadable at ${position}: ${problem}`)
  }

  /**
   * Whole batches from the one holding `offset`: at most maxBytes (or the first batch whole
   * with minOneBatch), none at or past maxOffset. Null when no batch here reaches `offset`.
   * Two reads: the batch headers near the index entry (small), then exactly the answer, ending
   * on a batch boundary the index knows where it can. The chunk is a view of the buffer read
   * into (no copy).
   */
  async read (offset: number, maxBytes: number, maxOffset: number, minOneBatch: boolean,
    // oxlint-disable-next-line typescript/unbound-method -- Buffer.allocUnsafe does not use `this`
    allocate: (size: number) => Buffer = Buffer.allocUnsafe): Promise<SegmentRead | null> {
    const cached = this.tail.read(offset, maxBytes, maxOffset, minOneBatch)
    if (cached !== undefined) return cached
    const end = this.size
    const oi = await this.offsetIndex()
    const entry = oi.lookup(offset)
    if (entry.offset === offset && entry.position < end) {
      // The index names the batch starting at offset (the usual next fetch): one read.
      const fast = await this.#readFrom(entry.position, offset, end, maxBytes, maxOffset, minOneBatch, allocate)
      if (fast !== null) return fast
    }
    return await this.withHandle(async (fh) => {
      const first = await this.#locate(fh, offset, end)
      if (first === null) return null
      const firstOffset = first.baseOffset
      if (firstOffset >= maxOffset) return { chunk: null, firstOffset }
      const limit = minOneBatch ? Math.max(maxBytes, first.size) : maxBytes
      if (first.size > limit) return { chunk: null, firstOffset }
      const start = first.position
      let want = Math.min(end - start, limit)
      if (start + want < end) {
        // Stop at an indexed batch boundary rather than read a batch only to cut it off.
        const boundary = oi.floorPosition(start + want)
        if (boundary > start) want = boundary - start
      }
      const cached = first.buf.length - first.at >= want
      const buf = cached ? first.buf.subarray(first.at, first.at + want) : await readAt(fh, start, want, allocate)
      const to = extent(buf, 0, end - start, limit, maxOffset)
      return { chunk: to > 0 ? buf.subarray(0, to) : null, firstOffset }
    })
  }

  /**
   * Reads whole batches from `start`, where the batch based at `offset` begins; null when the
   * bytes there are not that batch (the caller falls back to a header walk).
   */
  async #readFrom (start: number, offset: number, end: number, maxBytes: number, maxOffset: number, minOneBatch: boolean,
    allocate: (size: number) => Buffer): Promise<SegmentRead | null> {
    const oi = await this.offsetIndex()
    return await this.withHandle(async (fh) => {
      let want = Math.min(end - start, Math.max(maxBytes, LOG_OVERHEAD + MIN_BATCH_LENGTH))
      if (start + want < end) {
        const boundary = oi.floorPosition(start + want)
        if (boundary > start) want = boundary - start
      }
      let buf = await readAt(fh, start, want, allocate)
      if (buf.length < LOG_OVERHEAD + MIN_BATCH_LENGTH || batchBaseOffset(buf, 0) !== offset) return null
      const size = LOG_OVERHEAD + buf.readInt32BE(BATCH_LENGTH)
      if (size < LOG_OVERHEAD + MIN_BATCH_LENGTH || size > end - start) return null
      if (offset >= maxOffset) return { chunk: null, firstOffset: offset }
      const limit = minOneBatch ? Math.max(maxBytes, size) : maxBytes
      if (size > limit) return { chunk: null, firstOffset: offset }
      // A first batch larger than maxBytes (minOneBatch): read it whole.
      if (size > buf.length) buf = await readAt(fh, start, size, allocate)
      const to = extent(buf, 0, end - start, limit, maxOffset)
      return { chunk: to > 0 ? buf.subarray(0, to) : null, firstOffset: offset }
    })
  }

  /**
   * The first batch at or past startingOffset whose maxTimestamp is >= timestamp, copied out;
   * null when none is in this segment.
   */
  async findBatchByTimestamp (timestamp: number, startingOffset: number): Promise<Buffer | null> {
    const ti = await this.timeIndex()
    const oi = await this.offsetIndex()
    const from = oi.lookup(Math.max(ti.lookup(timestamp).offset, startingOffset)).position
    return await this.withHandle(async (fh) => {
      let found: Buffer | null = null
      const result = await scanBatches(fh, from, this.size, { verifyCrc: false, chunkSize: LOOKUP_CHUNK }, (b) => {
        if (b.lastOffset >= startingOffset && b.maxTimestamp >= timestamp) {
          found = Buffer.from(b.buf.subarray(b.at, b.at + b.size))
          return false
        }
      })
      if (found === null && result.problem !== null) throw this.#corrupt(result.position, result.problem)
      return found
    })
  }

  /** The batch whose last offset is `lastOffset` (or the first after it), copied out. */
  async findBatchByLastOffset (lastOffset: number): Promise<Buffer | null> {
    return await this.withHandle(async (fh) => {
      const b = await this.#locate(fh, lastOffset, this.size)
      if (b === null) return null
      return Buffer.from(b.buf.subarray(b.at, b.at + b.size))
    })
  }

  /**
   * Visits every batch (no CRC check), in order; for the cleaner, the leader-epoch rebuild and
   * tests. With headersOnly, a batch's bytes past its header may be missing from `buf`.
   */
  async forEachBatch (visit: (batch: ScannedBatch) => boolean | void | Promise<boolean | void>, headersOnly = false): Promise<void> {
    await this.withHandle(async (fh) => {
      const result = await scanBatches(fh, 0, this.size, { verifyCrc: false, chunkSize: SCAN_CHUNK, headersOnly }, visit)
      if (result.problem !== null) throw this.#corrupt(result.position, result.problem)
    })
  }

  /**
   * Removes every batch whose last offset is >= offset (a batch holding offset goes whole).
   * Returns the bytes cut. Writer-only; fsyncs the file and the indexes.
   */
  async truncateTo (offset: number): Promise<number> {
    if (offset >= this.nextOffset && this.active) return 0
    this.tail.clear()
    const cutAt = await this.withHandle(async (fh) => {
      const b = await this.#locate(fh, offset, this.size)
      if (b === null) return this.size
      await fh.truncate(b.position)
      await fh.sync()
      return b.position
    })
    const cut = this.size - cutAt
    if (cut === 0) return 0
    this.size = cutAt
    const oi = await this.offsetIndex()
    const ti = await this.timeIndex()
    oi.truncate(offset, cutAt)
    ti.truncate(offset)
    oi.fileEntries = Math.max(oi.fileEntries, oi.entries + 1)
    ti.fileEntries = Math.max(ti.fileEntries, ti.entries + 1)
    await this.persistIndexes(true)
    this.bytesSinceLastIndexEntry = 0
    if (this.size === 0) this.rollingBasedTimestamp = null
    // The largest timestamp: the time index's last entry, then anything after it.
    const last = ti.lastEntry()
    this.maxTimestamp = last.timestamp
    this.offsetOfMaxTimestamp = last.offset
    await this.withHandle(async (fh) => {
      await scanBatches(fh, oi.lookup(last.offset).position, this.size, { verifyCrc: false, chunkSize: SCAN_CHUNK }, (b) => {
        if (b.maxTimestamp > this.maxTimestamp) {
          this.maxTimestamp = b.maxTimestamp
          this.offsetOfMaxTimestamp = b.lastOffset
        }
      })
    })
    return cut
  }

  /** The offset after the last batch, read from the tail (the base offset when empty). */
  async readNextOffset (): Promise<number> {
    if (this.size === 0) return this.baseOffset
    const oi = await this.offsetIndex()
    // The indexed batch itself is re-read: if it is bad, the log ends at its base offset.
    let next = oi.lastOffset()
    await this.withHandle(async (fh) => {
      const result = await scanBatches(fh, oi.lastPosition(), this.size, { verifyCrc: false, chunkSize: LOOKUP_CHUNK }, (b) => { next = b.lastOffset + 1 })
      if (result.problem !== null) throw this.#corrupt(result.position, result.problem)
    })
    return next
  }

  /** Renames every file of the segment to carry `suffix`. */
  async changeSuffix (suffix: StatusSuffix): Promise<void> {
    const { fs } = this.#ctx
    for (const ext of [LOG_EXT, OFFSET_INDEX_EXT, TIME_INDEX_EXT, TXN_INDEX_EXT] as const) {
      const from = this.filePath(ext)
      const to = this.filePath(ext, suffix)
      try {
        await fs.rename(from, to)
      } catch (err) {
        // Index files may not exist yet (never flushed); the log file must, unless never written.
        if (!(errorCode(err) === 'ENOENT' && (ext !== LOG_EXT || this.size === 0))) throw err
      }
    }
    this.suffix = suffix
  }

  /** Closes the handle and unlinks every file of the segment. */
  async deleteFiles (): Promise<void> {
    await this.#ctx.pool.close(this)
    for (const ext of [LOG_EXT, OFFSET_INDEX_EXT, TIME_INDEX_EXT, TXN_INDEX_EXT] as const) {
      await this.#ctx.fs.rm(this.filePath(ext))
    }
  }

  async closeHandle (): Promise<void> {
    await this.#ctx.pool.close(this)
  }
}

async function readAt (fh: FileHandle, position: number, length: number,
  // oxlint-disable-next-line typescript/unbound-method -- Buffer.allocUnsafe does not use `this`
  allocate: (size: number) => Buffer = Buffer.allocUnsafe): Promise<Buffer> {
  const buf = allocate(Math.max(0, length))
  const n = length > 0 ? await fh.read(buf, 0, length, position) : 0
  return n === buf.length ? buf : buf.subarray(0, n)
}

/** Walks whole batches in buf from `at` while they fit `limit` bytes and start below maxOffset; returns the end. */
function extent (buf: Buffer, at: number, fileEnd: number, limit: number, maxOffset: number): number {
  let pos = at
  while (pos < fileEnd && pos + LOG_OVERHEAD <= buf.length) {
    const size = LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH)
    if (size < LOG_OVERHEAD + MIN_BATCH_LENGTH) break
    if (pos - at + size > limit || pos + size > buf.length) break
    if (batchBaseOffset(buf, pos) >= maxOffset) break
    pos += size
  }
  return pos
}
