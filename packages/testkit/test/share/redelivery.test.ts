// Per-record acknowledgement with librdkafka 2.15's share consumer: RELEASE gives the record
// again with a raised delivery count (after Brook's redelivery back-off when one is set), REJECT
// ends it, a record released past share.delivery.count.limit is archived, never delivered again,
// and read_committed never delivers records of aborted transactions.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { Client } from '@brook/client'
import { type ShareMessage, startShareConsumer, startTestBroker } from '@brook/testkit'
import { SHARE_BROKER_CONFIG, prepareQueue, until } from './helpers.js'

function deliveries (messages: readonly ShareMessage[], offset: number): ShareMessage[] {
  return messages.filter((m) => m.offset === offset)
}

test('RELEASE comes back with a raised delivery count after the back-off; REJECT never comes back', { timeout: 180_000 }, async () => {
  const count = 200
  const broker = await startTestBroker(SHARE_BROKER_CONFIG)
  const consumer = await (async () => {
    await prepareQueue(broker.bootstrap, 'retry', 'retriers', count, { 'share.delivery.backoff.ms': '1500' })
    return await startShareConsumer({ bootstrap: broker.bootstrap, group: 'retriers', topic: 'retry', releaseMod: 10, releaseUntil: 2, rejectMod: 7 })
  })()
  try {
    const rejected = Array.from({ length: count }, (_, o) => o).filter((o) => o % 7 === 0)
    const wanted = count - rejected.length
    await until(`${wanted} records accepted`, () => consumer.confirmedAccepted().size === wanted, 120_000)
    // A lock-duration's wait: a rejected or accepted record that were to come back would by now.
    await sleep(2000)
    const m = consumer.messages
    for (let o = 0; o < count; o++) {
      const got = deliveries(m, o)
      if (o % 7 === 0) {
        assert.deepEqual(got.map((x) => [x.deliveryCount, x.ack]), [[1, 'reject']], `offset ${o}`)
      } else if (o % 10 === 0) {
        assert.deepEqual(got.map((x) => [x.deliveryCount, x.ack]), [[1, 'release'], [2, 'accept']], `offset ${o}`)
        const [first, second] = got as [ShareMessage, ShareMessage]
        assert.ok(second.at - first.at >= 1400, `offset ${o} came back after ${second.at - first.at} ms, before the 1500 ms back-off`)
      } else {
        assert.deepEqual(got.map((x) => [x.deliveryCount, x.ack]), [[1, 'accept']], `offset ${o}`)
      }
    }
    // Released records did not hold up the others (no head-of-line blocking): the last offset
    // was delivered before the first released record came back.
    const lastFirstDelivery = deliveries(m, count - 1)[0] as ShareMessage
    const firstRedelivery = deliveries(m, 10)[1] as ShareMessage
    assert.ok(lastFirstDelivery.at <= firstRedelivery.at, 'the queue kept flowing while a released record waited')
  } finally {
    await consumer.stop()
    await broker.close()
  }
})

test('a record released past share.delivery.count.limit is archived and not delivered again', { timeout: 180_000 }, async () => {
  const count = 50
  const broker = await startTestBroker(SHARE_BROKER_CONFIG)
  await prepareQueue(broker.bootstrap, 'poison', 'poison-workers', count, { 'share.delivery.count.limit': '3' })
  const consumer = await startShareConsumer({ bootstrap: broker.bootstrap, group: 'poison-workers', topic: 'poison', releaseMod: 5, releaseUntil: 100 })
  try {
    const poison = Array.from({ length: count }, (_, o) => o).filter((o) => o % 5 === 0)
    await until('the good records accepted and the poison ones delivered 3 times', () =>
      consumer.confirmedAccepted().size === count - poison.length && poison.every((o) => deliveries(consumer.messages, o).length >= 3), 120_000)
    await sleep(2000)
    for (const o of poison) {
      assert.deepEqual(deliveries(consumer.messages, o).map((x) => x.deliveryCount), [1, 2, 3], `offset ${o}`)
    }
  } finally {
    await consumer.stop()
    await broker.close()
  }
})

test('share.isolation.level=read_committed: aborted records are never delivered, committed ones are', { timeout: 120_000 }, async () => {
  const broker = await startTestBroker(SHARE_BROKER_CONFIG)
  const client = new Client({ brokers: [broker.bootstrap] })
  const producer = client.producer({ transactionalId: 'share-txn' })
  try {
    await prepareQueue(broker.bootstrap, 'txq', 'tx-workers', 3, { 'share.isolation.level': 'read_committed' })
    await producer.initTransactions()
    producer.beginTransaction()
    await producer.send({ topic: 'txq', messages: [{ value: 'aborted-1', partition: 0 }, { value: 'aborted-2', partition: 0 }] })
    await producer.abortTransaction()
    producer.beginTransaction()
    await producer.send({ topic: 'txq', messages: [{ value: 'committed-1', partition: 0 }] })
    await producer.commitTransaction()
    const consumer = await startShareConsumer({ bootstrap: broker.bootstrap, group: 'tx-workers', topic: 'txq' })
    try {
      await until('the committed records accepted', () => consumer.confirmedAccepted().size === 4, 60_000)
      await sleep(1000)
      assert.deepEqual(consumer.messages.map((m) => m.value).sort(), ['committed-1', 'm0', 'm1', 'm2'])
    } finally {
      await consumer.stop()
    }
  } finally {
    await producer.close()
    await broker.close()
  }
})
