// Test-side oracle: builds a value for a message at a version with non-default data in every field
// the version carries, and the value the codec must decode it to (defaults for absent fields),
// following the rules of Kafka's messages/README.md independently of the codec's own compiler.
import type { FieldSchema, MessageSchema } from '../../src/schema/types.js'
import { inVersions } from '../../src/schema/versions.js'
import { ZERO_UUID } from '../../src/primitives/uuid.js'
import type { Rng } from '@brook/common'


const int = (r: Rng, min: number, max: number): number => min + Math.floor(r() * (max - min + 1))

const EXTREMES: Record<string, readonly unknown[]> = {
  int8: [-128, 127, 0], int16: [-32768, 32767, 0], uint16: [0, 65535], int32: [-2147483648, 2147483647, 0],
  uint32: [0, 4294967295], int64: [-(2n ** 63n), 2n ** 63n - 1n, 0n], float64: [0, -1.5, Number.MAX_VALUE]
}

function randomScalar (type: string, r: Rng): unknown {
  const extremes = EXTREMES[type]
  if (extremes !== undefined && r() < 0.2) return extremes[int(r, 0, extremes.length - 1)]
  switch (type) {
    case 'bool': return r() < 0.5
    case 'int8': return int(r, -128, 127)
    case 'int16': return int(r, -32768, 32767)
    case 'uint16': return int(r, 0, 65535)
    case 'int32': return int(r, -2147483648, 2147483647)
    case 'uint32': return int(r, 0, 4294967295)
    case 'int64': return BigInt.asIntN(64, (BigInt(int(r, 0, 2 ** 32 - 1)) << 32n) | BigInt(int(r, 0, 2 ** 32 - 1)))
    case 'float64': return (r() - 0.5) * 1e6
    case 'string': return ['t', 'topic-' + int(r, 0, 999), 'ünï', 'x'.repeat(int(r, 1, 200))][int(r, 0, 3)]
    case 'uuid': {
      const b = Buffer.alloc(16)
      for (let i = 0; i < 16; i++) b[i] = int(r, 0, 255)
      b[0] = int(r, 1, 255)
      const h = b.toString('hex')
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
    }
    case 'bytes': case 'records': {
      const b = Buffer.alloc(int(r, 1, 40))
      for (let i = 0; i < b.length; i++) b[i] = int(r, 0, 255)
      return b
    }
    default: throw new Error(`no sampler for ${type}`)
  }
}

function zero (type: string): unknown {
  switch (type) {
    case 'bool': return false
    case 'int64': return 0n
    case 'string': return ''
    case 'uuid': return ZERO_UUID
    case 'bytes': return Buffer.alloc(0)
    case 'records': return null
    default: return 0
  }
}

/** The value a field takes when the version does not carry it (or a tagged field is not sent). */
function defaultOf (f: FieldSchema, version: number): unknown {
  if (f.default !== undefined) return f.default
  if (f.type.startsWith('[]')) return []
  if (f.fields !== undefined) return defaultStruct(f.fields, version)
  return zero(f.type)
}

function defaultStruct (fields: readonly FieldSchema[], version: number): Record<string, unknown> {
  const o: Record<string, unknown> = {}
  for (const f of fields) o[f.name] = defaultOf(f, version)
  return o
}

export interface Sample { value: Record<string, unknown>, expected: Record<string, unknown> }

/** A non-default value of the field's type, as [what to encode, what must come back]. */
function sampleField (f: FieldSchema, version: number, flexible: boolean, r: Rng): [unknown, unknown] {
  const isArray = f.type.startsWith('[]')
  const base = isArray ? f.type.slice(2) : f.type
  const one = (): [unknown, unknown] => {
    if (f.fields !== undefined) {
      const s = sampleStruct(f.fields, version, flexible, r)
      return [s.value, s.expected]
    }
    let v = randomScalar(base, r)
    if (!isArray) {
      const d = defaultOf(f, version)
      while (v === d || (base === 'bool' && v === d)) v = randomScalar(base, r)
      if (base === 'bool') v = d !== true
    }
    return [v, v]
  }
  if (!isArray) return one()
  const n = int(r, 1, 3)
  const values: unknown[] = []
  const expected: unknown[] = []
  for (let i = 0; i < n; i++) {
    const [v, e] = one()
    values.push(v)
    expected.push(e)
  }
  return [values, expected]
}

function sampleStruct (fields: readonly FieldSchema[], version: number, flexible: boolean, r: Rng): Sample {
  const value: Record<string, unknown> = {}
  const expected: Record<string, unknown> = {}
  for (const f of fields) {
    const present = inVersions(f.versions, version)
    const tagged = present && flexible && inVersions(f.taggedVersions, version)
    if (!present) {
      // Whatever is set is ignored; the decoder fills the default.
      value[f.name] = sampleField(f, version, flexible, r)[0]
      expected[f.name] = defaultOf(f, version)
      continue
    }
    if (inVersions(f.nullableVersions, version) && r() < 0.25) {
      value[f.name] = null
      expected[f.name] = null
      continue
    }
    if (tagged && r() < 0.3) {
      // Left out: a tagged field at its default is not sent and comes back as the default.
      expected[f.name] = defaultOf(f, version)
      continue
    }
    const [v, e] = sampleField(f, version, flexible, r)
    value[f.name] = v
    expected[f.name] = e
  }
  return { value, expected }
}

export function sampleMessage (schema: MessageSchema, version: number, r: Rng): Sample {
  return sampleStruct(schema.fields, version, inVersions(schema.flexibleVersions, version), r)
}
