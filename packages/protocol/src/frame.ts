// Splits a byte stream into Kafka frames. Wire layout: int32 size (big-endian, bytes that follow),
// then `size` bytes. sans-IO: feed it socket chunks with push(); it calls back once per complete
// frame with the frame's bytes (without the size prefix).
//
// Frames are handed out as views and are never written to afterwards, because request data
// (Produce records) is kept zero-copy downstream: a frame that lies inside one chunk is a view of
// that chunk; a frame that spans chunks is gathered into one buffer from `allocate` (at least the
// frame's size; by default a fresh one of exactly that size). The gathered buffer is handed to
// onFrame too, so that a caller that knows nothing keeps a view of it can recycle it.
// Only the up-to-3 bytes of a split size prefix live in a reused scratch buffer.
// A frame over 1 MiB does not get its whole size at once: the buffer grows (doubling) as its bytes
// arrive, so a peer that announces a huge frame and sends little of it holds little memory.
// Recovery: a size < 0 or > maxFrameBytes throws FrameError; the stream cannot be resynchronised
// and the caller closes the connection.
import { FrameError } from './protocol-error.js'

/** A frame's bytes, and the buffer it was gathered into (null: a view of a socket chunk). */
export type FrameCallback = (frame: Buffer, gathered: Buffer | null) => void

/** Frames up to this size get their whole buffer when their size arrives. */
const UPFRONT_BYTES = 1024 * 1024

export class FrameSplitter {
  private readonly maxFrameBytes: number
  private readonly allocate: (size: number) => Buffer
  private readonly prefix = Buffer.alloc(4)
  private prefixBytes = 0
  /** Frame being gathered across chunks, its size, and how much of it has arrived. */
  private pending: Buffer | null = null
  private pendingSize = 0
  private pendingBytes = 0

  // oxlint-disable-next-line typescript/unbound-method -- Buffer.allocUnsafe does not use `this`
  constructor (maxFrameBytes: number, allocate: (size: number) => Buffer = Buffer.allocUnsafe) {
    this.maxFrameBytes = maxFrameBytes
    this.allocate = allocate
  }

  /** Bytes held for an incomplete frame (prefix included). */
  get buffered (): number {
    return this.prefixBytes + (this.pending === null ? 0 : 4 + this.pendingBytes)
  }

  private checkSize (size: number): void {
    if (size < 0 || size > this.maxFrameBytes) throw new FrameError(size, this.maxFrameBytes)
  }

  private startGather (size: number): void {
    this.pending = this.allocateAtLeast(Math.min(size, UPFRONT_BYTES))
    this.pendingSize = size
    this.pendingBytes = 0
  }

  private allocateAtLeast (size: number): Buffer {
    const buffer = this.allocate(size)
    if (buffer.length < size) throw new RangeError(`frame allocator returned ${buffer.length} bytes for a ${size}-byte frame`)
    return buffer
  }

  /** The pending buffer, grown if `n` more bytes do not fit (the last growth: the frame's size). */
  private room (n: number): Buffer {
    const pending = this.pending as Buffer
    const needed = this.pendingBytes + n
    if (needed <= pending.length) return pending
    const capacity = Math.min(this.pendingSize, Math.max(needed, pending.length * 2))
    const grown = capacity === this.pendingSize ? this.allocateAtLeast(capacity) : Buffer.allocUnsafe(capacity)
    pending.copy(grown, 0, 0, this.pendingBytes)
    this.pending = grown
    return grown
  }

  push (chunk: Buffer, onFrame: FrameCallback): void {
    let pos = 0
    const end = chunk.length
    // Finish what an earlier chunk started.
    if (this.prefixBytes > 0) {
      while (this.prefixBytes < 4 && pos < end) this.prefix[this.prefixBytes++] = chunk[pos++] as number
      if (this.prefixBytes < 4) return
      this.prefixBytes = 0
      const size = this.prefix.readInt32BE(0)
      this.checkSize(size)
      this.startGather(size)
    }
    if (this.pending !== null) {
      const size = this.pendingSize
      const n = Math.min(size - this.pendingBytes, end - pos)
      const pending = this.room(n)
      chunk.copy(pending, this.pendingBytes, pos, pos + n)
      this.pendingBytes += n
      pos += n
      if (this.pendingBytes < size) return
      this.pending = null
      this.pendingBytes = 0
      onFrame(pending.length === size ? pending : pending.subarray(0, size), pending)
    }
    // Whole frames straight from the chunk, then keep the tail.
    while (end - pos >= 4) {
      const size = chunk.readInt32BE(pos)
      this.checkSize(size)
      if (end - pos - 4 >= size) {
        const start = pos + 4
        pos = start + size
        onFrame(chunk.subarray(start, pos), null)
      } else {
        this.startGather(size)
        chunk.copy(this.room(end - pos - 4), 0, pos + 4, end)
        this.pendingBytes = end - pos - 4
        return
      }
    }
    while (pos < end) this.prefix[this.prefixBytes++] = chunk[pos++] as number
  }
}
