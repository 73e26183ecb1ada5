// Wire codecs of the primitive types, chosen once per (type, nullable, flexible) when a schema is
// compiled. Flexible versions use the compact forms (unsigned varint length + 1, 0 = null).
import { ProtocolError } from '../protocol-error.js'
import type { Reader } from '../primitives/reader.js'
import type { Writer } from '../primitives/writer.js'
import { ZERO_UUID } from '../primitives/uuid.js'

export type Read = (r: Reader) => unknown
export type Write = (w: Writer, v: unknown) => void

export interface ScalarCodec {
  readonly read: Read
  readonly write: Write
}

const EMPTY_BUFFER: Buffer = Buffer.alloc(0)

/** The zero value of a primitive type (Kafka's default when the spec gives none). */
export function zeroOf (type: string): unknown {
  switch (type) {
    case 'bool': return false
    case 'int64': return 0n
    case 'string': return ''
    case 'uuid': return ZERO_UUID
    case 'bytes': return EMPTY_BUFFER
    case 'records': return null
    default: return 0
  }
}

const int8: ScalarCodec = { read: (r) => r.readInt8(), write: (w, v) => { w.writeInt8(v as number) } }
const int16: ScalarCodec = { read: (r) => r.readInt16(), write: (w, v) => { w.writeInt16(v as number) } }
const uint16: ScalarCodec = { read: (r) => r.readUInt16(), write: (w, v) => { w.writeUInt16(v as number) } }
const int32: ScalarCodec = { read: (r) => r.readInt32(), write: (w, v) => { w.writeInt32(v as number) } }
const uint32: ScalarCodec = { read: (r) => r.readUInt32(), write: (w, v) => { w.writeUInt32(v as number) } }
const int64: ScalarCodec = { read: (r) => r.readInt64(), write: (w, v) => { w.writeInt64(v as bigint) } }
const float64: ScalarCodec = { read: (r) => r.readFloat64(), write: (w, v) => { w.writeFloat64(v as number) } }
const bool: ScalarCodec = { read: (r) => r.readBool(), write: (w, v) => { w.writeBool(v as boolean) } }
const uuid: ScalarCodec = { read: (r) => r.readUuid(), write: (w, v) => { w.writeUuid(v as string) } }

const strings: Record<string, ScalarCodec> = {
  plain: { read: (r) => r.readString(), write: (w, v) => { w.writeString(v as string) } },
  nullable: { read: (r) => r.readNullableString(), write: (w, v) => { w.writeNullableString(v as string | null) } },
  compact: { read: (r) => r.readCompactString(), write: (w, v) => { w.writeCompactString(v as string) } },
  compactNullable: { read: (r) => r.readCompactNullableString(), write: (w, v) => { w.writeCompactNullableString(v as string | null) } }
}

const bytes: Record<string, ScalarCodec> = {
  plain: { read: (r) => r.readBytes(), write: (w, v) => { w.writeBytes(v as Buffer) } },
  nullable: { read: (r) => r.readNullableBytes(), write: (w, v) => { w.writeNullableBytes(v as Buffer | null) } },
  compact: { read: (r) => r.readCompactBytes(), write: (w, v) => { w.writeCompactBytes(v as Buffer) } },
  compactNullable: { read: (r) => r.readCompactNullableBytes(), write: (w, v) => { w.writeCompactNullableBytes(v as Buffer | null) } }
}

/** Records: one Buffer, or chunks written back to back by reference (Fetch serving log segments). */
function writeRecords (w: Writer, v: unknown, compact: boolean): void {
  if (v === null) {
    if (compact) w.writeUnsignedVarint(0)
    else w.writeInt32(-1)
    return
  }
  if (Buffer.isBuffer(v)) {
    if (compact) w.writeCompactBytes(v)
    else w.writeBytes(v)
    return
  }
  const chunks = v as readonly Buffer[]
  let total = 0
  for (const c of chunks) total += c.length
  if (compact) w.writeUnsignedVarint(total + 1)
  else w.writeInt32(total)
  for (const c of chunks) w.writeBufferRef(c)
}

const records: Record<string, ScalarCodec> = {
  plain: { read: (r) => r.readBytes(), write: (w, v) => { writeRecords(w, v, false) } },
  nullable: { read: (r) => r.readNullableBytes(), write: (w, v) => { writeRecords(w, v, false) } },
  compact: { read: (r) => r.readCompactBytes(), write: (w, v) => { writeRecords(w, v, true) } },
  compactNullable: { read: (r) => r.readCompactNullableBytes(), write: (w, v) => { writeRecords(w, v, true) } }
}

const fixed: Record<string, ScalarCodec> = { int8, int16, uint16, int32, uint32, int64, float64, bool, uuid }

export function scalarCodec (type: string, nullable: boolean, flexible: boolean): ScalarCodec {
  const f = fixed[type]
  if (f !== undefined) return f
  const family = type === 'string' ? strings : type === 'bytes' ? bytes : type === 'records' ? records : undefined
  if (family === undefined) throw new ProtocolError('BROOK_ERR_INVALID_VALUE', `unknown primitive type ${type}`)
  const key = flexible ? (nullable ? 'compactNullable' : 'compact') : (nullable ? 'nullable' : 'plain')
  return family[key] as ScalarCodec
}

export function isPrimitive (type: string): boolean {
  return type in fixed || type === 'string' || type === 'bytes' || type === 'records'
}
