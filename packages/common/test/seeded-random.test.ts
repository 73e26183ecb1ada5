import { test } from 'node:test'
import assert from 'node:assert/strict'
import { prng } from '../src/seeded-random.js'

const draws = (seed: number, n: number): number[] => {
  const random = prng(seed)
  return Array.from({ length: n }, () => random())
}

test('a seed gives the same mulberry32 sequence every time', { timeout: 5_000 }, () => {
  // Recorded campaigns and fuzz cases replay from their seed only while these stay as they are.
  assert.deepEqual(draws(1, 3).map((x) => x * 4294967296), [2693262067, 11749833, 2265367787])
  assert.deepEqual(draws(0, 3).map((x) => x * 4294967296), [1144304738, 1416247, 958946056])
  assert.deepEqual(draws(20240601, 50), draws(20240601, 50))
  assert.notDeepEqual(draws(1, 3), draws(2, 3))
  // The seed is taken modulo 2^32.
  assert.deepEqual(draws(2 ** 32 + 7, 5), draws(7, 5))
  assert.deepEqual(draws(-5, 5), draws(2 ** 32 - 5, 5))
})

test('draws lie in [0, 1) and spread over it', { timeout: 5_000 }, () => {
  const xs = draws(42, 10_000)
  assert.ok(xs.every((x) => x >= 0 && x < 1))
  const buckets = new Array<number>(10).fill(0)
  for (const x of xs) buckets[Math.floor(x * 10)]!++
  assert.ok(buckets.every((n) => n > 800 && n < 1200), `buckets ${buckets.join(' ')}`)
})
