// The fuzzers' mutator: a seed (bytes a real client sent, or a valid encoding) plus a short list of
// mutations, each one plain data, so that fast-check can generate, print and shrink them. The
// operators are the ones that break length-prefixed binary formats: bit flips, bytes and integers
// set to boundary values (huge counts and lengths, -1, sign bits), unsigned varints written in
// place (compact lengths), truncation, insertion, deletion, duplication of a region, splices of
// another seed's bytes, a rewritten api version, and the frame's size prefix made to agree again
// (so that a mutated frame still reaches the decoders behind the frame splitter).
import fc from 'fast-check'

type Mutation =
  | { op: 'flip', at: number, bit: number }
  | { op: 'byte', at: number, value: number }
  | { op: 'int', at: number, width: 1 | 2 | 4, value: number }
  | { op: 'varint', at: number, value: number }
  | { op: 'cut', at: number }
  | { op: 'insert', at: number, bytes: Uint8Array }
  | { op: 'delete', at: number, length: number }
  | { op: 'dup', at: number, length: number }
  | { op: 'splice', seed: number, from: number, length: number, at: number }
  | { op: 'version', value: number }
  | { op: 'size' }

/** A mutated input: which seed, and what was done to it. */
export interface MutatedInput { seed: number, mutations: Mutation[] }

/** Boundary values of signed and unsigned 8/16/32-bit fields (lengths, counts, ids, versions). */
const INTERESTING = [
  0, 1, -1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, -0x8000, 0xffff, 0x10000, 0x100000,
  0x7fffffff, -0x80000000, 0x3fffffff, 64, 1000, 4096
] as const

// Positions are drawn from a wide range and reduced modulo the input's length when applied, so a
// mutation stays meaningful whatever the seed's size (and shrinks towards the start).
const position = fc.nat({ max: 1 << 16 })

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('byte' as const), at: position, value: fc.nat({ max: 255 }) }), weight: 2 },
  {
    arbitrary: fc.record({
      op: fc.constant('int' as const),
      at: position,
      width: fc.constantFrom(1 as const, 2 as const, 4 as const),
      value: fc.oneof(fc.constantFrom(...INTERESTING), fc.integer({ min: -0x80000000, max: 0x7fffffff }))
    }),
    weight: 4
  },
  { arbitrary: fc.record({ op: fc.constant('varint' as const), at: position, value: fc.oneof(fc.constantFrom(0, 1, 0x7f, 0x80, 0x3fff, 0x7fffffff, 0xffffffff), fc.nat()) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('cut' as const), at: position }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 16 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('dup' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('splice' as const), seed: fc.nat(), from: position, length: fc.integer({ min: 1, max: 256 }), at: position }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('version' as const), value: fc.oneof(fc.integer({ min: -1, max: 20 }), fc.constantFrom(0x7fff, -0x8000)) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('size' as const) }), weight: 3 }
)

export function mutatedInputArb (seedCount: number, maxMutations = 6): fc.Arbitrary<MutatedInput> {
  return fc.record({
    seed: fc.nat({ max: seedCount - 1 }),
    mutations: fc.array(mutationArb, { minLength: 0, maxLength: maxMutations })
  })
}

function writeInt (buf: Buffer, at: number, width: 1 | 2 | 4, value: number): void {
  for (let i = 0; i < width && at + i < buf.length; i++) buf[at + i] = (value >>> (8 * (width - 1 - i))) & 0xff
}

function unsignedVarint (value: number): Buffer {
  const out: number[] = []
  let v = value >>> 0
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80)
    v >>>= 7
  }
  out.push(v)
  return Buffer.from(out)
}

/** Applies one mutation; `seeds` lends bytes to splices. Never mutates its input. */
function applyMutation (input: Buffer, m: Mutation, seeds: readonly Buffer[]): Buffer {
  const len = input.length
  const at = len === 0 ? 0 : ('at' in m ? m.at % (len + 1) : 0)
  switch (m.op) {
    case 'flip': {
      if (len === 0) return input
      const out = Buffer.from(input)
      out[at % len] = (out[at % len] as number) ^ (1 << m.bit)
      return out
    }
    case 'byte': {
      if (len === 0) return input
      const out = Buffer.from(input)
      out[at % len] = m.value
      return out
    }
    case 'int': {
      const out = Buffer.from(input)
      writeInt(out, at, m.width, m.value)
      return out
    }
    case 'varint': {
      const out = Buffer.from(input)
      unsignedVarint(m.value).copy(out, at)
      return out
    }
    case 'cut': return input.subarray(0, at)
    case 'insert': return Buffer.concat([input.subarray(0, at), m.bytes, input.subarray(at)])
    case 'delete': return Buffer.concat([input.subarray(0, at), input.subarray(at + m.length)])
    case 'dup': return Buffer.concat([input.subarray(0, at + m.length), input.subarray(at)])
    case 'splice': {
      const other = seeds[m.seed % seeds.length] as Buffer
      const from = other.length === 0 ? 0 : m.from % other.length
      return Buffer.concat([input.subarray(0, at), other.subarray(from, from + m.length), input.subarray(at)])
    }
    case 'version': {
      // Request frames: size prefix (4), api key (2), then the api version.
      if (len < 8) return input
      const out = Buffer.from(input)
      out.writeInt16BE(m.value, 6)
      return out
    }
    case 'size': {
      if (len < 4) return input
      const out = Buffer.from(input)
      out.writeInt32BE(len - 4, 0)
      return out
    }
  }
}

export function applyMutations (input: MutatedInput, seeds: readonly Buffer[]): Buffer {
  let out = seeds[input.seed % seeds.length] as Buffer
  for (const m of input.mutations) out = applyMutation(out, m, seeds)
  return out
}
