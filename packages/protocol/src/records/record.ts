// Records inside a v2 batch (after decompression), one after another:
//   length          varint   bytes of the record after this field
//   attributes      int8     unused, written 0
//   timestampDelta  varlong  timestamp - batch.baseTimestamp
//   offsetDelta     varint   offset - batch.baseOffset
//   keyLength       varint   -1 = null key
//   key             bytes
//   valueLength     varint   -1 = null value (a tombstone)
//   value           bytes
//   headerCount     varint
//   headers         headerKeyLength varint, headerKey UTF-8, headerValueLength varint (-1 = null), headerValue
// Recovery rule: a record whose fields do not end exactly at its length, a negative length or
// header count, or a field that runs past the region is a RecordFormatError (Kafka answers
// INVALID_RECORD). Like Kafka's reader, any negative key/value length reads as null.
import {
  type Cursor, RecordFormatError, readVarint, readVarlong, skipVarlong,
  sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong
} from './varint.js'

export interface RecordHeader {
  key: string
  value: Buffer | null
}

/** A decoded record. key, value and header values are views into the decoded records buffer. */
export interface KafkaRecord {
  offset: bigint
  timestamp: bigint
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

export type RecordBytes = Buffer | string | null

/** A record to encode. Strings are written as UTF-8. */
export interface RecordInput {
  key?: RecordBytes
  value?: RecordBytes
  headers?: ReadonlyArray<{ key: string, value: RecordBytes }>
  /** Absolute timestamp (ms); defaults to the batch's baseTimestamp. */
  timestamp?: bigint
  /** Defaults to the record's index; compaction keeps the original deltas (gaps allowed). */
  offsetDelta?: number
}

export interface DecodeRecordsOptions {
  baseOffset: bigint
  baseTimestamp: bigint
  /** Set for LogAppendTime batches: every record then carries this timestamp (Kafka's rule). */
  logAppendTime?: bigint | null
}

function readBytes (c: Cursor): Buffer | null {
  const length = readVarint(c)
  if (length < 0) return null
  if (length > c.end - c.pos) throw new RecordFormatError(`field of ${length} bytes runs past the record`)
  const bytes = c.buf.subarray(c.pos, c.pos + length)
  c.pos += length
  return bytes
}

/** Decodes exactly `count` records filling buf[start, end). Throws RecordFormatError on malformed input. */
export function decodeRecords (buf: Buffer, start: number, end: number, count: number, options: DecodeRecordsOptions): KafkaRecord[] {
  if (count < 0) throw new RecordFormatError(`negative record count ${count}`)
  const outer: Cursor = { buf, pos: start, end }
  const inner: Cursor = { buf, pos: 0, end: 0 }
  const logAppendTime = options.logAppendTime ?? null
  // Grow by push: count comes from the wire and must not size an allocation on its own.
  const records: KafkaRecord[] = []
  for (let i = 0; i < count; i++) {
    const length = readVarint(outer)
    if (length < 0 || length > outer.end - outer.pos) throw new RecordFormatError(`record ${i}: invalid length ${length}`)
    inner.pos = outer.pos + 1 // attributes: unused
    inner.end = outer.pos + length
    if (inner.pos > inner.end) throw new RecordFormatError(`record ${i}: empty record`)
    const timestampDelta = readVarlong(inner)
    const offsetDelta = readVarint(inner)
    const key = readBytes(inner)
    const value = readBytes(inner)
    const headerCount = readVarint(inner)
    if (headerCount < 0) throw new RecordFormatError(`record ${i}: negative header count ${headerCount}`)
    const headers: RecordHeader[] = []
    for (let h = 0; h < headerCount; h++) {
      const keyLength = readVarint(inner)
      if (keyLength < 0 || keyLength > inner.end - inner.pos) throw new RecordFormatError(`record ${i}: invalid header key length ${keyLength}`)
      const headerKey = buf.toString('utf8', inner.pos, inner.pos + keyLength)
      inner.pos += keyLength
      headers.push({ key: headerKey, value: readBytes(inner) })
    }
    if (inner.pos !== inner.end) throw new RecordFormatError(`record ${i}: fields end ${inner.end - inner.pos} bytes before its length`)
    outer.pos = inner.end
    records.push({
      offset: options.baseOffset + BigInt(offsetDelta),
      timestamp: logAppendTime ?? options.baseTimestamp + timestampDelta,
      key,
      value,
      headers
    })
  }
  if (outer.pos !== end) throw new RecordFormatError(`${end - outer.pos} bytes left after ${count} records`)
  return records
}

/**
 * Checks the structure of `count` records in buf[start, end) without decoding or allocating.
 * Returns null when well formed, else what is wrong. The produce path uses it on uncompressed batches.
 */
export function checkRecords (buf: Buffer, start: number, end: number, count: number): string | null {
  const c: Cursor = { buf, pos: start, end }
  let i = 0
  try {
    for (; i < count; i++) {
      const length = readVarint(c)
      if (length < 1 || length > end - c.pos) return `record ${i}: invalid length ${length}`
      const recordEnd = c.pos + length
      c.end = recordEnd
      c.pos++ // attributes
      skipVarlong(c) // timestampDelta
      readVarint(c) // offsetDelta
      skipBytes(c) // key
      skipBytes(c) // value
      const headerCount = readVarint(c)
      if (headerCount < 0) return `record ${i}: negative header count ${headerCount}`
      for (let h = 0; h < headerCount; h++) {
        const keyLength = readVarint(c)
        if (keyLength < 0 || keyLength > c.end - c.pos) return `record ${i}: invalid header key length ${keyLength}`
        c.pos += keyLength
        skipBytes(c)
      }
      if (c.pos !== recordEnd) return `record ${i}: fields end before its length`
      c.end = end
    }
  } catch (err) {
    if (err instanceof RecordFormatError) return `record ${i}: ${err.message}`
    throw err
  }
  if (c.pos !== end) return `${end - c.pos} bytes left after ${count} records`
  return null
}

function skipBytes (c: Cursor): void {
  const length = readVarint(c)
  if (length <= 0) return
  if (length > c.end - c.pos) throw new RecordFormatError(`field of ${length} bytes runs past the record`)
  c.pos += length
}

function byteLength (b: RecordBytes | undefined): number {
  if (b === null || b === undefined) return -1
  return typeof b === 'string' ? Buffer.byteLength(b, 'utf8') : b.length
}

function sizeOfBytes (b: RecordBytes | undefined): number {
  const length = byteLength(b)
  return length < 0 ? 1 : sizeOfVarint(length) + length
}

function writeBytes (buf: Buffer, pos: number, b: RecordBytes | undefined): number {
  if (b === null || b === undefined) return writeVarint(buf, pos, -1)
  if (typeof b === 'string') {
    const length = Buffer.byteLength(b, 'utf8')
    pos = writeVarint(buf, pos, length)
    return pos + buf.write(b, pos, length, 'utf8')
  }
  pos = writeVarint(buf, pos, b.length)
  // TypedArray set: Buffer.copy's argument handling costs more than the copy for small values.
  buf.set(b, pos)
  return pos + b.length
}

function bodySize (r: RecordInput, index: number, baseTimestamp: bigint): number {
  let size = 1 +
    sizeOfVarlong((r.timestamp ?? baseTimestamp) - baseTimestamp) +
    sizeOfVarint(r.offsetDelta ?? index) +
    sizeOfBytes(r.key) +
    sizeOfBytes(r.value)
  const headers = r.headers ?? []
  size += sizeOfVarint(headers.length)
  for (const h of headers) size += sizeOfBytes(h.key) + sizeOfBytes(h.value)
  return size
}

/**
 * Encodes records back to back, as they sit in an uncompressed batch, after `headroom` bytes left
 * unwritten (an uncompressed batch puts its header there instead of copying the records).
 */
export function encodeRecords (records: ReadonlyArray<RecordInput>, baseTimestamp: bigint, headroom = 0): Buffer {
  const sizes = new Int32Array(records.length)
  let total = 0
  for (let i = 0; i < records.length; i++) {
    const size = bodySize(records[i]!, i, baseTimestamp)
    sizes[i] = size
    total += sizeOfVarint(size) + size
  }
  const buf = Buffer.allocUnsafe(headroom + total)
  let pos = headroom
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!
    pos = writeVarint(buf, pos, sizes[i]!)
    buf[pos++] = 0
    pos = writeVarlong(buf, pos, (r.timestamp ?? baseTimestamp) - baseTimestamp)
    pos = writeVarint(buf, pos, r.offsetDelta ?? i)
    pos = writeBytes(buf, pos, r.key)
    pos = writeBytes(buf, pos, r.value)
    const headers = r.headers ?? []
    pos = writeVarint(buf, pos, headers.length)
    for (const h of headers) {
      pos = writeBytes(buf, pos, h.key)
      pos = writeBytes(buf, pos, h.value)
    }
  }
  return buf
}
