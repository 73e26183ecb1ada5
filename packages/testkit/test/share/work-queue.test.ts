// Share groups (KIP-932) with librdkafka 2.15's share consumer (rd_kafka_share_*, driven by
// native/share-consumer.c): several consumers on ONE partition all get work, every message is
// accepted exactly once, and records a killed consumer held come back after the lock duration.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { type ShareConsumerProcess, startShareConsumer, startTestBroker } from '@brook/testkit'
import { SHARE_BROKER_CONFIG, prepareQueue, until } from './helpers.js'

const MESSAGES = Number(process.env.BROOK_SHARE_TEST_MESSAGES ?? 30_000)

/** Offsets accepted (confirmed by the broker) across consumers, with how many times each. */
function acceptedCounts (consumers: readonly ShareConsumerProcess[]): Map<number, number> {
  const counts = new Map<number, number>()
  for (const c of consumers) {
    for (const key of c.confirmedAccepted()) {
      const offset = Number(key.split(':')[1])
      counts.set(offset, (counts.get(offset) ?? 0) + 1)
    }
  }
  return counts
}

test('three share consumers on one partition: all get work, every message accepted exactly once', { timeout: 300_000 }, async () => {
  const broker = await startTestBroker(SHARE_BROKER_CONFIG)
  const consumers: ShareConsumerProcess[] = []
  try {
    await prepareQueue(broker.bootstrap, 'work', 'workers', MESSAGES)
    for (let i = 0; i < 3; i++) consumers.push(await startShareConsumer({ bootstrap: broker.bootstrap, group: 'workers', topic: 'work' }))
    await until(`all ${MESSAGES} messages accepted`, () => acceptedCounts(consumers).size === MESSAGES, 240_000)
    const counts = acceptedCounts(consumers)
    for (let o = 0; o < MESSAGES; o++) assert.equal(counts.get(o), 1, `offset ${o} accepted ${counts.get(o) ?? 0} times`)
    for (const [i, c] of consumers.entries()) {
      assert.ok(c.messages.length > 0, `consumer ${i} received nothing`)
      assert.deepEqual(c.errors.filter((e) => !e.includes('acknowledge')), [], `consumer ${i} errors`)
    }
    // Values match offsets: each record is the one produced there.
    for (const c of consumers) for (const m of c.messages.slice(0, 100)) assert.equal(m.value, `m${m.offset}`)
  } finally {
    await Promise.all(consumers.map(async (c) => await c.stop()))
    await broker.close()
  }
})

test('a share consumer killed mid-batch: its records come back after the lock duration to the others', { timeout: 300_000 }, async () => {
  const count = Math.min(MESSAGES, 6000)
  const broker = await startTestBroker(SHARE_BROKER_CONFIG)
  const consumers: ShareConsumerProcess[] = []
  try {
    await prepareQueue(broker.bootstrap, 'jobs', 'job-workers', count)
    // The victim takes a batch and stops acknowledging; then it is killed.
    const victim = await startShareConsumer({ bootstrap: broker.bootstrap, group: 'job-workers', topic: 'jobs', hangAfter: 0 })
    await until('the victim acquired records', () => victim.hanging() && victim.messages.length > 0, 60_000)
    const held = victim.messages.map((m) => m.offset)
    await victim.kill()
    const killedAt = Date.now()
    for (let i = 0; i < 2; i++) consumers.push(await startShareConsumer({ bootstrap: broker.bootstrap, group: 'job-workers', topic: 'jobs' }))
    await until(`all ${count} messages accepted`, () => acceptedCounts(consumers).size === count, 240_000)
    const counts = acceptedCounts(consumers)
    for (let o = 0; o < count; o++) assert.equal(counts.get(o), 1, `offset ${o} accepted ${counts.get(o) ?? 0} times`)
    // The victim's records came back as second deliveries, no earlier than the lock allowed.
    const redelivered = consumers.flatMap((c) => c.messages).filter((m) => held.includes(m.offset))
    assert.ok(redelivered.length >= held.length, 'every held record was delivered again')
    for (const m of redelivered) assert.ok(m.deliveryCount >= 2, `offset ${m.offset} came back with delivery count ${m.deliveryCount}`)
    assert.ok(Date.now() - killedAt >= 3000, 'held records waited for the lock to expire')
  } finally {
    await Promise.all(consumers.map(async (c) => await c.stop()))
    await broker.close()
  }
})
