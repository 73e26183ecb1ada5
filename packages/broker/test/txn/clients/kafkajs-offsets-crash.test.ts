// Transactional consumer offsets survive a broker crash (kill -9 of a broker child process): a
// kafkajs 2.2.4 transactional producer calls sendOffsets, the broker dies before the commit, comes
// back on the same port and data, the producer's commit then goes through, and the group's
// committed offset is the one the transaction sent (a read_committed consumer of the group
// resumes right after it). Between restart and commit the offset is pending: invisible to
// OffsetFetch, UNSTABLE_OFFSET_COMMIT with require_stable.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { ErrorCode, offsetFetchApi } from '@brook/protocol'
import { RawClient } from '../../helpers/raw-client.js'
import { type BrokerChild, sleep, startBrokerChild } from './processes.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

/** OffsetFetch v8 of in-0 for `app`: [offset, error code]. */
async function fetchOffset (bootstrap: string, requireStable: boolean): Promise<[bigint, number]> {
  const client = await RawClient.connect(bootstrap)
  try {
    const res = await client.request(offsetFetchApi, 8, { groups: [{ groupId: 'app', topics: [{ name: 'in', partitionIndexes: [0] }] }], requireStable })
    const p = res.groups?.[0]?.topics[0]?.partitions[0]
    assert.ok(p !== undefined)
    return [p.committedOffset, p.errorCode]
  } finally {
    client.close()
  }
}

test('sendOffsets, broker killed before the commit, restarted: the commit lands with its offsets', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brook-txn-offsets-crash-'))
  let broker: BrokerChild = await startBrokerChild(dir, 0, { 'group.initial.rebalance.delay.ms': '0' })
  const port = broker.port
  const kafka = new Kafka({ clientId: 'crash-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { initialRetryTime: 200, retries: 12 } })
  const producer = kafka.producer({ transactionalId: 'crash-tx', idempotent: true, maxInFlightRequests: 1 })
  let connected = false
  try {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'in', numPartitions: 1 }, { topic: 'out', numPartitions: 1 }] })
    await admin.disconnect()
    const plain = kafka.producer()
    await plain.connect()
    await plain.send({ topic: 'in', messages: Array.from({ length: 10 }, (_v, i) => ({ value: `in-${i}` })) })
    await plain.disconnect()

    await producer.connect()
    connected = true
    const first = await producer.transaction()
    await first.send({ topic: 'out', messages: [{ value: 'out-0-3' }] })
    await first.sendOffsets({ consumerGroupId: 'app', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '4' }] }] })
    await first.commit()

    const second = await producer.transaction()
    await second.send({ topic: 'out', messages: [{ value: 'out-4-6' }] })
    await second.sendOffsets({ consumerGroupId: 'app', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '7' }] }] })
    assert.deepEqual(await fetchOffset(broker.bootstrap, true), [-1n, ErrorCode.UNSTABLE_OFFSET_COMMIT])
    assert.equal(await broker.kill9(), 137)

    broker = await startBrokerChild(dir, port, { 'group.initial.rebalance.delay.ms': '0' })
    // Loaded from the log: the transaction's offset is pending again, the committed one is visible.
    assert.deepEqual(await fetchOffset(broker.bootstrap, false), [4n, ErrorCode.NONE])
    assert.deepEqual(await fetchOffset(broker.bootstrap, true), [-1n, ErrorCode.UNSTABLE_OFFSET_COMMIT])
    await second.commit()
    assert.deepEqual(await fetchOffset(broker.bootstrap, true), [7n, ErrorCode.NONE])
    await producer.disconnect()
    connected = false

    // The marker is durable too: another crash changes nothing.
    assert.equal(await broker.kill9(), 137)
    broker = await startBrokerChild(dir, port, { 'group.initial.rebalance.delay.ms': '0' })
    assert.deepEqual(await fetchOffset(broker.bootstrap, true), [7n, ErrorCode.NONE])

    const consumer = kafka.consumer({ groupId: 'app', maxWaitTimeInMs: 200 })
    const seen: Array<[string, string]> = []
    await consumer.connect()
    try {
      await consumer.subscribe({ topic: 'in', fromBeginning: true })
      await consumer.run({ eachMessage: async ({ message }) => { seen.push([message.offset, message.value?.toString() ?? '']) } })
      const deadline = Date.now() + 30_000
      while (seen.length < 3 && Date.now() < deadline) await sleep(100)
    } finally {
      await consumer.disconnect()
    }
    assert.deepEqual(seen, [['7', 'in-7'], ['8', 'in-8'], ['9', 'in-9']])

    const reader = kafka.consumer({ groupId: 'out-reader', maxWaitTimeInMs: 200 })
    const outputs: string[] = []
    await reader.connect()
    try {
      await reader.subscribe({ topic: 'out', fromBeginning: true })
      await reader.run({ eachMessage: async ({ message }) => { outputs.push(message.value?.toString() ?? '') } })
      const deadline = Date.now() + 30_000
      while (outputs.length < 2 && Date.now() < deadline) await sleep(100)
    } finally {
      await reader.disconnect()
    }
    assert.deepEqual(outputs, ['out-0-3', 'out-4-6'], 'both transactions committed their outputs')
  } finally {
    if (connected) await producer.disconnect()
    await broker.kill9()
    await rm(dir, { recursive: true, force: true })
  }
})
