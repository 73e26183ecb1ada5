// The retry pattern built on delivery.delay.ms, with a kafkajs consumer group: a record whose
// processing fails goes to orders.retry-1 (1 s delay), then orders.retry-2 (2 s), then the
// dead-letter topic orders.dlt, as Spring Kafka's non-blocking retries do; the main topic never
// blocks behind a failing record. A record that fails once succeeds on its first retry, no sooner
// than the retry topic's delay.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { startTestBroker, waitFor } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
const STAGES = [
  { topic: 'orders', delayMs: 0 },
  { topic: 'orders.retry-1', delayMs: 1000 },
  { topic: 'orders.retry-2', delayMs: 2000 }
]
const DLT = 'orders.dlt'

test('retry topics with growing delays and a dead-letter topic (kafkajs group)', { timeout: 120_000 }, async () => {
  const broker = await startTestBroker()
  const kafka = new Kafka({ clientId: 'retries', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer()
  const consumer = kafka.consumer({ groupId: 'order-handlers', maxWaitTimeInMs: 5000 })
  const dltConsumer = kafka.consumer({ groupId: 'dlt-watch' })
  try {
    await admin.connect()
    await admin.createTopics({
      topics: [
        ...STAGES.map((s) => ({ topic: s.topic, numPartitions: 1, configEntries: s.delayMs > 0 ? [{ name: 'delivery.delay.ms', value: String(s.delayMs) }] : [] })),
        { topic: DLT, numPartitions: 1 }
      ]
    })
    await producer.connect()
    const handled: Array<{ value: string, stage: number, at: number }> = []
    const failedAt = new Map<string, number[]>()
    const dead: string[] = []
    // The application's handler: 'poison' always fails, 'flaky' fails on its first attempt.
    const process = (value: string, stage: number): boolean => value === 'ok' || (value === 'flaky' && stage > 0)
    await consumer.connect()
    await consumer.subscribe({ topics: STAGES.map((s) => s.topic), fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const stage = STAGES.findIndex((s) => s.topic === topic)
        const value = message.value?.toString() ?? ''
        const now = Date.now()
        if (process(value, stage)) {
          handled.push({ value, stage, at: now })
          return
        }
        failedAt.set(value, [...(failedAt.get(value) ?? []), now])
        const next = STAGES[stage + 1]?.topic ?? DLT
        await producer.send({ topic: next, messages: [{ key: message.key, value: message.value, headers: { ...message.headers, 'retry.stage': String(stage + 1) } }] })
      }
    })
    await dltConsumer.connect()
    await dltConsumer.subscribe({ topic: DLT, fromBeginning: true })
    await dltConsumer.run({ eachMessage: async ({ message }) => { dead.push(message.value?.toString() ?? '') } })

    await producer.send({ topic: 'orders', messages: [{ value: 'poison' }, { value: 'flaky' }, { value: 'ok' }] })
    await waitFor(() => dead.length >= 1 && handled.length >= 2, 60_000, { message: 'the poison record reaches the DLT, the others are handled' })
    assert.deepEqual(dead, ['poison'])
    assert.deepEqual(handled.map((h) => [h.value, h.stage]).sort(), [['flaky', 1], ['ok', 0]])
    const poison = failedAt.get('poison') ?? []
    assert.equal(poison.length, 3, 'poison failed on the main topic and on both retry topics')
    assert.ok((poison[1] ?? 0) - (poison[0] ?? 0) >= 1000, `first retry after at least 1 s (${(poison[1] ?? 0) - (poison[0] ?? 0)} ms)`)
    assert.ok((poison[2] ?? 0) - (poison[1] ?? 0) >= 2000, `second retry after at least 2 s (${(poison[2] ?? 0) - (poison[1] ?? 0)} ms)`)
    const flaky = handled.find((h) => h.value === 'flaky')
    assert.ok((flaky?.at ?? 0) - (failedAt.get('flaky')?.[0] ?? 0) >= 1000, 'flaky succeeded on its delayed retry')
  } finally {
    await consumer.disconnect()
    await dltConsumer.disconnect()
    await producer.disconnect()
    await admin.disconnect()
    await broker.close()
  }
})
