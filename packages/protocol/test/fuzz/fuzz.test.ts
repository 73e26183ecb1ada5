// The short seeded fuzz run of the normal test command: thousands of mutated inputs per target
// (seeds: golden frames of real clients and a valid encoding of every api at every version), each
// run replayable from its seed. The long run is bench/reliability/fuzz.mjs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fuzzTarget, target, TARGET_NAMES } from './run.js'
import { check, FuzzFailure, installAllocationProbe } from './targets.js'
import { ProtocolError } from '../../src/protocol-error.js'

const RUNS: Record<string, number> = { splitter: 3000, header: 5000, request: 20_000, records: 6000 }

for (const name of TARGET_NAMES) {
  test(`fuzz ${name}: typed errors only, bounded time and allocation`, { timeout: 120_000 }, () => {
    const seed = 0x22f0 + name.length
    const outcome = fuzzTarget(target(name), seed, RUNS[name] ?? 1000)
    assert.equal(outcome.failure, null, JSON.stringify(outcome.failure))
    assert.equal(outcome.runs, RUNS[name])
  })
}

test('the fuzz property fails on an untyped error, a large allocation and a slow input', { timeout: 30_000 }, () => {
  const input = Buffer.from('00')
  const typed = (err: unknown): boolean => err instanceof ProtocolError
  check(input, typed, 1024, () => { throw new ProtocolError('BROOK_ERR_BUFFER_UNDERFLOW', 'short') })
  assert.throws(() => check(input, typed, 1024, () => { throw new TypeError('x.y is undefined') }), FuzzFailure)
  const uninstall = installAllocationProbe()
  try {
    assert.throws(() => check(input, typed, 1024, () => { Buffer.alloc(4096) }), /allocated 4096 bytes/)
  } finally {
    uninstall()
  }
  assert.throws(() => check(input, typed, 1024, () => { const end = Date.now() + 30; while (Date.now() < end); }, 20), /took \d+ ms/)
})
