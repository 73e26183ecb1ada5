// The newest bytes of an active segment, kept in memory so that a consumer waiting at the end of
// the log is answered from them instead of from the file: a linger-0 producer and a consumer at
// the tail otherwise cost one file read (a thread-pool round trip) per append.
//
// A segment fills it only while someone reads at its end (enable(), called by a read that found
// nothing new), and stops (dropping its bytes) once a cache's worth of writes went by without a
// read served from it. It holds copies of whole writes (the appended buffers are the request's,
// recycled once the produce is answered), never changed after they are added, so an answer may be
// a view of them; bounded by TAIL_CACHE_BYTES, oldest writes dropped first.
import { BATCH_LENGTH, LAST_OFFSET_DELTA, LOG_OVERHEAD, MIN_BATCH_LENGTH, batchBaseOffset } from '@brook/protocol'

/** Bytes of recent writes a segment keeps while read at its tail. */
const TAIL_CACHE_BYTES = 256 * 1024

interface Block {
  /** File position of the block's first byte. */
  position: number
  /** Base offset of the first batch, last offset of the last. */
  firstOffset: number
  lastOffset: number
  bytes: Buffer
}

/** Whole batches from the cache (see read()); `chunk` null when the limits leave none. */
export interface TailRead {
  chunk: Buffer | null
  firstOffset: number
}

export class TailCache {
  readonly #capacity: number
  #blocks: Block[] = []
  #bytes = 0
  #enabled = false
  /** Bytes dropped since a read was last served: past the capacity, nobody reads the tail. */
  #droppedSinceRead = 0

  constructor (capacity = TAIL_CACHE_BYTES) {
    this.#capacity = capacity
  }

  get enabled (): boolean { return this.#enabled }
  get bytes (): number { return this.#bytes }

  /** A reader waits at the end: writes from now on are kept. */
  enable (): void {
    this.#enabled = true
    this.#droppedSinceRead = 0
  }

  /** Forgets everything and stops keeping writes (truncation, the segment no longer active). */
  clear (): void {
    this.#enabled = false
    this.#blocks = []
    this.#bytes = 0
  }

  /**
   * A completed write of whole batches at `position`, right after the previous one (a write that
   * does not follow on restarts the cache). Copied: the caller's buffers are not kept.
   */
  add (buffers: readonly Buffer[], bytes: number, position: number): void {
    if (!this.#enabled || bytes === 0) return
    if (bytes > this.#capacity) {
      this.#blocks = []
      this.#bytes = 0
      this.#dropped(bytes)
      return
    }
    const last = this.#blocks.at(-1)
    if (last !== undefined && last.position + last.bytes.length !== position) {
      this.#blocks = []
      this.#bytes = 0
    }
    const copy = Buffer.concat(buffers, bytes)
    this.#blocks.push({ position, firstOffset: batchBaseOffset(copy, 0), lastOffset: lastOffsetOf(copy), bytes: copy })
    this.#bytes += bytes
    let drop = 0
    while (this.#bytes > this.#capacity) {
      const first = this.#blocks[drop++]!
      this.#bytes -= first.bytes.length
      this.#dropped(first.bytes.length)
    }
    if (drop > 0) this.#blocks = this.#blocks.slice(drop)
  }

  #dropped (bytes: number): void {
    this.#droppedSinceRead += bytes
    if (this.#droppedSinceRead > this.#capacity) this.clear()
  }

  /**
   * Whole batches from the one holding `offset`, as a file read would return them: at most
   * maxBytes (or the first batch whole with minOneBatch), none at or past maxOffset. Undefined
   * when the cache does not hold the batch holding `offset` (the caller reads the file).
   */
  read (offset: number, maxBytes: number, maxOffset: number, minOneBatch: boolean): TailRead | undefined {
    const blocks = this.#blocks
    if (blocks.length === 0 || offset < blocks[0]!.firstOffset || offset > blocks[blocks.length - 1]!.lastOffset) return undefined
    let b = blocks.length - 1
    while (b > 0 && blocks[b - 1]!.lastOffset >= offset) b--
    const block = blocks[b]!
    // The block holds a batch ending at or past offset: the walk stops inside it.
    let at = 0
    while (batchBaseOffset(block.bytes, at) + block.bytes.readInt32BE(at + LAST_OFFSET_DELTA) < offset) {
      at += LOG_OVERHEAD + block.bytes.readInt32BE(at + BATCH_LENGTH)
    }
    this.#droppedSinceRead = 0
    const firstOffset = batchBaseOffset(block.bytes, at)
    const firstSize = LOG_OVERHEAD + block.bytes.readInt32BE(at + BATCH_LENGTH)
    if (firstOffset >= maxOffset) return { chunk: null, firstOffset }
    const cap = minOneBatch ? Math.max(maxBytes, firstSize) : maxBytes
    if (firstSize > cap) return { chunk: null, firstOffset }
    // One block is a view; batches over several are copied out, no more than the limit allows.
    let span = block.bytes.subarray(at)
    if (span.length < cap && b + 1 < blocks.length) {
      const parts = [span]
      let have = span.length
      for (let i = b + 1; i < blocks.length && have < cap; i++) {
        parts.push(blocks[i]!.bytes)
        have += blocks[i]!.bytes.length
      }
      span = Buffer.concat(parts, have)
    }
    const end = wholeBatches(span, cap, maxOffset)
    return { chunk: end > 0 ? span.subarray(0, end) : null, firstOffset }
  }
}

/** Last offset of the last batch of a run of whole batches. */
function lastOffsetOf (buf: Buffer): number {
  let at = 0
  let last = -1
  while (at + LOG_OVERHEAD + MIN_BATCH_LENGTH <= buf.length) {
    last = batchBaseOffset(buf, at) + buf.readInt32BE(at + LAST_OFFSET_DELTA)
    at += LOG_OVERHEAD + buf.readInt32BE(at + BATCH_LENGTH)
  }
  return last
}

/** End of the whole batches from the start of buf within `limit` bytes, each starting below maxOffset. */
function wholeBatches (buf: Buffer, limit: number, maxOffset: number): number {
  let pos = 0
  while (pos + LOG_OVERHEAD <= buf.length) {
    const size = LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH)
    if (pos + size > limit || pos + size > buf.length) break
    if (batchBaseOffset(buf, pos) >= maxOffset) break
    pos += size
  }
  return pos
}
