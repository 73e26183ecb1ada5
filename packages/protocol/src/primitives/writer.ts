// Writes Kafka wire primitives (same encodings as reader.ts) into a slab-allocated scratch area and
// hands the result out as a list of Buffers ready for a vectored socket write.
//
// Memory model: bytes are written into a large slab, sequentially. toBuffers() returns views of the
// slab (plus any buffers appended by reference) and then continues AFTER them in the same slab, so
// one Writer can encode message after message without allocating, and never overwrites bytes it
// has handed out. A full slab is replaced by a fresh one; the old one lives as long as its views.
// writeBufferRef() splices a large Buffer (record data for Fetch) into the output without copying.
// If an encode fails halfway, reset() drops the partial message.
import { ProtocolError } from '../protocol-error.js'
import { uuidToBytes } from './uuid.js'

const SLAB_SIZE = 64 * 1024
/** Buffers shorter than this are copied: a separate chunk costs more than the copy. */
const COPY_BELOW = 512
const INT16_MAX = 0x7fff

export class Writer {
  private slab: Buffer
  /** View of the slab for 64-bit values (Buffer's bigint methods are several times slower). */
  private view: DataView
  private pos = 0
  /** Start of the bytes of the current message not yet moved into `chunks`. */
  private start = 0
  private chunks: Buffer[] = []
  private chunkBytes = 0
  private readonly slotBufs: Buffer[] = []
  private readonly slotPos: number[] = []
  private readonly slotStart: number[] = []
  private readonly slabSize: number

  constructor (slabSize = SLAB_SIZE) {
    this.slabSize = slabSize
    this.slab = Buffer.allocUnsafe(slabSize)
    this.view = new DataView(this.slab.buffer, this.slab.byteOffset, this.slab.byteLength)
  }

  /** Bytes written since the last toBuffers()/reset(). */
  get length (): number { return this.chunkBytes + this.pos - this.start }

  private ensure (n: number): void {
    if (this.pos + n > this.slab.length) this.newSlab(n)
  }

  private flushPending (): void {
    if (this.pos > this.start) {
      this.chunks.push(this.slab.subarray(this.start, this.pos))
      this.chunkBytes += this.pos - this.start
      this.start = this.pos
    }
  }

  private newSlab (n: number): void {
    this.flushPending()
    this.slab = Buffer.allocUnsafe(Math.max(this.slabSize, n))
    this.view = new DataView(this.slab.buffer, this.slab.byteOffset, this.slab.byteLength)
    this.pos = 0
    this.start = 0
  }

  writeInt8 (v: number): this {
    this.ensure(1)
    this.slab[this.pos++] = v & 0xff
    return this
  }

  writeUInt8 (v: number): this { return this.writeInt8(v) }

  writeBool (v: boolean): this { return this.writeInt8(v ? 1 : 0) }

  writeInt16 (v: number): this {
    this.ensure(2)
    const b = this.slab
    const p = this.pos
    b[p] = (v >>> 8) & 0xff
    b[p + 1] = v & 0xff
    this.pos = p + 2
    return this
  }

  writeUInt16 (v: number): this { return this.writeInt16(v) }

  writeInt32 (v: number): this {
    this.ensure(4)
    const b = this.slab
    const p = this.pos
    b[p] = (v >>> 24) & 0xff
    b[p + 1] = (v >>> 16) & 0xff
    b[p + 2] = (v >>> 8) & 0xff
    b[p + 3] = v & 0xff
    this.pos = p + 4
    return this
  }

  writeUInt32 (v: number): this { return this.writeInt32(v) }

  writeInt64 (v: bigint): this {
    this.ensure(8)
    this.view.setBigInt64(this.pos, v)
    this.pos += 8
    return this
  }

  writeFloat64 (v: number): this {
    this.ensure(8)
    this.view.setFloat64(this.pos, v)
    this.pos += 8
    return this
  }

  writeUuid (v: string): this {
    this.ensure(16)
    uuidToBytes(v, this.slab, this.pos)
    this.pos += 16
    return this
  }

  /** Unsigned varint of a value in [0, 2^32). */
  writeUnsignedVarint (v: number): this {
    this.ensure(5)
    const b = this.slab
    let p = this.pos
    let u = v >>> 0
    while (u >= 0x80) {
      b[p++] = (u & 0x7f) | 0x80
      u >>>= 7
    }
    b[p++] = u
    this.pos = p
    return this
  }

  /** Zig-zag varint of an int32. */
  writeVarint (v: number): this {
    return this.writeUnsignedVarint(((v << 1) ^ (v >> 31)) >>> 0)
  }

  /** Zig-zag varlong of an int64. */
  writeVarlong (v: bigint): this {
    this.ensure(10)
    const b = this.slab
    let p = this.pos
    if (v > -0x8000000000000n && v < 0x8000000000000n) {
      // |v| < 2^51: the zig-zag value stays below 2^52, exact in a double.
      const n = Number(v)
      let u = n >= 0 ? n * 2 : -n * 2 - 1
      while (u >= 0x80) {
        b[p++] = (u % 0x80) | 0x80
        u = Math.floor(u / 0x80)
      }
      b[p++] = u
    } else {
      let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n))
      while (u >= 0x80n) {
        b[p++] = Number(u & 0x7fn) | 0x80
        u >>= 7n
      }
      b[p++] = Number(u)
    }
    this.pos = p
    return this
  }

  /** Copies bytes into the output. */
  writeRaw (buf: Buffer): this {
    const n = buf.length
    this.ensure(n)
    buf.copy(this.slab, this.pos)
    this.pos += n
    return this
  }

  /** Appends a buffer by reference (no copy) unless it is small; the caller must not modify it. */
  writeBufferRef (buf: Buffer): this {
    if (buf.length < COPY_BELOW) return this.writeRaw(buf)
    this.flushPending()
    this.chunks.push(buf)
    this.chunkBytes += buf.length
    return this
  }

  private writeUtf8 (s: string, n: number): void {
    this.ensure(n)
    this.slab.write(s, this.pos, n, 'utf8')
    this.pos += n
  }

  /**
   * Fast path for short ASCII strings (topic names, ids): copies char codes after a prefix of
   * `prefix` bytes and returns true, or returns false (nothing written) at the first non-ASCII char.
   */
  private tryAscii (s: string, prefix: number): boolean {
    const n = s.length
    this.ensure(prefix + n)
    const b = this.slab
    const p = this.pos + prefix
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c >= 0x80) return false
      b[p + i] = c
    }
    return true
  }

  writeString (s: string): this {
    if (s.length < 128 && this.tryAscii(s, 2)) {
      const b = this.slab
      const p = this.pos
      b[p] = s.length >>> 8
      b[p + 1] = s.length & 0xff
      this.pos = p + 2 + s.length
      return this
    }
    const n = Buffer.byteLength(s, 'utf8')
    if (n > INT16_MAX) throw new ProtocolError('BROOK_ERR_INVALID_VALUE', `string of ${n} bytes exceeds int16 length`)
    this.writeInt16(n)
    this.writeUtf8(s, n)
    return this
  }

  writeNullableString (s: string | null): this {
    if (s === null) return this.writeInt16(-1)
    return this.writeString(s)
  }

  writeCompactString (s: string): this {
    // Below 127 chars the length (n + 1) is a one-byte varint.
    if (s.length < 127 && this.tryAscii(s, 1)) {
      this.slab[this.pos] = s.length + 1
      this.pos += 1 + s.length
      return this
    }
    const n = Buffer.byteLength(s, 'utf8')
    this.writeUnsignedVarint(n + 1)
    this.writeUtf8(s, n)
    return this
  }

  writeCompactNullableString (s: string | null): this {
    if (s === null) return this.writeUnsignedVarint(0)
    return this.writeCompactString(s)
  }

  writeBytes (b: Buffer): this {
    this.writeInt32(b.length)
    return this.writeBufferRef(b)
  }

  writeNullableBytes (b: Buffer | null): this {
    if (b === null) return this.writeInt32(-1)
    return this.writeBytes(b)
  }

  writeCompactBytes (b: Buffer): this {
    this.writeUnsignedVarint(b.length + 1)
    return this.writeBufferRef(b)
  }

  writeCompactNullableBytes (b: Buffer | null): this {
    if (b === null) return this.writeUnsignedVarint(0)
    return this.writeCompactBytes(b)
  }

  /** Array element count: int32 or unsigned varint + 1; null as -1 / 0. */
  writeArrayLength (n: number | null, compact: boolean): this {
    if (compact) return this.writeUnsignedVarint(n === null ? 0 : n + 1)
    return this.writeInt32(n === null ? -1 : n)
  }

  /** An empty tagged-field section. */
  writeEmptyTaggedFields (): this { return this.writeInt8(0) }

  /**
   * Reserves 4 bytes for a size prefix; returns a slot for fillSize(). Slots are valid until the
   * next toBuffers()/reset().
   */
  reserveSize (): number {
    this.ensure(4)
    this.slotBufs.push(this.slab)
    this.slotPos.push(this.pos)
    this.slotStart.push(this.length)
    this.pos += 4
    return this.slotBufs.length - 1
  }

  /** Writes into a reserved slot the number of bytes written after it. */
  fillSize (slot: number): void {
    const buf = this.slotBufs[slot]
    const pos = this.slotPos[slot]
    const start = this.slotStart[slot]
    if (buf === undefined || pos === undefined || start === undefined) throw new RangeError(`no reserved slot ${slot}`)
    buf.writeInt32BE(this.length - start - 4, pos)
  }

  /** The message written since the last call, as a list of buffers; the writer moves on. */
  toBuffers (): Buffer[] {
    this.flushPending()
    const out = this.chunks
    this.chunks = []
    this.chunkBytes = 0
    this.clearSlots()
    return out
  }

  /** The message as one buffer (a view when it is contiguous, else a copy). */
  toBuffer (): Buffer {
    const parts = this.toBuffers()
    if (parts.length === 1) return parts[0] as Buffer
    return Buffer.concat(parts)
  }

  /** Drops everything written since the last toBuffers(). */
  reset (): void {
    if (this.chunks.length > 0) this.chunks = []
    this.chunkBytes = 0
    this.pos = this.start
    this.clearSlots()
  }

  private clearSlots (): void {
    if (this.slotBufs.length === 0) return
    this.slotBufs.length = 0
    this.slotPos.length = 0
    this.slotStart.length = 0
  }
}
