// kill -9 of the broker while librdkafka share consumers work through a queue, then a restart on
// the same data dir and port: no record whose acceptance the broker confirmed is delivered again,
// and no record is lost (every one is accepted in the end). The share-partition state is replayed
// from `__share_group_state`. Rejected records are on the dead-letter topic exactly once.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client } from '@brook/client'
import { type BrokerProcess, type ShareConsumerProcess, kcatConsumeAll, startBrokerProcess, startShareConsumer, tempDir } from '@brook/testkit'
import { SHARE_BROKER_CONFIG, prepareQueue, until } from './helpers.js'

test('broker kill -9 and restart: nothing accepted comes back, nothing unacknowledged is lost', { timeout: 300_000 }, async () => {
  const count = 4000
  const data = await tempDir('brook-share-restart-')
  let broker: BrokerProcess | undefined
  const consumers: ShareConsumerProcess[] = []
  try {
    broker = await startBrokerProcess({ dataDir: data.path, overrides: SHARE_BROKER_CONFIG })
    const port = broker.port
    const admin = new Client({ brokers: [broker.bootstrap] }).admin()
    await admin.createTopics([{ topic: 'dlq.durable', numPartitions: 1, configs: { 'errors.deadletterqueue.group.enable': 'true' } }])
    await admin.close()
    await prepareQueue(broker.bootstrap, 'durable', 'durable-workers', count, { 'errors.deadletterqueue.topic.name': 'dlq.durable' })
    // Slow workers, so the crash lands mid-queue; every 50th record is rejected.
    for (let i = 0; i < 2; i++) consumers.push(await startShareConsumer({ bootstrap: broker.bootstrap, group: 'durable-workers', topic: 'durable', delayUs: 1500, rejectMod: 50 }))
    const confirmed = (): number => consumers.reduce((n, c) => n + c.confirmedAccepted().size, 0)
    await until('a quarter of the queue accepted', () => confirmed() >= count / 4, 120_000)
    await broker.kill9()
    const crashedAt = Date.now()
    const acceptedBefore = new Map<number, number>()
    for (const c of consumers) {
      for (const a of c.acked) {
        if (a.error !== 0) continue
        for (const key of c.confirmedAccepted()) {
          const offset = Number(key.split(':')[1])
          if (a.offsets.includes(offset)) acceptedBefore.set(offset, a.at)
        }
      }
    }
    assert.ok(acceptedBefore.size >= count / 4 && acceptedBefore.size < count, `${acceptedBefore.size} accepted before the crash`)
    broker = await startBrokerProcess({ dataDir: data.path, overrides: { ...SHARE_BROKER_CONFIG, listeners: `PLAINTEXT://127.0.0.1:${port}` } })

    const doneAnywhere = (): Set<number> => new Set(consumers.flatMap((c) => c.messages.filter((m) => m.ack === 'accept' || m.ack === 'reject').map((m) => m.offset)))
    await until(`every one of ${count} records accepted or rejected after the restart`, () => doneAnywhere().size === count, 240_000)
    const bootstrap = broker.bootstrap
    const rejected = Array.from({ length: count }, (_, o) => o).filter((o) => o % 50 === 0)
    const dlqOffsets = async (): Promise<number[]> => (await kcatConsumeAll(bootstrap, 'dlq.durable')).map((m) => {
      const h = m.headers ?? []
      return Number(h[h.indexOf('__dlq.errors.offset') + 1])
    }).sort((a, b) => a - b)
    await until('the DLQ holds every rejected record', async () => (await dlqOffsets()).length >= rejected.length, 60_000)
    assert.deepEqual(await dlqOffsets(), rejected, 'each rejected record is on the DLQ exactly once')
    // Nothing the broker had confirmed as accepted was delivered again after the crash.
    const again = consumers.flatMap((c) => c.messages).filter((m) => m.at > crashedAt && acceptedBefore.has(m.offset))
    assert.deepEqual(again.map((m) => m.offset), [], 'records accepted before the crash came back')
    // Work went on after the restart (not everything was done before the crash).
    assert.ok(consumers.some((c) => c.messages.some((m) => m.at > crashedAt)), 'no delivery after the restart')
  } finally {
    await Promise.all(consumers.map(async (c) => await c.kill()))
    await broker?.stop()
    await data.cleanup()
  }
})
