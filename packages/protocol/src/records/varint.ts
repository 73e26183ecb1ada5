// Zigzag varints as Kafka's v2 records use them (protobuf style, little-endian groups of 7 bits,
// high bit = more bytes follow):
//   varint  = zigzag(int32), at most 5 bytes      zigzag(n) = (n << 1) ^ (n >> 31)
//   varlong = zigzag(int64), at most 10 bytes     zigzag(n) = (n << 1) ^ (n >> 63)
// Recovery rule: a varint longer than its maximum, or one that runs past the end of its region,
// is a format error (RecordFormatError); the reader never reads outside [pos, end).
// Private to records/: the shared primitives (src/primitives) serve the request/response codec.

/** Malformed bytes inside a record or record set. */
export class RecordFormatError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'RecordFormatError'
  }
}

/** A read position over buf[pos, end). Reused across reads so that decoding allocates nothing per field. */
export interface Cursor {
  buf: Buffer
  pos: number
  end: number
}

const TWO_POW_53 = 2 ** 53

export function readVarint (c: Cursor): number {
  let raw = 0
  for (let shift = 0; shift < 35; shift += 7) {
    if (c.pos >= c.end) throw new RecordFormatError('varint runs past the end of its region')
    const b = c.buf[c.pos++]!
    raw |= (b & 0x7f) << shift
    if ((b & 0x80) === 0) return (raw >>> 1) ^ -(raw & 1)
  }
  throw new RecordFormatError('varint longer than 5 bytes')
}

/** Reads a varlong; numbers up to 2^53 take a fast path without BigInt arithmetic. */
export function readVarlong (c: Cursor): bigint {
  let raw = 0
  let scale = 1
  const start = c.pos
  for (let i = 0; i < 10; i++) {
    if (c.pos >= c.end) throw new RecordFormatError('varlong runs past the end of its region')
    const b = c.buf[c.pos++]!
    raw += (b & 0x7f) * scale
    scale *= 128
    if ((b & 0x80) === 0) {
      if (raw < TWO_POW_53) return BigInt(raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2)
      return slowVarlong(c.buf, start, c.pos)
    }
  }
  throw new RecordFormatError('varlong longer than 10 bytes')
}

function slowVarlong (buf: Buffer, start: number, end: number): bigint {
  let raw = 0n
  let shift = 0n
  for (let p = start; p < end; p++) {
    raw |= BigInt(buf[p]! & 0x7f) << shift
    shift += 7n
  }
  raw = BigInt.asUintN(64, raw)
  return BigInt.asIntN(64, (raw >> 1n) ^ -(raw & 1n))
}

/** Skips a varlong without decoding it (validation path). */
export function skipVarlong (c: Cursor): void {
  for (let i = 0; i < 10; i++) {
    if (c.pos >= c.end) throw new RecordFormatError('varlong runs past the end of its region')
    if ((c.buf[c.pos++]! & 0x80) === 0) return
  }
  throw new RecordFormatError('varlong longer than 10 bytes')
}

export function sizeOfVarint (value: number): number {
  let z = ((value << 1) ^ (value >> 31)) >>> 0
  let size = 1
  while (z > 0x7f) {
    z >>>= 7
    size++
  }
  return size
}

export function writeVarint (buf: Buffer, pos: number, value: number): number {
  let z = ((value << 1) ^ (value >> 31)) >>> 0
  while (z > 0x7f) {
    buf[pos++] = (z & 0x7f) | 0x80
    z >>>= 7
  }
  buf[pos++] = z
  return pos
}

const SAFE = BigInt(2 ** 52)

function zigzag64 (value: bigint): bigint {
  return BigInt.asUintN(64, (value << 1n) ^ (value >> 63n))
}

export function sizeOfVarlong (value: bigint): number {
  if (value < SAFE && value > -SAFE) {
    const n = Number(value)
    let z = n >= 0 ? n * 2 : -n * 2 - 1
    let size = 1
    while (z > 0x7f) {
      z = Math.floor(z / 128)
      size++
    }
    return size
  }
  let z = zigzag64(value)
  let size = 1
  while (z > 0x7fn) {
    z >>= 7n
    size++
  }
  return size
}

export function writeVarlong (buf: Buffer, pos: number, value: bigint): number {
  if (value < SAFE && value > -SAFE) {
    const n = Number(value)
    let z = n >= 0 ? n * 2 : -n * 2 - 1
    while (z > 0x7f) {
      buf[pos++] = (z % 128) | 0x80
      z = Math.floor(z / 128)
    }
    buf[pos++] = z
    return pos
  }
  let z = zigzag64(value)
  while (z > 0x7fn) {
    buf[pos++] = Number(z & 0x7fn) | 0x80
    z >>= 7n
  }
  buf[pos++] = Number(z)
  return pos
}
