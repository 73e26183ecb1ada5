// The time index of one segment, held in memory and persisted as `<20-digit base>.timeindex`.
//
// File layout (Kafka's): back-to-back 12-byte entries, big-endian
//   timestamp      int64   the largest batch maxTimestamp seen in the segment so far
//   relativeOffset int32   last offset of the batch where that timestamp was first reached, minus base
// Timestamps strictly increase; offsets do not decrease. An entry is added next to each offset
// index entry when the running maximum grew, and once more when the segment stops being active
// (roll, close), so the last entry always holds the segment's largest timestamp.
// lookup(t): the entry with the largest timestamp <= t; every batch before its offset has a smaller
// timestamp, so a search for the first batch with maxTimestamp >= t can start there.
// Recovery rule: as for the offset index: checked on load (size multiple of 12, ordered entries,
// offsets inside the segment), rebuilt from the log when missing or bad.
import { growCapacity, largestLowerBound, type PersistableIndex } from './index-file.js'

export const TIME_INDEX_ENTRY_SIZE = 12

export interface TimestampOffsetEntry {
  timestamp: number
  offset: number
}

export class TimeIndex implements PersistableIndex {
  readonly baseOffset: number
  readonly maxEntries: number
  readonly entrySize = TIME_INDEX_ENTRY_SIZE
  persistedEntries = 0
  fileEntries = -1
  /** Entries when the file was last fsynced matching memory (-1: not known to be). */
  syncedEntries = -1
  #ts: Float64Array
  #rel: Int32Array
  #count = 0

  constructor (baseOffset: number, maxEntries: number, capacity = 8) {
    this.baseOffset = baseOffset
    this.maxEntries = Math.max(1, maxEntries)
    const cap = Math.min(capacity, this.maxEntries)
    this.#ts = new Float64Array(cap)
    this.#rel = new Int32Array(cap)
  }

  get entries (): number { return this.#count }
  get isFull (): boolean { return this.#count >= this.maxEntries }
  get memoryBytes (): number { return this.#ts.byteLength + this.#rel.byteLength }

  timestampAt (i: number): number { return this.#ts[i]! }
  offsetAt (i: number): number { return this.baseOffset + this.#rel[i]! }

  /** (-1, baseOffset) when empty, as Kafka. */
  lastEntry (): TimestampOffsetEntry {
    if (this.#count === 0) return { timestamp: -1, offset: this.baseOffset }
    return { timestamp: this.timestampAt(this.#count - 1), offset: this.offsetAt(this.#count - 1) }
  }

  /** Appends when timestamp exceeds the last entry's; `force` ignores the size limit (final entry). */
  maybeAppend (timestamp: number, offset: number, force = false): void {
    if (this.#count > 0) {
      const last = this.lastEntry()
      if (timestamp <= last.timestamp) return
      if (offset < last.offset) throw new RangeError(`time index offset ${offset} before ${last.offset}`)
    }
    if (timestamp < 0) return
    if (!force && this.isFull) throw new RangeError('time index is full')
    const rel = offset - this.baseOffset
    if (rel < 0 || rel > 0x7fffffff) throw new RangeError(`offset ${offset} does not fit segment ${this.baseOffset}`)
    if (this.#count + 1 > this.#ts.length) {
      const cap = growCapacity(this.#ts.length, this.#count + 1, Math.max(this.maxEntries, this.#count + 1))
      const ts = new Float64Array(cap)
      ts.set(this.#ts)
      const rels = new Int32Array(cap)
      rels.set(this.#rel)
      this.#ts = ts
      this.#rel = rels
    }
    this.#ts[this.#count] = timestamp
    this.#rel[this.#count] = rel
    this.#count++
  }

  /** The entry with the largest timestamp <= target; (-1, baseOffset) when there is none. */
  lookup (target: number): TimestampOffsetEntry {
    const i = largestLowerBound(this.#count, (j) => this.timestampAt(j), target)
    if (i < 0) return { timestamp: -1, offset: this.baseOffset }
    return { timestamp: this.timestampAt(i), offset: this.offsetAt(i) }
  }

  /** Drops entries whose offset is >= offset. */
  truncate (offset: number): void {
    let n = this.#count
    while (n > 0 && this.offsetAt(n - 1) >= offset) n--
    this.#count = n
    if (this.persistedEntries > n) this.persistedEntries = n
  }

  clear (): void { this.truncate(-Infinity) }

  encode (from: number, to: number): Buffer {
    const buf = Buffer.allocUnsafe((to - from) * TIME_INDEX_ENTRY_SIZE)
    for (let i = from; i < to; i++) {
      buf.writeBigInt64BE(BigInt(this.#ts[i]!), (i - from) * 12)
      buf.writeInt32BE(this.#rel[i]!, (i - from) * 12 + 8)
    }
    return buf
  }

  static decode (buf: Buffer, baseOffset: number, maxEntries: number, nextOffset: number): TimeIndex | null {
    if (buf.length % TIME_INDEX_ENTRY_SIZE !== 0) return null
    const n = buf.length / TIME_INDEX_ENTRY_SIZE
    const index = new TimeIndex(baseOffset, Math.max(maxEntries, n), n)
    let lastTs = -Infinity
    let lastRel = 0
    for (let i = 0; i < n; i++) {
      const ts = Number(buf.readBigInt64BE(i * 12))
      const rel = buf.readInt32BE(i * 12 + 8)
      if (ts <= lastTs || ts < 0 || rel < lastRel || baseOffset + rel >= nextOffset) return null
      index.#ts[i] = ts
      index.#rel[i] = rel
      lastTs = ts
      lastRel = rel
    }
    index.#count = n
    index.persistedEntries = n
    index.fileEntries = n
    return index
  }
}
