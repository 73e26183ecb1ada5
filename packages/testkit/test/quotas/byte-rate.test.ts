// Byte-rate quotas enforced on real librdkafka clients (confluent-kafka-python): a producer with
// producer_byte_rate=1 MiB/s writing as fast as it can averages within 15 % of the quota and is
// told throttle_time_ms > 0, while a producer under another client id on the same broker is never
// throttled and completes; a consumer with consumer_byte_rate likewise.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin } from '@platformatic/kafka'
import { ensurePromiseWithResolvers, fixturePath, runPython, startTestBroker, type TestBroker } from '@brook/testkit'

ensurePromiseWithResolvers()

const QUOTA = 1024 * 1024
const SECONDS = 10
/** The first seconds hold the bucket's one-window burst; the average is taken after them. */
const WARM_UP = 2

interface Outcome { samples: Array<[number, number]>, throttles: number[], messages: number, errors: string[] }

async function runClient (mode: 'produce' | 'consume', broker: TestBroker, topic: string, clientId: string, seconds: number, maxMessages?: number): Promise<Outcome> {
  const args = [mode, broker.bootstrap, topic, clientId, String(seconds), ...(maxMessages === undefined ? [] : [String(maxMessages)])]
  const result = await runPython(fixturePath('../quotas/quota_client.py'), args, { timeoutMs: 55_000 })
  assert.ok(!result.timedOut, `${clientId} timed out`)
  const out = result.stdout.toString('utf8').trim()
  assert.ok(out !== '', `${clientId}: no output; stderr: ${result.stderr.slice(-2000)}`)
  return JSON.parse(out.split('\n').pop() as string) as Outcome
}

/** Bytes per second between the end of the warm-up and the last sample. */
function steadyRate ({ samples }: Outcome): number {
  const from = samples.find(([t]) => t >= WARM_UP)
  const last = samples[samples.length - 1]
  assert.ok(from !== undefined && last !== undefined && last[0] > from[0] + 3, `too few samples after the warm-up: ${JSON.stringify(samples.slice(-3))}`)
  return (last[1] - from[1]) / (last[0] - from[0])
}

async function setup (broker: TestBroker, topic: string, key: 'producer_byte_rate' | 'consumer_byte_rate', clientId: string): Promise<void> {
  const admin = new Admin({ clientId: 'brook-quota-setup', bootstrapBrokers: [broker.bootstrap], retries: 2, retryDelay: 200 })
  try {
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })
    const altered = await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: 'client-id', entityName: clientId }], ops: [{ key, value: QUOTA, remove: false }] }] })
    assert.deepEqual(altered.map((e) => e.errorCode), [0])
  } finally {
    await admin.close()
  }
}

test('producer_byte_rate: the throttled producer averages its quota, another producer is not throttled', { timeout: 60_000 }, async (t) => {
  const broker = await startTestBroker()
  try {
    await setup(broker, 'quota-produce', 'producer_byte_rate', 'throttled-producer')
    const [throttled, free] = await Promise.all([
      runClient('produce', broker, 'quota-produce', 'throttled-producer', SECONDS),
      runClient('produce', broker, 'quota-produce', 'free-producer', 40, 300)
    ])
    assert.deepEqual(throttled.errors, [])
    assert.deepEqual(free.errors, [])
    const rate = steadyRate(throttled)
    t.diagnostic(`steady rate ${Math.round(rate)} B/s (quota ${QUOTA}), max throttle ${Math.max(...throttled.throttles)} ms`)
    assert.ok(Math.abs(rate - QUOTA) <= 0.15 * QUOTA, `throttled producer averaged ${Math.round(rate)} B/s, quota ${QUOTA}`)
    assert.ok(throttled.throttles.some((ms) => ms > 0), 'the throttled producer was told throttle_time_ms > 0')
    assert.equal(free.messages, 300)
    assert.deepEqual(free.throttles.filter((ms) => ms > 0), [], 'the other producer is never throttled')
  } finally {
    await broker.close()
  }
})

test('consumer_byte_rate: the throttled consumer averages its quota, another consumer is not throttled', { timeout: 60_000 }, async (t) => {
  const broker = await startTestBroker()
  try {
    await setup(broker, 'quota-consume', 'consumer_byte_rate', 'throttled-consumer')
    // 14 MB to read: more than the throttled consumer can take in its run.
    const filled = await runClient('produce', broker, 'quota-consume', 'filler', 40, 1400)
    assert.equal(filled.messages, 1400)
    const [throttled, free] = await Promise.all([
      runClient('consume', broker, 'quota-consume', 'throttled-consumer', SECONDS),
      runClient('consume', broker, 'quota-consume', 'free-consumer', 40, 1400)
    ])
    assert.deepEqual(throttled.errors, [])
    assert.deepEqual(free.errors, [])
    const rate = steadyRate(throttled)
    t.diagnostic(`steady rate ${Math.round(rate)} B/s (quota ${QUOTA}), max throttle ${Math.max(...throttled.throttles)} ms`)
    assert.ok(Math.abs(rate - QUOTA) <= 0.15 * QUOTA, `throttled consumer averaged ${Math.round(rate)} B/s, quota ${QUOTA}`)
    assert.ok(throttled.throttles.some((ms) => ms > 0), 'the throttled consumer was told throttle_time_ms > 0')
    assert.equal(free.messages, 1400)
    assert.deepEqual(free.throttles.filter((ms) => ms > 0), [], 'the other consumer is never throttled')
  } finally {
    await broker.close()
  }
})
