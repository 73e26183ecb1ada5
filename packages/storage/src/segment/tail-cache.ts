// The last bytes written to each active segment, kept in memory so that a consumer that is caught
// up (the usual long-poll fetch, woken by an append) is answered without a file read: no thread
// pool round trip per fetch. Only what a write has fully landed is cached, together with the
// position it was written at, so the cache always equals the file's bytes in [start, size).
// Entries are the appended buffers themselves (appenders hand them over: types.ts); a small view of
// a much larger buffer is copied, so what an entry pins is at most twice what it counts.
// Bounds: per segment (a lagging consumer falls back to the file) and for the whole LogManager,
// oldest entries first; truncation, recovery and roll drop a segment's entries.
import { BATCH_LENGTH, LAST_OFFSET_DELTA, LOG_OVERHEAD, MIN_BATCH_LENGTH, batchBaseOffset } from '@brook/protocol/records/record-batch'

/** Defaults: enough for long-poll fetches to stay in memory, small next to 10,000 partitions' indexes. */
export const TAIL_CACHE_TOTAL_BYTES = 64 * 1024 * 1024
export const TAIL_CACHE_SEGMENT_BYTES = 1024 * 1024

interface TailEntry {
  readonly owner: SegmentTail
  /** File position of buf[0]. */
  readonly position: number
  readonly buf: Buffer
  /** Base offset of the first batch in buf, and one past the last batch's last offset. */
  readonly firstOffset: number
  readonly nextOffset: number
  live: boolean
  /** Neighbours in the shared cache's age order (oldest first). */
  older: TailEntry | null
  newer: TailEntry | null
}

/** A read answered from memory: whole batches as one buffer, or none when limits cut the first. */
export interface TailRead {
  chunk: Buffer | null
  firstOffset: number
}

/** The budget shared by every segment of a LogManager. */
export class TailCache {
  readonly maxBytes: number
  readonly segmentBytes: number
  #bytes = 0
  #oldest: TailEntry | null = null
  #newest: TailEntry | null = null

  constructor (maxBytes = TAIL_CACHE_TOTAL_BYTES, segmentBytes = TAIL_CACHE_SEGMENT_BYTES) {
    this.maxBytes = Math.max(0, maxBytes)
    this.segmentBytes = Math.max(0, Math.min(segmentBytes, this.maxBytes))
  }

  get bytes (): number { return this.#bytes }

  admit (entry: TailEntry): void {
    entry.older = this.#newest
    if (this.#newest === null) this.#oldest = entry
    else this.#newest.newer = entry
    this.#newest = entry
    this.#bytes += entry.buf.length
    // Each segment's entries are admitted and dropped oldest first, so the oldest entry here is
    // also its owner's oldest.
    while (this.#bytes > this.maxBytes && this.#oldest !== null) this.#oldest.owner.dropOldest()
  }

  /** Unlinks an entry its owner dropped. */
  release (entry: TailEntry): void {
    if (entry.older === null) this.#oldest = entry.newer
    else entry.older.newer = entry.newer
    if (entry.newer === null) this.#newest = entry.older
    else entry.newer.older = entry.older
    entry.older = null
    entry.newer = null
    this.#bytes -= entry.buf.length
  }
}

/** One active segment's cached tail. */
export class SegmentTail {
  readonly #cache: TailCache
  #entries: TailEntry[] = []
  #first = 0
  #bytes = 0

  constructor (cache: TailCache) {
    this.#cache = cache
  }

  get bytes (): number { return this.#bytes }

  /** Records a completed write of `buf` at `position` (whole batches). */
  add (position: number, buf: Buffer): void {
    if (buf.length === 0 || buf.length > this.#cache.segmentBytes) {
      // Too large to keep: what was cached before is no longer the tail's contiguous end.
      this.clear()
      return
    }
    const last = this.#entries[this.#entries.length - 1]
    if (last !== undefined && last.live && last.position + last.buf.length !== position) this.clear()
    const kept = buf.buffer.byteLength > 2 * buf.length ? Buffer.from(buf) : buf
    let next = batchBaseOffset(kept, 0)
    for (let at = 0; at + LOG_OVERHEAD + MIN_BATCH_LENGTH <= kept.length; at += LOG_OVERHEAD + kept.readInt32BE(at + BATCH_LENGTH)) {
      next = batchBaseOffset(kept, at) + kept.readInt32BE(at + LAST_OFFSET_DELTA) + 1
    }
    const entry: TailEntry = { owner: this, position, buf: kept, firstOffset: batchBaseOffset(kept, 0), nextOffset: next, live: true, older: null, newer: null }
    this.#entries.push(entry)
    this.#bytes += kept.length
    this.#cache.admit(entry)
    while (this.#bytes > this.#cache.segmentBytes) this.dropOldest()
  }

  dropOldest (): void {
    const entry = this.#entries[this.#first]
    if (entry === undefined) return
    entry.live = false
    this.#first++
    this.#bytes -= entry.buf.length
    this.#cache.release(entry)
    if (this.#first === this.#entries.length) {
      this.#entries = []
      this.#first = 0
    } else if (this.#first > 64 && this.#first * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#first)
      this.#first = 0
    }
  }

  clear (): void {
    while (this.#first < this.#entries.length) this.dropOldest()
  }

  /**
   * Whole batches from the one holding `offset`, as LogSegment.read answers them, when the cache
   * holds that batch; undefined when it does not (the caller reads the file); null when no batch
   * of the segment reaches `offset`. `end` is the segment's readable size.
   */
  read (offset: number, end: number, maxBytes: number, maxOffset: number, minOneBatch: boolean): TailRead | null | undefined {
    const entries = this.#entries
    const n = entries.length
    if (this.#first >= n) return undefined
    const oldest = entries[this.#first]!
    const newest = entries[n - 1]!
    // The cache must end where the readable file ends, and hold the batch with `offset`.
    if (newest.position + newest.buf.length !== end || offset < oldest.firstOffset) return undefined
    if (offset >= newest.nextOffset) return null
    // The newest entry holding offset (entries are in offset order).
    let i = n - 1
    while (i > this.#first && entries[i]!.firstOffset > offset) i--
    if (offset >= entries[i]!.nextOffset) i++
    let entry = entries[i]!
    // A buffer patched again after it was handed over (appended twice) no longer matches the file.
    if (batchBaseOffset(entry.buf, 0) !== entry.firstOffset) {
      this.clear()
      return undefined
    }
    let at = 0
    while (batchBaseOffset(entry.buf, at) + entry.buf.readInt32BE(at + LAST_OFFSET_DELTA) < offset) {
      at += LOG_OVERHEAD + entry.buf.readInt32BE(at + BATCH_LENGTH)
    }
    const firstOffset = batchBaseOffset(entry.buf, at)
    if (firstOffset >= maxOffset) return { chunk: null, firstOffset }
    const firstSize = LOG_OVERHEAD + entry.buf.readInt32BE(at + BATCH_LENGTH)
    const limit = minOneBatch ? Math.max(maxBytes, firstSize) : maxBytes
    if (firstSize > limit) return { chunk: null, firstOffset }
    // Gather whole batches below maxOffset while they fit, across entries.
    const pieces: Buffer[] = []
    let total = 0
    let done = false
    for (;;) {
      const start = at
      while (at < entry.buf.length) {
        const size = LOG_OVERHEAD + entry.buf.readInt32BE(at + BATCH_LENGTH)
        if (total + size > limit || batchBaseOffset(entry.buf, at) >= maxOffset) {
          done = true
          break
        }
        total += size
        at += size
      }
      if (at > start) pieces.push(entry.buf.subarray(start, at))
      if (done || ++i >= n) break
      entry = entries[i]!
      if (batchBaseOffset(entry.buf, 0) !== entry.firstOffset) break
      at = 0
    }
    const chunk = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, total)
    return { chunk, firstOffset }
  }
}
