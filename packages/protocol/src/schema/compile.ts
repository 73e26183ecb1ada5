// Compiles the schema data of one struct at one version into closures: a decoder, an encoder, a
// default-value check (tagged fields are sent only when they differ from their default) and a
// default-value factory. Compiled once per (message, version) and cached by codec.ts.
//
// Struct layout at version v: the fields present in v and not tagged in v, in declaration order;
// then, in flexible versions, the tagged-field section: unsigned varint count, then per field in
// ascending tag order: unsigned varint tag, unsigned varint size, the value (flexible encoding).
// Every struct, nested or tagged, ends with its own tagged-field section in flexible versions.
// A nullable non-array struct is preceded by an int8 marker (-1 null, 1 present).
// Unknown tags are skipped on decode; absent fields decode to their default. Malformed input throws
// a ProtocolError (the caller answers with an error or closes the connection); encoding a null
// where the version forbids it throws BROOK_ERR_NULL_NOT_ALLOWED.
import { ProtocolError } from '../protocol-error.js'
import { Reader } from '../primitives/reader.js'
import { Writer } from '../primitives/writer.js'
import type { FieldSchema } from './types.js'
import { inVersions } from './versions.js'
import { isPrimitive, scalarCodec, zeroOf, type Read, type Write } from './scalars.js'

export type Struct = Record<string, unknown>

export interface StructCodec {
  readonly decode: (r: Reader) => Struct
  readonly encode: (w: Writer, v: Struct) => void
  readonly isDefault: (v: Struct) => boolean
  readonly makeDefault: () => Struct
}

interface FieldPlan {
  readonly name: string
  /** Untagged and present in this version: read/written in place. */
  readonly inline: boolean
  /** Tag when tagged in this version, else -1. */
  readonly tag: number
  readonly read: Read
  readonly write: Write
  readonly def: () => unknown
  readonly isDefault: (v: unknown) => boolean
}

function nullError (path: string): ProtocolError {
  return new ProtocolError('BROOK_ERR_NULL_NOT_ALLOWED', `${path} is null in a version where it is not nullable`)
}

function arrayRead (element: Read, compact: boolean, nullable: boolean, path: string): Read {
  return (r) => {
    const n = r.readArrayLength(compact)
    if (n < 0) {
      if (nullable) return null
      throw nullError(path)
    }
    const a: unknown[] = []
    for (let i = 0; i < n; i++) a.push(element(r))
    return a
  }
}

function arrayWrite (element: Write, compact: boolean, nullable: boolean, path: string): Write {
  return (w, v) => {
    if (v === null) {
      if (!nullable) throw nullError(path)
      w.writeArrayLength(null, compact)
      return
    }
    const a = v as readonly unknown[]
    w.writeArrayLength(a.length, compact)
    for (let i = 0; i < a.length; i++) element(w, a[i])
  }
}

function planField (f: FieldSchema, version: number, flexible: boolean, parent: string): FieldPlan {
  const path = `${parent}.${f.name}`
  const present = inVersions(f.versions, version)
  const tagged = present && flexible && f.tag !== undefined && inVersions(f.taggedVersions, version)
  const nullable = present && inVersions(f.nullableVersions, version)
  // Tagged values always use the flexible encoding; only the header's clientId opts out of it.
  const compact = f.flexibleVersions !== undefined ? inVersions(f.flexibleVersions, version) : flexible
  const isArray = f.type.startsWith('[]')
  const base = isArray ? f.type.slice(2) : f.type
  const sub = f.fields !== undefined ? compileStruct(f.fields, version, flexible, path) : undefined
  if (sub === undefined && !isPrimitive(base)) throw new ProtocolError('BROOK_ERR_INVALID_VALUE', `${path}: struct ${base} has no fields`)

  let read: Read
  let write: Write
  if (sub !== undefined) {
    const decode = sub.decode
    const encode = sub.encode as Write
    if (isArray) {
      read = arrayRead(decode, compact, nullable, path)
      write = arrayWrite(encode, compact, nullable, path)
    } else if (nullable) {
      // Tagged or not, a nullable struct starts with a marker (a null tagged struct is simply not sent).
      read = (r) => r.readInt8() < 0 ? null : decode(r)
      write = (w, v) => {
        if (v === null) { w.writeInt8(-1); return }
        w.writeInt8(1)
        encode(w, v)
      }
    } else {
      read = decode
      write = (w, v) => {
        if (v === null) throw nullError(path)
        encode(w, v)
      }
    }
  } else if (isArray) {
    const element = scalarCodec(base, false, compact)
    read = arrayRead(element.read, compact, nullable, path)
    write = arrayWrite(element.write, compact, nullable, path)
  } else {
    const codec = scalarCodec(base, nullable, compact)
    read = codec.read
    if (!nullable && (base === 'string' || base === 'bytes' || base === 'records' || base === 'uuid')) {
      const inner = codec.write
      write = (w, v) => {
        if (v === null) throw nullError(path)
        inner(w, v)
      }
    } else {
      write = codec.write
    }
  }

  let def: () => unknown
  let isDefault: (v: unknown) => boolean
  if (f.default !== undefined && f.default !== null) {
    const d = f.default
    def = () => d
    isDefault = (v) => v === d
  } else if (f.default === null || base === 'records') {
    def = () => null
    isDefault = (v) => v === null
  } else if (isArray) {
    def = () => []
    isDefault = (v) => v !== null && (v as readonly unknown[]).length === 0
  } else if (sub !== undefined) {
    def = sub.makeDefault
    isDefault = (v) => v !== null && sub.isDefault(v as Struct)
  } else if (base === 'bytes') {
    def = () => zeroOf('bytes')
    isDefault = (v) => v !== null && (v as Buffer).length === 0
  } else {
    const z = zeroOf(base)
    def = () => z
    isDefault = (v) => v === z
  }

  return { name: f.name, inline: present && !tagged, tag: tagged ? f.tag : -1, read, write, def, isDefault }
}

export function compileStruct (fields: readonly FieldSchema[], version: number, flexible: boolean, path: string): StructCodec {
  const plans = fields.map((f) => planField(f, version, flexible, path))
  const inline = plans.filter((p) => p.inline)
  const tagged = plans.filter((p) => p.tag >= 0).sort((a, b) => a.tag - b.tag)
  const present = plans.filter((p) => p.inline || p.tag >= 0)
  const byTag: Array<FieldPlan | undefined> = []
  for (const p of tagged) byTag[p.tag] = p
  const nPlans = plans.length

  function decode (r: Reader): Struct {
    const o: Struct = {}
    for (let i = 0; i < nPlans; i++) {
      const p = plans[i] as FieldPlan
      o[p.name] = p.inline ? p.read(r) : p.def()
    }
    if (flexible) {
      const count = r.readUnsignedVarint()
      for (let i = 0; i < count; i++) {
        const tag = r.readUnsignedVarint()
        const size = r.readUnsignedVarint()
        const start = r.pos
        r.skip(size)
        const p = byTag[tag]
        if (p !== undefined) o[p.name] = p.read(new Reader(r.buf, start, start + size))
      }
    }
    return o
  }

  /** Whether a field's value must be sent as a tag; undefined means "the default", sent never. */
  function differs (p: FieldPlan, x: unknown): boolean {
    return x !== undefined && !p.isDefault(x)
  }

  function encode (w: Writer, v: Struct): void {
    for (let i = 0; i < inline.length; i++) {
      const p = inline[i] as FieldPlan
      const x = v[p.name]
      p.write(w, x === undefined ? p.def() : x)
    }
    if (!flexible) return
    let count = 0
    for (let i = 0; i < tagged.length; i++) {
      const p = tagged[i] as FieldPlan
      if (differs(p, v[p.name])) count++
    }
    w.writeUnsignedVarint(count)
    if (count === 0) return
    for (const p of tagged) {
      const x = v[p.name]
      if (!differs(p, x)) continue
      // The size prefix is a varint, so the value is encoded aside first (tagged fields are rare).
      const aside = new Writer(256)
      p.write(aside, x)
      const bytes = aside.toBuffer()
      w.writeUnsignedVarint(p.tag)
      w.writeUnsignedVarint(bytes.length)
      w.writeRaw(bytes)
    }
  }

  function isDefault (v: Struct): boolean {
    for (const p of present) if (differs(p, v[p.name])) return false
    return true
  }

  function makeDefault (): Struct {
    const o: Struct = {}
    for (const p of plans) o[p.name] = p.def()
    return o
  }

  return { decode, encode, isDefault, makeDefault }
}
