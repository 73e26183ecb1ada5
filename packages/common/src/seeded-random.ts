// A seeded pseudo-random generator (mulberry32: small, fast, 32 bits of state) for tests,
// fuzzers and fault campaigns, whose runs replay exactly from their seed. Not for anything secret.

/** Numbers in [0, 1), like Math.random. */
export type Rng = () => number

/** The same seed gives the same sequence, on every platform. */
export function prng (seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
