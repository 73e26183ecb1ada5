// Retries with back-off and a dead-letter topic for a consumer group, on Brook's delayed delivery:
// retry topics with delivery.delay.ms (one per attempt), and one scheduling topic with a growing
// brook.delay.ms per record. A failing record comes back no earlier than its delay, the main
// topic keeps flowing meanwhile, and after the last attempt (or at once for an error not worth
// retrying) the record is in the dead-letter topic with the headers saying where it came from.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client, ConfigResourceType, type ConsumerMessage, exponentialDelays, RetryHeader } from '@brook/client'
import { startTestBroker, waitFor } from '@brook/testkit'

interface Handled { key: string, attempt: number, ok: boolean, at: number }

class NotWorthRetrying extends Error {}

const header = (m: ConsumerMessage, key: string): string | undefined => m.headers.find((h) => h.key === key)?.value?.toString('utf8')

async function readAll (bootstrap: string, topic: string, until: (got: ConsumerMessage[]) => boolean): Promise<ConsumerMessage[]> {
  const consumer = new Client({ brokers: [bootstrap] }).consumer({ maxWaitMs: 200 })
  const got: ConsumerMessage[] = []
  try {
    consumer.assign([{ topic, partition: 0, offset: 0n }])
    const reading = (async () => {
      for await (const batch of consumer) {
        got.push(...batch.messages)
        if (until(got)) break
      }
    })()
    await waitFor(() => until(got), 60_000, { message: `records in ${topic}` })
    consumer.stop()
    await reading
  } finally {
    await consumer.close()
  }
  return got
}

test('retry topics with delivery.delay.ms: back-off per attempt, the main topic not blocked, dead letters with their origin', { timeout: 180_000 }, async () => {
  const broker = await startTestBroker()
  const client = new Client({ brokers: [broker.bootstrap] })
  const admin = client.admin()
  const producer = client.producer()
  const worker = client.retryingConsumer({ groupId: 'orders-app', autoOffsetReset: 'earliest', maxWaitMs: 200 }, {
    delaysMs: [700, 1500],
    retryable: (err) => !(err instanceof NotWorthRetrying)
  })
  try {
    await admin.createTopics([{ topic: 'orders', numPartitions: 1 }])
    await worker.subscribe(['orders'])
    const configs = await admin.describeConfigs({ type: ConfigResourceType.Topic, name: 'orders.retry-2' })
    assert.equal(configs.find((c) => c.name === 'delivery.delay.ms')?.value, '1500', 'the second retry topic delays by 1500 ms')
    await producer.send({ topic: 'orders', messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `order ${i}`, headers: { 'trace-id': `t${i}` } })) })
    const handled: Handled[] = []
    const run = worker.run({
      eachMessage: ({ message, attempt, topic }) => {
        assert.equal(topic, 'orders', 'the handler sees the main topic')
        const key = message.key!.toString()
        const fail = key === 'k7' || (key === 'k3' && attempt === 0) || key === 'k5'
        handled.push({ key, attempt, ok: !fail, at: Date.now() })
        assert.equal(header(message, 'trace-id'), `t${key.slice(1)}`, 'the record\'s own headers travel with it')
        if (key === 'k5') throw new NotWorthRetrying('malformed order')
        if (fail) throw new Error(`cannot handle ${key} yet`)
      }
    })
    const dead = await readAll(broker.bootstrap, 'orders.dlt', (got) => got.length >= 2)
    await waitFor(() => handled.some((h) => h.key === 'k3' && h.ok), 60_000, { message: 'k3 handled on its retry' })
    worker.stop()
    await run

    const of = (key: string): Handled[] => handled.filter((h) => h.key === key)
    for (const k of ['k0', 'k1', 'k2', 'k4', 'k6', 'k8', 'k9']) assert.deepEqual(of(k).map((h) => [h.attempt, h.ok]), [[0, true]], k)
    assert.deepEqual(of('k3').map((h) => [h.attempt, h.ok]), [[0, false], [1, true]])
    assert.ok(of('k3')[1]!.at - of('k3')[0]!.at >= 700, `k3's retry came ${of('k3')[1]!.at - of('k3')[0]!.at} ms after its failure`)
    assert.deepEqual(of('k7').map((h) => h.attempt), [0, 1, 2], 'k7: the first delivery and two retries')
    assert.ok(of('k7')[2]!.at - of('k7')[1]!.at >= 1500, 'the second retry waited for the second delay')
    assert.ok(of('k9')[0]!.at < of('k3')[1]!.at, 'the main topic went on while k3 waited')
    assert.deepEqual(of('k5').map((h) => h.attempt), [0], 'an error not worth retrying is not retried')

    const byKey = new Map(dead.map((m) => [m.key!.toString(), m]))
    assert.deepEqual([...byKey.keys()].sort(), ['k5', 'k7'])
    const k7 = byKey.get('k7')!
    assert.equal(k7.value?.toString(), 'order 7')
    assert.equal(header(k7, RetryHeader.attempt), '3')
    assert.equal(header(k7, RetryHeader.topic), 'orders')
    assert.equal(header(k7, RetryHeader.partition), '0')
    assert.equal(header(k7, RetryHeader.offset), '7', 'the offset in the main topic, not in the retry topic')
    assert.match(header(k7, RetryHeader.error) ?? '', /cannot handle k7 yet/)
    assert.equal(header(k7, 'trace-id'), 't7')
    assert.equal(k7.headers.filter((h) => h.key === RetryHeader.attempt).length, 1, 'one set of retry headers')
    assert.equal(header(byKey.get('k5')!, RetryHeader.attempt), '1')
    assert.match(header(byKey.get('k5')!, RetryHeader.error) ?? '', /malformed order/)
  } finally {
    await worker.close()
    await producer.close()
    await admin.close()
    await broker.close()
  }
})

test('scheduled retries: one retry topic, exponential back-off in brook.delay.ms, then the dead-letter topic', { timeout: 180_000 }, async () => {
  const broker = await startTestBroker()
  const client = new Client({ brokers: [broker.bootstrap] })
  const admin = client.admin()
  const producer = client.producer()
  const delays = exponentialDelays(3, 400, 2)
  assert.deepEqual(delays, [400, 800, 1600])
  const worker = client.retryingConsumer({ groupId: 'payments-app', autoOffsetReset: 'earliest', maxWaitMs: 200 }, { delaysMs: delays, mode: 'scheduled' })
  try {
    await admin.createTopics([{ topic: 'payments', numPartitions: 1 }])
    await worker.subscribe(['payments'])
    const configs = await admin.describeConfigs({ type: ConfigResourceType.Topic, name: 'payments.retry' })
    assert.equal(configs.find((c) => c.name === 'delivery.schedule.enable')?.value, 'true')
    await producer.send({ topic: 'payments', messages: [{ key: 'ok', value: 'a' }, { key: 'bad', value: 'b' }] })
    const handled: Handled[] = []
    const run = worker.run({
      eachMessage: ({ message, attempt }) => {
        const key = message.key!.toString()
        handled.push({ key, attempt, ok: key === 'ok', at: Date.now() })
        if (attempt > 0) assert.equal(header(message, RetryHeader.delay), String(delays[attempt - 1]), 'the delay it was scheduled with')
        if (key !== 'ok') throw new Error('card declined')
      }
    })
    const dead = await readAll(broker.bootstrap, 'payments.dlt', (got) => got.length >= 1)
    worker.stop()
    await run
    const bad = handled.filter((h) => h.key === 'bad')
    assert.deepEqual(bad.map((h) => h.attempt), [0, 1, 2, 3])
    for (let i = 1; i < bad.length; i++) {
      assert.ok(bad[i]!.at - bad[i - 1]!.at >= delays[i - 1]!, `retry ${i} came ${bad[i]!.at - bad[i - 1]!.at} ms after the failure, before its ${delays[i - 1]} ms`)
    }
    assert.deepEqual(handled.filter((h) => h.key === 'ok').map((h) => h.attempt), [0])
    assert.equal(dead.length, 1)
    assert.equal(header(dead[0]!, RetryHeader.attempt), '4')
    assert.equal(header(dead[0]!, RetryHeader.offset), '1')
    assert.equal(header(dead[0]!, RetryHeader.delay), undefined, 'a dead letter is not scheduled')
  } finally {
    await worker.close()
    await producer.close()
    await admin.close()
    await broker.close()
  }
})
