// Dead-letter topics (KIP-1191) and message TTL (Brook) with librdkafka 2.15's share consumer:
// rejected records and records past the delivery limit land once on the group's DLQ topic with
// the __dlq.errors.* context headers (and the original value when copying is on), and never come
// back to the queue; records older than message.ttl.ms are never delivered and are dead-lettered.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { Client } from '@brook/client'
import { type KcatMessage, kcatConsumeAll, startShareConsumer, startTestBroker } from '@brook/testkit'
import { SHARE_BROKER_CONFIG, alterGroupConfigs, prepareQueue, until } from './helpers.js'

/** kcat -J prints headers as a flat [key, value, key, value, ...] list. */
function headersOf (m: KcatMessage): Map<string, string> {
  const out = new Map<string, string>()
  const h = m.headers ?? []
  for (let i = 0; i + 1 < h.length; i += 2) out.set(h[i] as string, h[i + 1] as string)
  return out
}

async function deadLetters (bootstrap: string, topic: string): Promise<Map<number, Map<string, string>>> {
  const out = new Map<number, Map<string, string>>()
  for (const m of await kcatConsumeAll(bootstrap, topic)) {
    const h = headersOf(m)
    const offset = Number(h.get('__dlq.errors.offset'))
    assert.ok(!out.has(offset), `offset ${offset} dead-lettered twice`)
    out.set(offset, new Map([...h, ['value', m.payload ?? '']]))
  }
  return out
}

test('rejected and poison records land once on the DLQ topic with context headers', { timeout: 180_000 }, async () => {
  const count = 100
  const broker = await startTestBroker(SHARE_BROKER_CONFIG)
  const client = new Client({ brokers: [broker.bootstrap] })
  const admin = client.admin()
  try {
    await admin.createTopics([{ topic: 'dlq.orders', numPartitions: 1, configs: { 'errors.deadletterqueue.group.enable': 'true' } }])
    await prepareQueue(broker.bootstrap, 'orders', 'order-workers', count, {
      'errors.deadletterqueue.topic.name': 'dlq.orders',
      'errors.deadletterqueue.copy.record.enable': 'true',
      'share.delivery.count.limit': '2'
    })
    const consumer = await startShareConsumer({ bootstrap: broker.bootstrap, group: 'order-workers', topic: 'orders', rejectMod: 7, releaseMod: 5, releaseUntil: 100 })
    const rejected = Array.from({ length: count }, (_, o) => o).filter((o) => o % 7 === 0)
    const poison = Array.from({ length: count }, (_, o) => o).filter((o) => o % 5 === 0 && o % 7 !== 0)
    try {
      await until('the DLQ holds every dead record', async () => (await deadLetters(broker.bootstrap, 'dlq.orders')).size === rejected.length + poison.length, 120_000)
      await until('the good records accepted', () => consumer.confirmedAccepted().size === count - rejected.length - poison.length, 60_000)
      await sleep(2000)
      const dlq = await deadLetters(broker.bootstrap, 'dlq.orders')
      for (const o of rejected) {
        const h = dlq.get(o)
        assert.equal(h?.get('__dlq.errors.reason'), 'rejected', `offset ${o}`)
        assert.equal(h?.get('__dlq.errors.delivery.count'), '1')
      }
      for (const o of poison) assert.equal(dlq.get(o)?.get('__dlq.errors.reason'), 'delivery count limit reached', `offset ${o}`)
      for (const [o, h] of dlq) {
        assert.equal(h.get('__dlq.errors.topic'), 'orders')
        assert.equal(h.get('__dlq.errors.partition'), '0')
        assert.equal(h.get('__dlq.errors.group.id'), 'order-workers')
        assert.equal(h.get('value'), `m${o}`, 'the original value is copied')
      }
      // Dead records never came back to the queue: rejected ones were delivered once, poison ones twice.
      for (const o of rejected) assert.equal(consumer.messages.filter((m) => m.offset === o).length, 1)
      for (const o of poison) assert.equal(consumer.messages.filter((m) => m.offset === o).length, 2)
    } finally {
      await consumer.stop()
    }
  } finally {
    await admin.close()
    await broker.close()
  }
})

test('message.ttl.ms: expired records are never delivered and land on the DLQ (auto-created)', { timeout: 180_000 }, async () => {
  const broker = await startTestBroker({ ...SHARE_BROKER_CONFIG, 'errors.deadletterqueue.auto.create.topics.enable': 'true' })
  const client = new Client({ brokers: [broker.bootstrap] })
  const admin = client.admin()
  const producer = client.producer()
  try {
    await admin.createTopics([{ topic: 'ttl-q', numPartitions: 1, configs: { 'message.ttl.ms': '1500' } }])
    await alterGroupConfigs(broker.bootstrap, 'ttl-workers', { 'errors.deadletterqueue.topic.name': 'dlq.ttl' })
    await producer.send({ topic: 'ttl-q', messages: Array.from({ length: 20 }, (_, i) => ({ value: `old${i}` })) })
    await sleep(2500)
    await producer.send({ topic: 'ttl-q', messages: Array.from({ length: 20 }, (_, i) => ({ value: `new${i}` })) })
    const consumer = await startShareConsumer({ bootstrap: broker.bootstrap, group: 'ttl-workers', topic: 'ttl-q' })
    try {
      await until('the fresh records accepted', () => consumer.confirmedAccepted().size === 20, 60_000)
      assert.deepEqual(consumer.messages.map((m) => m.value).sort(), Array.from({ length: 20 }, (_, i) => `new${i}`).sort())
      await until('the expired records dead-lettered', async () => (await deadLetters(broker.bootstrap, 'dlq.ttl')).size === 20, 60_000)
      const dlq = await deadLetters(broker.bootstrap, 'dlq.ttl')
      assert.deepEqual([...dlq.keys()].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i))
      for (const h of dlq.values()) {
        assert.equal(h.get('__dlq.errors.reason'), 'message ttl expired')
        assert.equal(h.get('value'), '', 'the record is not copied by default')
      }
    } finally {
      await consumer.stop()
    }
  } finally {
    await producer.close()
    await admin.close()
    await broker.close()
  }
})
