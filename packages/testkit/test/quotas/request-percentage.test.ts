// request_percentage on a real librdkafka client (confluent-kafka-python): a producer whose client
// id may use 0.5 % of the broker's time (5 ms of event-loop work per second) and sends a Produce
// request every few milliseconds is told throttle_time_ms > 0 and slowed down, while a producer
// under another client id on the same broker is never throttled and completes its work.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin } from '@platformatic/kafka'
import { ensurePromiseWithResolvers, fixturePath, runPython, startTestBroker, type TestBroker } from '@brook/testkit'

ensurePromiseWithResolvers()

interface Outcome { samples: Array<[number, number]>, throttles: number[], messages: number, errors: string[] }

async function produce (broker: TestBroker, topic: string, clientId: string, seconds: number, maxMessages?: number): Promise<Outcome> {
  const args = ['produce', broker.bootstrap, topic, clientId, String(seconds), ...(maxMessages === undefined ? [] : [String(maxMessages)])]
  const result = await runPython(fixturePath('../quotas/quota_client.py'), args, { timeoutMs: 55_000 })
  assert.ok(!result.timedOut, `${clientId} timed out`)
  const out = result.stdout.toString('utf8').trim()
  assert.ok(out !== '', `${clientId}: no output; stderr: ${result.stderr.slice(-2000)}`)
  return JSON.parse(out.split('\n').pop() as string) as Outcome
}

test('request_percentage: the busy client is throttled, another client is not', { timeout: 90_000 }, async (t) => {
  const broker = await startTestBroker()
  const admin = new Admin({ clientId: 'brook-quota-setup', bootstrapBrokers: [broker.bootstrap], retries: 2, retryDelay: 200 })
  try {
    await admin.createTopics({ topics: ['quota-requests'], partitions: 1, replicas: 1 })
    const altered = await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: 'client-id', entityName: 'busy-producer' }], ops: [{ key: 'request_percentage', value: 0.5, remove: false }] }] })
    assert.deepEqual(altered.map((e) => e.errorCode), [0])
    const described = await admin.describeClientQuotas({ components: [{ entityType: 'client-id', matchType: 0, match: 'busy-producer' }] })
    assert.deepEqual(described.map((e) => e.values.map((v) => [v.key, v.value])), [[['request_percentage', 0.5]]])

    const [busy, free] = await Promise.all([
      produce(broker, 'quota-requests', 'busy-producer', 8),
      produce(broker, 'quota-requests', 'free-producer', 40, 300)
    ])
    assert.deepEqual(busy.errors, [])
    assert.deepEqual(free.errors, [])
    const throttled = busy.throttles.filter((ms) => ms > 0)
    t.diagnostic(`busy producer: ${busy.messages} messages, ${throttled.length} throttled responses, max ${Math.max(0, ...throttled)} ms`)
    assert.ok(throttled.length > 0, 'the busy producer was told throttle_time_ms > 0')
    // A throttle never exceeds quota.window.num × quota.window.size.seconds (11 s by default).
    assert.ok(throttled.every((ms) => ms <= 11_000), `throttles within the cap: ${throttled.join(', ')}`)
    assert.equal(free.messages, 300)
    assert.deepEqual(free.throttles.filter((ms) => ms > 0), [], 'the other producer is never throttled')
  } finally {
    await admin.close()
    await broker.close()
  }
})
