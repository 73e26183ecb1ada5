// The short seeded run of the stateful network fuzzer (the long run: bench/reliability/fuzz.mjs
// --target network): mutated golden frames of real clients on many connections to an in-process
// broker, beside a kafkajs producer and consumer group. Checks: every hostile connection is
// answered in order or closed, nothing hangs, the well-behaved client never fails and reads back
// everything acknowledged, and the broker still answers a fresh client at the end.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { probeApiVersions, startTestBroker } from '@brook/testkit'
import { runNetworkFuzz } from './network-fuzz.js'
import { startWellBehaved } from './well-behaved.js'

const SEED = 0x22
const CONNECTIONS = 200

test('network fuzz: hostile connections answered or closed, a well-behaved client served throughout', { timeout: 120_000 }, async () => {
  const broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0' })
  try {
    const good = await startWellBehaved(broker.bootstrap, 'fuzz-good')
    const report = await runNetworkFuzz({ host: broker.host, port: broker.port, seed: SEED, connections: CONNECTIONS, concurrency: 8, answerTimeoutMs: 30_000 })
    const served = await good.finish(30_000)
    assert.deepEqual(report.failures, [], JSON.stringify(report.failures.slice(0, 3)))
    assert.equal(report.connections, CONNECTIONS)
    // The mix must reach both ends: requests answered, and connections the broker closed.
    assert.ok(report.outcomes.answered > CONNECTIONS / 10, JSON.stringify(report.outcomes))
    assert.ok(report.outcomes.closed > CONNECTIONS / 10, JSON.stringify(report.outcomes))
    assert.deepEqual(served.errors, [])
    assert.ok(served.acknowledged > 0)
    const versions = await probeApiVersions(broker.host, broker.port)
    assert.equal(versions.errorCode, 0)
  } finally {
    await broker.close()
  }
})
