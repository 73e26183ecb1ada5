// Scheduled delivery by header on a topic with delivery.schedule.enable, with real clients:
// kafkajs and kcat (librdkafka) produce records carrying brook.delay.ms or
// brook.deliver.at; the produce response of a scheduled batch carries base offset -1; a batch
// mixing due-now and scheduled records is split; each record reaches its partition once, at or
// after its time, keeping key, value and headers; a malformed header is refused with
// INVALID_RECORD and a past time is delivered at once; an ordinary topic ignores the headers;
// transactions, a week-ahead horizon across a restart, and an idempotent producer's retries
// (raw Produce requests through Brook's client connection).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { Connection } from '@brook/client'
import { buildBatchSync, initProducerIdApi, produceApi } from '@brook/protocol'
import { assertSucceeded, kcatConsumeAll, runKcat, startBroker, startTestBroker, tempDir, waitFor } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs

function headerOf (headers: string[] | null, name: string): string | undefined {
  if (headers === null) return undefined
  for (let i = 0; i + 1 < headers.length; i += 2) if (headers[i] === name) return headers[i + 1]
  return undefined
}

test('scheduling by header: base offset -1, split batches, delivered at their time once, bad headers refused', { timeout: 120_000 }, async () => {
  const broker = await startTestBroker()
  const kafka = new Kafka({ clientId: 'schedule-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } })
  const admin = kafka.admin()
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  try {
    await admin.connect()
    await admin.createTopics({
      topics: [
        { topic: 'sched', numPartitions: 1, configEntries: [{ name: 'delivery.schedule.enable', value: 'true' }] },
        { topic: 'ordinary', numPartitions: 1 }
      ]
    })
    await producer.connect()
    const sentAt = Date.now()
    // One batch: two scheduled records around one due now (split by the broker).
    const [mixed] = await producer.send({
      topic: 'sched',
      messages: [
        { key: 'k1', value: 'later-1', headers: { 'brook.delay.ms': '1500', id: '1' } },
        { key: 'k0', value: 'now-0', headers: { id: '0' } },
        { key: 'k2', value: 'later-2', headers: { 'brook.deliver.at': String(sentAt + 2500), id: '2' } }
      ]
    })
    assert.equal(mixed?.baseOffset, '-1', 'a batch with scheduled records answers base offset -1')
    const [past] = await producer.send({ topic: 'sched', messages: [{ value: 'past', headers: { 'brook.deliver.at': '1000' } }] })
    assert.notEqual(past?.baseOffset, '-1', 'a past delivery time is delivered at once, with its offset')
    // kcat (librdkafka) with a header from the command line.
    assertSucceeded('kcat -P', await runKcat(['-P', '-b', broker.bootstrap, '-t', 'sched', '-H', 'brook.delay.ms=1000', '-H', 'id=kcat', '-k', 'kk'], { input: 'from-kcat\n', timeoutMs: 30_000 }))
    // A malformed time: INVALID_RECORD, nothing written.
    await assert.rejects(producer.send({ topic: 'sched', messages: [{ value: 'bad', headers: { 'brook.delay.ms': 'soon' } }] }),
      (err: Error & { type?: string }) => err.type === 'INVALID_RECORD' || /INVALID_RECORD|invalid/i.test(String(err.message)))
    // An ordinary topic ignores the header.
    const [ordinary] = await producer.send({ topic: 'ordinary', messages: [{ value: 'x', headers: { 'brook.delay.ms': '60000' } }] })
    assert.equal(ordinary?.baseOffset, '0')

    const stats = broker.scheduledDelivery()
    assert.equal(stats.topics.find((t) => t.topic === 'sched')?.pending, 3, 'three records pending')
    assert.ok((stats.nextDueMs ?? 0) >= sentAt + 1000, 'the next due time is reported')
    const scraped = await broker.metrics.render()
    assert.match(scraped, /^brook_scheduled_pending_records\{topic="sched"\} 3$/m, '/metrics shows the pending records')
    assert.match(scraped, /^brook_scheduled_next_due_timestamp_seconds\{topic="sched"\} \d/m)

    const immediately = await kcatConsumeAll(broker.bootstrap, 'sched')
    assert.deepEqual(immediately.map((m) => m.payload), ['now-0', 'past'], 'only the records due now are in the topic before their time')
    const all = await waitFor(async () => {
      const got = await kcatConsumeAll(broker.bootstrap, 'sched')
      return got.length >= 5 ? got : null
    }, 30_000, { message: 'the scheduled records delivered' })
    assert.deepEqual(all.map((m) => m.payload), ['now-0', 'past', 'from-kcat', 'later-1', 'later-2'])
    const later2 = all[4]
    assert.equal(later2?.key, 'k2')
    assert.equal(headerOf(later2?.headers ?? null, 'id'), '2', 'headers kept')
    assert.ok((later2?.ts ?? 0) >= sentAt + 2500, 'delivered no earlier than its time')
    await waitFor(() => broker.scheduledDelivery().pending === 0, 10_000, { message: 'nothing pending' })
    await new Promise((resolve) => setTimeout(resolve, 1500))
    assert.equal((await kcatConsumeAll(broker.bootstrap, 'sched')).length, 5, 'each record delivered once')
  } finally {
    await producer.disconnect()
    await admin.disconnect()
    await broker.close()
  }
})

test('scheduled records of a transaction: delivered after commit, never after abort (kafkajs, read_committed kcat)', { timeout: 120_000 }, async () => {
  const broker = await startTestBroker()
  const kafka = new Kafka({ clientId: 'schedule-txn', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer({ transactionalId: 'sched-txn', idempotent: true, maxInFlightRequests: 1 })
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'sched-tx', numPartitions: 2, configEntries: [{ name: 'delivery.schedule.enable', value: 'true' }] }] })
    await producer.connect()
    const committed = await producer.transaction()
    await committed.send({
      topic: 'sched-tx',
      messages: [
        { value: 'c-later-0', partition: 0, headers: { 'brook.delay.ms': '1500' } },
        { value: 'c-now', partition: 0 },
        { value: 'c-later-1', partition: 1, headers: { 'brook.delay.ms': '1500' } }
      ]
    })
    assert.equal(broker.scheduledDelivery().pending, 0, 'records of an open transaction are held, not pending')
    await committed.commit()
    await waitFor(() => broker.scheduledDelivery().pending === 2, 10_000, { message: 'the commit released the two scheduled records' })
    const aborted = await producer.transaction()
    await aborted.send({
      topic: 'sched-tx',
      messages: [
        { value: 'a-later-0', partition: 0, headers: { 'brook.delay.ms': '500' } },
        { value: 'a-now', partition: 1 }
      ]
    })
    await aborted.abort()
    const readCommitted = async (): Promise<string[]> => {
      const out = assertSucceeded('kcat read_committed', await runKcat(['-C', '-b', broker.bootstrap, '-t', 'sched-tx', '-o', 'beginning', '-e', '-q', '-f', '%s\n', '-X', 'isolation.level=read_committed'], { timeoutMs: 30_000 }))
      return out.stdout.toString('utf8').split('\n').filter((l) => l !== '').sort()
    }
    const values = await waitFor(async () => {
      const got = await readCommitted()
      return got.length >= 3 ? got : null
    }, 30_000, { message: 'the committed transaction delivered' })
    assert.deepEqual(values, ['c-later-0', 'c-later-1', 'c-now'])
    await waitFor(() => broker.scheduledDelivery().pending === 0, 10_000, { message: 'nothing pending' })
    await new Promise((resolve) => setTimeout(resolve, 1000))
    assert.deepEqual(await readCommitted(), ['c-later-0', 'c-later-1', 'c-now'], 'nothing of the aborted transaction, ever')
  } finally {
    await producer.disconnect()
    await admin.disconnect()
    await broker.close()
  }
})

test('records scheduled a week ahead stay on disk, pending across a restart, none in memory', { timeout: 120_000 }, async () => {
  const dir = await tempDir('brook-sched-week-')
  const config = { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir.path }
  let broker = await startBroker({ config })
  const WEEK = 7 * 24 * 3_600_000
  const COUNT = 2000
  try {
    const kafka = new Kafka({ clientId: 'schedule-week', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'sched-week', numPartitions: 1, configEntries: [{ name: 'delivery.schedule.enable', value: 'true' }] }] })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    const at = Date.now() + WEEK
    for (let i = 0; i < COUNT; i += 200) {
      await producer.send({ topic: 'sched-week', acks: -1, messages: Array.from({ length: 200 }, (_, j) => ({ value: `w-${i + j}`, headers: { 'brook.deliver.at': String(at + (i + j) * 1000) } })) })
    }
    await producer.disconnect()
    const before = broker.scheduledDelivery()
    assert.equal(before.pending, COUNT)
    assert.equal(before.inMemory, 0, 'records due in a week are not held in memory')
    await broker.close()
    broker = await startBroker({ config })
    const after = broker.scheduledDelivery()
    assert.equal(after.pending, COUNT, 'still pending after the restart')
    assert.equal(after.inMemory, 0)
    assert.ok(after.nextDueMs !== null && after.nextDueMs >= at - 3_600_000 && after.nextDueMs <= at + COUNT * 1000, `next due time about a week ahead (${after.nextDueMs})`)
    assert.deepEqual(await kcatConsumeAll(broker.bootstrap, 'sched-week'), [], 'nothing delivered')
  } finally {
    await broker.close()
    await dir.cleanup()
  }
})

test('an idempotent producer\'s retry of a batch is recognised on a scheduling topic (scheduled and due-now batches)', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker()
  const connection = new Connection('127.0.0.1', broker.port)
  const kafka = new Kafka({ clientId: 'schedule-retry', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  try {
    await connection.connect()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'sched-retry', numPartitions: 1, configEntries: [{ name: 'delivery.schedule.enable', value: 'true' }] }] })
    const init = await connection.request(initProducerIdApi, { transactionalId: null, transactionTimeoutMs: -1 })
    assert.equal(init.errorCode, 0)
    const produce = async (batch: Buffer): Promise<{ errorCode: number, baseOffset: bigint }> => {
      const response = await connection.request(produceApi, { acks: -1, timeoutMs: 10_000, topicData: [{ name: 'sched-retry', partitionData: [{ index: 0, records: batch }] }] }, { version: 12 })
      const p = response.responses[0]?.partitionResponses[0]
      return { errorCode: p?.errorCode ?? -1, baseOffset: p?.baseOffset ?? -2n }
    }
    const batch = (baseSequence: number, values: string[], headers: Array<{ key: string, value: string }>): Buffer => buildBatchSync({
      producerId: init.producerId, producerEpoch: init.producerEpoch, baseSequence, records: values.map((value) => ({ value, headers }))
    })
    const scheduled = batch(0, ['s-0', 's-1'], [{ key: 'brook.delay.ms', value: '1000' }])
    assert.deepEqual(await produce(scheduled), { errorCode: 0, baseOffset: -1n })
    assert.deepEqual(await produce(scheduled), { errorCode: 0, baseOffset: -1n }, 'the retry gets the first answer')
    const now = batch(2, ['n-2'], [])
    const first = await produce(now)
    assert.equal(first.errorCode, 0)
    assert.deepEqual(await produce(now), first, 'a due-now retry gets the first offset')
    assert.equal(broker.scheduledDelivery().pending, 2, 'the retry scheduled nothing more')
    const values = await waitFor(async () => {
      const got = await kcatConsumeAll(broker.bootstrap, 'sched-retry')
      return got.length >= 3 ? got.map((m) => m.payload) : null
    }, 30_000, { message: 'the scheduled records delivered' })
    await waitFor(() => broker.scheduledDelivery().pending === 0, 10_000, { message: 'nothing pending' })
    assert.deepEqual((await kcatConsumeAll(broker.bootstrap, 'sched-retry')).map((m) => m.payload), values)
    assert.deepEqual(values, ['n-2', 's-0', 's-1'], 'each record once')
  } finally {
    connection.close()
    await admin.disconnect()
    await broker.close()
  }
})
