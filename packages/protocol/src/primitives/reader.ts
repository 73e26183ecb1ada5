// Reads Kafka wire primitives from a Buffer, big-endian, with a moving position.
//
// Encodings (Kafka protocol guide): intN big-endian two's complement; uint16/uint32 unsigned;
// float64 IEEE 754; bool one byte (non-zero = true); uuid 16 bytes; varint/varlong zig-zag
// base-128 (7 bits per byte, low group first, high bit = more); unsigned varint the same without
// zig-zag. STRING = int16 length + UTF-8 (-1 = null); BYTES = int32 length (-1 = null);
// COMPACT_* = unsigned varint (length + 1), 0 = null. Tagged fields = unsigned varint count, then
// per field unsigned varint tag, unsigned varint size, size bytes.
// Every read checks bounds first and throws a ProtocolError (BROOK_ERR_BUFFER_UNDERFLOW...) instead
// of reading past `end`; bytes come back as zero-copy subarrays of the source buffer.
import { ProtocolError } from '../protocol-error.js'
import { uuidFromBytes } from './uuid.js'

function underflow (need: number, pos: number, end: number): ProtocolError {
  return new ProtocolError('BROOK_ERR_BUFFER_UNDERFLOW', `need ${need} byte(s) at ${pos}, buffer ends at ${end}`)
}

export class Reader {
  readonly buf: Buffer
  /** Next byte to read (absolute index into buf). */
  pos: number
  /** One past the last readable byte. */
  readonly end: number
  /** Created on the first 64-bit read: DataView's bigint reads are several times faster than Buffer's. */
  private view: DataView | undefined

  constructor (buf: Buffer, pos = 0, end = buf.length) {
    if (pos < 0 || end > buf.length || pos > end) throw underflow(end - pos, pos, buf.length)
    this.buf = buf
    this.pos = pos
    this.end = end
  }

  get remaining (): number { return this.end - this.pos }

  private need (n: number): number {
    const p = this.pos
    if (p + n > this.end) throw underflow(n, p, this.end)
    this.pos = p + n
    return p
  }

  skip (n: number): void { this.need(n) }

  readInt8 (): number {
    const v = this.buf[this.need(1)] as number
    return (v << 24) >> 24
  }

  readUInt8 (): number { return this.buf[this.need(1)] as number }

  readBool (): boolean { return this.buf[this.need(1)] !== 0 }

  readInt16 (): number {
    const p = this.need(2)
    const b = this.buf
    return (((b[p] as number) << 24) | ((b[p + 1] as number) << 16)) >> 16
  }

  readUInt16 (): number {
    const p = this.need(2)
    const b = this.buf
    return ((b[p] as number) << 8) | (b[p + 1] as number)
  }

  readInt32 (): number {
    const p = this.need(4)
    const b = this.buf
    return ((b[p] as number) << 24) | ((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number)
  }

  readUInt32 (): number { return this.readInt32() >>> 0 }

  private dataView (): DataView {
    const b = this.buf
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength)
    return this.view
  }

  readInt64 (): bigint {
    const p = this.need(8)
    return (this.view ?? this.dataView()).getBigInt64(p)
  }

  readFloat64 (): number {
    const p = this.need(8)
    return (this.view ?? this.dataView()).getFloat64(p)
  }

  readUuid (): string { return uuidFromBytes(this.buf, this.need(16)) }

  /** Unsigned base-128 varint of at most 32 bits (5 bytes). */
  readUnsignedVarint (): number {
    const b = this.buf
    let p = this.pos
    const end = this.end
    if (p >= end) throw underflow(1, p, end)
    let byte = b[p++] as number
    if (byte < 0x80) { this.pos = p; return byte }
    let value = byte & 0x7f
    let mul = 0x80
    for (let i = 1; i < 5; i++) {
      if (p >= end) throw underflow(1, p, end)
      byte = b[p++] as number
      if (i === 4 && byte > 0x0f) break
      value += (byte & 0x7f) * mul
      if (byte < 0x80) { this.pos = p; return value }
      mul *= 0x80
    }
    throw new ProtocolError('BROOK_ERR_INVALID_VARINT', `unsigned varint longer than 32 bits at ${this.pos}`)
  }

  /** Zig-zag varint (int32). */
  readVarint (): number {
    const u = this.readUnsignedVarint()
    return (u >>> 1) ^ -(u & 1)
  }

  /** Zig-zag varlong (int64), at most 10 bytes. */
  readVarlong (): bigint {
    const b = this.buf
    let p = this.pos
    const end = this.end
    let value = 0
    let mul = 1
    // Up to 7 groups (49 bits) stay exact in a double; longer values continue in bigint.
    for (let i = 0; i < 7; i++) {
      if (p >= end) throw underflow(1, p, end)
      const byte = b[p++] as number
      value += (byte & 0x7f) * mul
      if (byte < 0x80) {
        this.pos = p
        return BigInt(value % 2 === 1 ? -(value + 1) / 2 : value / 2)
      }
      mul *= 0x80
    }
    let big = BigInt(value)
    let shift = 49n
    for (let i = 7; i < 10; i++) {
      if (p >= end) throw underflow(1, p, end)
      const byte = b[p++] as number
      if (i === 9 && byte > 0x01) break
      big |= BigInt(byte & 0x7f) << shift
      if (byte < 0x80) {
        this.pos = p
        return (big >> 1n) ^ -(big & 1n)
      }
      shift += 7n
    }
    throw new ProtocolError('BROOK_ERR_INVALID_VARINT', `varlong longer than 64 bits at ${this.pos}`)
  }

  /** n raw bytes as a zero-copy view. */
  readRaw (n: number): Buffer {
    const p = this.need(n)
    return this.buf.subarray(p, p + n)
  }

  private utf8 (n: number): string {
    const p = this.need(n)
    return this.buf.toString('utf8', p, p + n)
  }

  private static invalidLength (kind: string, n: number): ProtocolError {
    return new ProtocolError('BROOK_ERR_INVALID_LENGTH', `invalid ${kind} length ${n}`)
  }

  private static unexpectedNull (kind: string): ProtocolError {
    return new ProtocolError('BROOK_ERR_NULL_NOT_ALLOWED', `null ${kind} where the schema forbids it`)
  }

  readNullableString (): string | null {
    const n = this.readInt16()
    if (n < 0) {
      if (n === -1) return null
      throw Reader.invalidLength('string', n)
    }
    return this.utf8(n)
  }

  readString (): string {
    const s = this.readNullableString()
    if (s === null) throw Reader.unexpectedNull('string')
    return s
  }

  readCompactNullableString (): string | null {
    const n = this.readUnsignedVarint()
    if (n === 0) return null
    return this.utf8(n - 1)
  }

  readCompactString (): string {
    const s = this.readCompactNullableString()
    if (s === null) throw Reader.unexpectedNull('string')
    return s
  }

  readNullableBytes (): Buffer | null {
    const n = this.readInt32()
    if (n < 0) {
      if (n === -1) return null
      throw Reader.invalidLength('bytes', n)
    }
    return this.readRaw(n)
  }

  readBytes (): Buffer {
    const b = this.readNullableBytes()
    if (b === null) throw Reader.unexpectedNull('bytes')
    return b
  }

  readCompactNullableBytes (): Buffer | null {
    const n = this.readUnsignedVarint()
    if (n === 0) return null
    return this.readRaw(n - 1)
  }

  readCompactBytes (): Buffer {
    const b = this.readCompactNullableBytes()
    if (b === null) throw Reader.unexpectedNull('bytes')
    return b
  }

  /**
   * Array element count: int32 (classic) or unsigned varint + 1 (compact); -1 for null. A count
   * larger than the bytes left cannot be honest (every element takes at least one byte), so it is
   * refused before anything is allocated for it.
   */
  readArrayLength (compact: boolean): number {
    let n: number
    if (compact) {
      n = this.readUnsignedVarint() - 1
    } else {
      n = this.readInt32()
      if (n < -1) throw Reader.invalidLength('array', n)
    }
    if (n > this.end - this.pos) throw Reader.invalidLength('array', n)
    return n
  }

  /** Skips a whole tagged-field section (count, then tag/size/bytes per field). */
  skipTaggedFields (): void {
    const count = this.readUnsignedVarint()
    for (let i = 0; i < count; i++) {
      this.readUnsignedVarint()
      this.need(this.readUnsignedVarint())
    }
  }
}
