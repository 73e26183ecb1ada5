// @brook/client against an in-process Brook broker: produce with each compression and read back
// with the client's consumer (assign mode), acks 0/1/all, explicit and custom partitioning,
// idempotent retries keeping order, seek, seek to a timestamp, pause/resume, and transactions
// read with read_committed.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Client, type CompressionName, type ConsumerBatch, type Consumer, KafkaErrors, IllegalStateError, TimeoutError } from '@brook/client'
import { startTestBroker, type TestBroker } from '@brook/testkit'

let broker: TestBroker
let client: Client

before(async () => {
  broker = await startTestBroker({ 'num.partitions': '3' })
  client = new Client({ brokers: [broker.bootstrap], clientId: 'brook-client-test' })
})
after(async () => { await broker.close() })

async function createTopic (topic: string, numPartitions = 3): Promise<void> {
  const admin = client.admin()
  try { await admin.createTopics([{ topic, numPartitions }]) } finally { await admin.close() }
}

/** Reads `count` messages from all partitions of `topic` from the beginning. */
async function readAll (topic: string, count: number, partitions = 3, options: { isolationLevel?: 'read_committed' | 'read_uncommitted' } = {}): Promise<ConsumerBatch['messages']> {
  const consumer = client.consumer({ isolationLevel: options.isolationLevel, maxWaitMs: 100 })
  consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0n })))
  const out: ConsumerBatch['messages'] = []
  try {
    for await (const batch of consumer) {
      out.push(...batch.messages)
      if (out.length >= count) break
    }
  } finally {
    await consumer.close()
  }
  return out
}

const COMPRESSIONS: CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

for (const compression of COMPRESSIONS) {
  test(`produce and consume with ${compression}`, { timeout: 30_000 }, async () => {
    const topic = `rt-${compression}`
    await createTopic(topic)
    const producer = client.producer({ compression, lingerMs: 2 })
    const messages = Array.from({ length: 500 }, (_, i) => ({
      key: `k${i % 17}`, value: `${compression}-${i}-${'xyz'.repeat(i % 30)}`, headers: { i: String(i) }, timestamp: 1_700_000_000_000 + i
    }))
    const results = await producer.send({ topic, messages })
    await producer.close()
    assert.equal(results.length, 500)
    const read = await readAll(topic, 500)
    assert.equal(read.length, 500)
    const byValue = new Map(read.map((m) => [m.value!.toString(), m]))
    for (let i = 0; i < 500; i++) {
      const m = byValue.get(messages[i]!.value)
      assert.ok(m !== undefined, `message ${i} missing`)
      assert.equal(m.key!.toString(), messages[i]!.key)
      assert.equal(m.timestamp, BigInt(messages[i]!.timestamp))
      assert.deepEqual(m.headers.map((h) => [h.key, h.value!.toString()]), [['i', String(i)]])
      assert.equal(m.partition, results[i]!.partition)
      assert.equal(m.offset, results[i]!.offset)
    }
    // Per key, offsets grow in send order on one partition.
    const seen = new Map<string, bigint>()
    for (let i = 0; i < 500; i++) {
      const r = results[i]!
      const k = `${messages[i]!.key}`
      const prev = seen.get(k)
      if (prev !== undefined) assert.ok(r.offset > prev)
      seen.set(k, r.offset)
    }
  })
}

test('acks 0, 1 and all all deliver', { timeout: 30_000 }, async () => {
  const topic = 'acks'
  await createTopic(topic, 1)
  for (const acks of [0, 1, -1] as const) {
    const producer = client.producer({ acks, idempotent: acks === -1 })
    const r = await producer.send({ topic, messages: [{ value: `acks=${acks}`, partition: 0 }] })
    if (acks === 0) assert.equal(r[0]!.offset, -1n)
    else assert.ok(r[0]!.offset >= 0n)
    await producer.close()
  }
  const read = await readAll(topic, 3, 1)
  assert.deepEqual(read.map((m) => m.value!.toString()).sort(), ['acks=-1', 'acks=0', 'acks=1'])
})

test('idempotent producer requires acks=all', { timeout: 10_000 }, () => {
  assert.throws(() => client.producer({ acks: 1, idempotent: true }), IllegalStateError)
})

test('explicit partition and custom partitioner', { timeout: 30_000 }, async () => {
  const topic = 'custom-part'
  await createTopic(topic)
  const producer = client.producer({ partitioner: ({ value, partitionCount }) => Number(value!.toString()) % partitionCount })
  const r = await producer.send({ topic, messages: [{ value: '4' }, { value: '5' }, { value: '0', partition: 2 }] })
  assert.deepEqual(r.map((x) => x.partition), [1, 2, 2])
  await producer.close()
})

test('unknown partition fails with a typed error', { timeout: 10_000 }, async () => {
  const topic = 'bad-part'
  await createTopic(topic, 1)
  const producer = client.producer()
  await assert.rejects(producer.send({ topic, messages: [{ value: 'x', partition: 7 }] }), KafkaErrors.UNKNOWN_TOPIC_OR_PARTITION)
  await producer.close()
})

test('idempotent producer: many sends in flight keep per-partition order with increasing sequences', { timeout: 30_000 }, async () => {
  const topic = 'idem'
  await createTopic(topic, 1)
  const producer = client.producer({ batchSize: 200, lingerMs: 0 })
  const sends = []
  for (let i = 0; i < 200; i++) sends.push(producer.send({ topic, messages: [{ value: String(i), partition: 0 }] }))
  const results = (await Promise.all(sends)).map((r) => r[0]!.offset)
  assert.deepEqual(results, results.map((_, i) => BigInt(i)))
  assert.ok(producer.producerId >= 0n)
  await producer.close()
  const read = await readAll(topic, 200, 1)
  assert.deepEqual(read.map((m) => m.value!.toString()), results.map((_, i) => String(i)))
})

test('idempotent producer: a batch lost to a non-retriable error bumps the epoch and later batches go through', { timeout: 30_000 }, async () => {
  const topic = 'idem-lost-batch'
  const admin = client.admin()
  try { await admin.createTopics([{ topic, numPartitions: 1, configs: { 'max.message.bytes': '1000' } }]) } finally { await admin.close() }
  const producer = client.producer({ lingerMs: 0 })
  await producer.send({ topic, messages: [{ value: 'first' }] })
  const { producerId, producerEpoch } = producer
  const big = 'x'.repeat(3000)
  await assert.rejects(producer.send({ topic, messages: [{ value: big }] }), KafkaErrors.MESSAGE_TOO_LARGE)
  // Without the bump this batch's sequence leaves a gap and the broker answers OUT_OF_ORDER_SEQUENCE_NUMBER.
  assert.equal((await producer.send({ topic, messages: [{ value: 'after' }] }))[0]!.offset, 1n)
  assert.equal(producer.producerId, producerId, 'KIP-360: same producer id, next epoch')
  assert.equal(producer.producerEpoch, producerEpoch + 1)
  // A lost batch with later batches already in flight behind it: those are resent under the new epoch.
  const lost = producer.send({ topic, messages: [{ value: big }] })
  const behind = [producer.send({ topic, messages: [{ value: 'b1' }] }), producer.send({ topic, messages: [{ value: 'b2' }] })]
  await assert.rejects(lost, KafkaErrors.MESSAGE_TOO_LARGE)
  assert.deepEqual((await Promise.all(behind)).map((r) => r[0]!.offset), [2n, 3n])
  await producer.close()
  const read = await readAll(topic, 4, 1)
  assert.deepEqual(read.map((m) => m.value!.toString()), ['first', 'after', 'b1', 'b2'])
})

async function firstBatch (consumer: Consumer): Promise<ConsumerBatch> {
  for await (const b of consumer) return b
  throw new Error('iterator ended')
}

test('seek, seek to timestamp, pause and resume', { timeout: 30_000 }, async () => {
  const topic = 'seek'
  await createTopic(topic, 2)
  const producer = client.producer()
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `a${i}`, partition: 0, timestamp: 1_000_000 + i * 10 })) })
  await producer.send({ topic, messages: [{ value: 'b0', partition: 1 }] })
  await producer.close()
  const consumer = client.consumer({ maxWaitMs: 100 })
  consumer.assign([{ topic, partition: 0, offset: 0n }])
  consumer.seek({ topic, partition: 0, offset: 7n })
  let b = await firstBatch(consumer)
  assert.deepEqual(b.messages.map((m) => m.offset), [7n, 8n, 9n])
  await consumer.seekToTimestamp([{ topic, partition: 0 }], 1_000_045)
  b = await firstBatch(consumer)
  assert.equal(b.messages[0]!.offset, 5n)
  await consumer.close()

  const two = client.consumer({ maxWaitMs: 100 })
  two.assign([{ topic, partition: 0, offset: 0n }, { topic, partition: 1, offset: 0n }])
  two.pause([{ topic, partition: 0 }])
  b = await firstBatch(two)
  assert.equal(b.partition, 1)
  two.pause([{ topic, partition: 1 }])
  two.resume([{ topic, partition: 0 }])
  b = await firstBatch(two)
  assert.equal(b.partition, 0)
  await two.close()
})

test('transactions: committed records are read, aborted ones are not (read_committed)', { timeout: 30_000 }, async () => {
  const topic = 'txn'
  await createTopic(topic, 1)
  const producer = client.producer({ transactionalId: 'txn-test' })
  await assert.rejects(producer.send({ topic, messages: [{ value: 'outside' }] }), IllegalStateError)
  await producer.initTransactions()
  producer.beginTransaction()
  await producer.send({ topic, messages: [{ value: 'aborted-1', partition: 0 }, { value: 'aborted-2', partition: 0 }] })
  await producer.abortTransaction()
  producer.beginTransaction()
  await producer.send({ topic, messages: [{ value: 'committed-1', partition: 0 }] })
  await producer.sendOffsets('txn-group', [{ topic, partition: 0, offset: 1n }])
  await producer.commitTransaction()
  await producer.close()

  const committed = await readAll(topic, 1, 1, { isolationLevel: 'read_committed' })
  assert.deepEqual(committed.map((m) => m.value!.toString()), ['committed-1'])
  const all = await readAll(topic, 3, 1, { isolationLevel: 'read_uncommitted' })
  assert.deepEqual(all.map((m) => m.value!.toString()), ['aborted-1', 'aborted-2', 'committed-1'])
  const admin = client.admin()
  try {
    assert.deepEqual(await admin.listGroupOffsets('txn-group'), [{ topic, partition: 0, offset: 1n }])
  } finally {
    await admin.close()
  }
})

test('an offset out of range resets to autoOffsetReset', { timeout: 30_000 }, async () => {
  const topic = 'out-of-range'
  await createTopic(topic, 1)
  const producer = client.producer()
  await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: String(i), partition: 0 })) })
  await producer.close()
  const consumer = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 100 })
  consumer.assign([{ topic, partition: 0, offset: 1000n }])
  const b = await firstBatch(consumer)
  assert.deepEqual(b.messages.map((m) => m.value!.toString()), ['0', '1', '2', '3', '4'])
  await consumer.close()
})

test('a record that cannot be delivered fails with TimeoutError after deliveryTimeoutMs', { timeout: 30_000 }, async () => {
  const lone = await startTestBroker()
  const c = new Client({ brokers: [lone.bootstrap], requestTimeoutMs: 500, connectTimeoutMs: 500, retry: { retries: 1, initialRetryTimeMs: 50 } })
  const admin = c.admin()
  await admin.createTopics([{ topic: 'doomed', numPartitions: 1 }])
  await admin.close()
  const producer = c.producer({ deliveryTimeoutMs: 1500 })
  await producer.send({ topic: 'doomed', messages: [{ value: 'delivered' }] })
  await lone.close()
  const started = Date.now()
  await assert.rejects(producer.send({ topic: 'doomed', messages: [{ value: 'lost' }] }), (err: unknown) => {
    assert.ok(err instanceof TimeoutError, String(err))
    assert.match(err.message, /deliveryTimeoutMs 1500/)
    return true
  })
  const waited = Date.now() - started
  assert.ok(waited >= 1000 && waited < 15_000, `failed after ${waited} ms`)
  await producer.close()
})

test('a large fetch is handed out in chunks: contiguous offsets, each chunk\'s nextOffset right after its last record, a seek drops the stale rest', { timeout: 60_000 }, async () => {
  const topic = 'large-fetch-chunks'
  await createTopic(topic, 1)
  const producer = client.producer({ batchSize: 64 * 1024, lingerMs: 5 })
  const value = Buffer.alloc(100, 1)
  for (let start = 0; start < 40_000; start += 5_000) {
    await producer.send({ topic, messages: Array.from({ length: 5_000 }, () => ({ value, partition: 0 })) })
  }
  await producer.close()

  const consumer = client.consumer({ maxPartitionBytes: 8 * 1_048_576, maxWaitMs: 100 })
  consumer.assign([{ topic, partition: 0, offset: 0n }])
  let expected = 0n
  let batches = 0
  let seeked = false
  for await (const batch of consumer) {
    batches++
    assert.equal(batch.messages[0]?.offset, expected, 'each chunk starts where the last one ended (or at the seek)')
    for (const m of batch.messages) assert.equal(m.offset, expected++)
    assert.equal(batch.nextOffset, expected, 'nextOffset follows the chunk\'s last record')
    if (!seeked && batches === 2) {
      // The rest of this 8 MB fetch is already in memory; after the seek none of it may appear.
      seeked = true
      consumer.seek({ topic, partition: 0, offset: 7n })
      expected = 7n
    }
    if (expected >= 40_000n) break
  }
  await consumer.close()
  assert.ok(batches > 3, `an 8 MB fetch of 4 MB of records is handed out in more than one chunk (${batches} batches)`)
})
