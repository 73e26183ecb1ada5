// The offset index of one segment, held in memory and persisted as `<20-digit base>.index`.
//
// File layout (Kafka's): back-to-back 8-byte entries, big-endian
//   relativeOffset int32   offset - segment base offset, of the batch starting at `position`
//   position       int32   byte position in the .log file of a batch
// Sparse: one entry after every index.interval.bytes of log. Both fields strictly increase.
// Brook records the batch's base offset where Kafka records its last offset: both make
// lookup(t) (the entry with the largest offset <= t, or base/0) land at or before the batch
// holding t, but with the base offset a fetch continuing at the next batch lands exactly on it
// instead of one batch early.
// Recovery rule: the file carries no checksum. On load it must have a size that is a multiple of 8
// and strictly increasing entries inside the log; otherwise it is rebuilt by scanning the log.
// After an unclean shutdown the indexes of every segment past the recovery point are rebuilt.
import { growCapacity, largestLowerBound, type PersistableIndex } from './index-file.js'

export const OFFSET_INDEX_ENTRY_SIZE = 8

export interface OffsetPosition {
  offset: number
  position: number
}

export class OffsetIndex implements PersistableIndex {
  readonly baseOffset: number
  readonly maxEntries: number
  readonly entrySize = OFFSET_INDEX_ENTRY_SIZE
  persistedEntries = 0
  /** -1: no file yet. */
  fileEntries = -1
  /** Entries when the file was last fsynced matching memory (-1: not known to be). */
  syncedEntries = -1
  /** Pairs: [relativeOffset, position] per entry. */
  #data: Int32Array
  #count = 0

  constructor (baseOffset: number, maxEntries: number, capacity = 8) {
    this.baseOffset = baseOffset
    this.maxEntries = Math.max(1, maxEntries)
    this.#data = new Int32Array(2 * Math.min(capacity, this.maxEntries))
  }

  get entries (): number { return this.#count }
  get isFull (): boolean { return this.#count >= this.maxEntries }
  /** Bytes of memory held. */
  get memoryBytes (): number { return this.#data.byteLength }

  offsetAt (i: number): number { return this.baseOffset + this.#data[2 * i]! }
  positionAt (i: number): number { return this.#data[2 * i + 1]! }

  lastOffset (): number { return this.#count === 0 ? this.baseOffset : this.offsetAt(this.#count - 1) }
  lastPosition (): number { return this.#count === 0 ? 0 : this.positionAt(this.#count - 1) }

  append (offset: number, position: number): void {
    const rel = offset - this.baseOffset
    if (rel < 0 || rel > 0x7fffffff) throw new RangeError(`offset ${offset} does not fit segment ${this.baseOffset}`)
    if (this.#count > 0 && (offset <= this.lastOffset() || position <= this.lastPosition())) {
      throw new RangeError(`index entry (${offset}, ${position}) not after (${this.lastOffset()}, ${this.lastPosition()})`)
    }
    if (this.#count >= this.maxEntries) throw new RangeError('offset index is full')
    if (2 * (this.#count + 1) > this.#data.length) {
      const grown = new Int32Array(2 * growCapacity(this.#data.length / 2, this.#count + 1, this.maxEntries))
      grown.set(this.#data)
      this.#data = grown
    }
    this.#data[2 * this.#count] = rel
    this.#data[2 * this.#count + 1] = position
    this.#count++
  }

  /** The entry with the largest offset <= target; (baseOffset, 0) when there is none. */
  lookup (target: number): OffsetPosition {
    const i = largestLowerBound(this.#count, (j) => this.offsetAt(j), target)
    if (i < 0) return { offset: this.baseOffset, position: 0 }
    return { offset: this.offsetAt(i), position: this.positionAt(i) }
  }

  /** The largest indexed position <= position (a batch boundary), or -1 when there is none. */
  floorPosition (position: number): number {
    const i = largestLowerBound(this.#count, (j) => this.positionAt(j), position)
    return i < 0 ? -1 : this.positionAt(i)
  }

  /** Drops entries whose offset is >= offset or whose position is >= position. */
  truncate (offset: number, position: number): void {
    let n = this.#count
    while (n > 0 && (this.offsetAt(n - 1) >= offset || this.positionAt(n - 1) >= position)) n--
    this.#setCount(n)
  }

  clear (): void { this.#setCount(0) }

  #setCount (n: number): void {
    this.#count = n
    if (this.persistedEntries > n) this.persistedEntries = n
  }

  encode (from: number, to: number): Buffer {
    const buf = Buffer.allocUnsafe((to - from) * OFFSET_INDEX_ENTRY_SIZE)
    for (let i = from; i < to; i++) {
      buf.writeInt32BE(this.#data[2 * i]!, (i - from) * 8)
      buf.writeInt32BE(this.#data[2 * i + 1]!, (i - from) * 8 + 4)
    }
    return buf
  }

  /** Parses a persisted index; null when it fails the checks (the caller rebuilds it). */
  static decode (buf: Buffer, baseOffset: number, maxEntries: number, logSize: number): OffsetIndex | null {
    if (buf.length % OFFSET_INDEX_ENTRY_SIZE !== 0) return null
    const n = buf.length / OFFSET_INDEX_ENTRY_SIZE
    const index = new OffsetIndex(baseOffset, Math.max(maxEntries, n), n)
    let lastRel = -1
    let lastPos = -1
    for (let i = 0; i < n; i++) {
      const rel = buf.readInt32BE(i * 8)
      const pos = buf.readInt32BE(i * 8 + 4)
      if (rel <= lastRel || pos <= lastPos || pos >= logSize) return null
      index.#data[2 * i] = rel
      index.#data[2 * i + 1] = pos
      lastRel = rel
      lastPos = pos
    }
    index.#count = n
    index.persistedEntries = n
    index.fileEntries = n
    return index
  }
}
