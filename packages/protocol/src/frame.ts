// Splits a byte stream into Kafka frames. Wire layout: int32 size (big-endian, bytes that follow),
// then `size` bytes. sans-IO: feed it socket chunks with push(); it calls back once per complete
// frame with the frame's bytes (without the size prefix).
//
// Frames are handed out as views and are never written to afterwards, because request data
// (Produce records) is kept zero-copy downstream: a frame that lies inside one chunk is a view of
// that chunk; a frame that spans chunks is gathered into one buffer allocated at its exact size.
// Only the up-to-3 bytes of a split size prefix live in a reused scratch buffer.
// Recovery: a size < 0 or > maxFrameBytes throws FrameError; the stream cannot be resynchronised
// and the caller closes the connection.
import { FrameError } from './protocol-error.js'

export class FrameSplitter {
  private readonly maxFrameBytes: number
  private readonly prefix = Buffer.alloc(4)
  private prefixBytes = 0
  /** Frame being gathered across chunks, and how much of it has arrived. */
  private pending: Buffer | null = null
  private pendingBytes = 0

  constructor (maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes
  }

  /** Bytes held for an incomplete frame (prefix included). */
  get buffered (): number {
    return this.prefixBytes + (this.pending === null ? 0 : 4 + this.pendingBytes)
  }

  private checkSize (size: number): void {
    if (size < 0 || size > this.maxFrameBytes) throw new FrameError(size, this.maxFrameBytes)
  }

  push (chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let pos = 0
    const end = chunk.length
    // Finish what an earlier chunk started.
    if (this.prefixBytes > 0) {
      while (this.prefixBytes < 4 && pos < end) this.prefix[this.prefixBytes++] = chunk[pos++] as number
      if (this.prefixBytes < 4) return
      this.prefixBytes = 0
      const size = this.prefix.readInt32BE(0)
      this.checkSize(size)
      this.pending = Buffer.allocUnsafe(size)
      this.pendingBytes = 0
    }
    if (this.pending !== null) {
      const pending = this.pending
      const n = Math.min(pending.length - this.pendingBytes, end - pos)
      chunk.copy(pending, this.pendingBytes, pos, pos + n)
      this.pendingBytes += n
      pos += n
      if (this.pendingBytes < pending.length) return
      this.pending = null
      this.pendingBytes = 0
      onFrame(pending)
    }
    // Whole frames straight from the chunk, then keep the tail.
    while (end - pos >= 4) {
      const size = chunk.readInt32BE(pos)
      this.checkSize(size)
      if (end - pos - 4 >= size) {
        const start = pos + 4
        pos = start + size
        onFrame(chunk.subarray(start, pos))
      } else {
        const pending = Buffer.allocUnsafe(size)
        chunk.copy(pending, 0, pos + 4, end)
        this.pending = pending
        this.pendingBytes = end - pos - 4
        return
      }
    }
    while (pos < end) this.prefix[this.prefixBytes++] = chunk[pos++] as number
  }
}
