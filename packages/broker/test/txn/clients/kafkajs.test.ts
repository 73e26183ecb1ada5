// kafkajs 2.2.4 transactional producers and consumers against an in-process broker over real
// sockets: commits and aborts across partitions with consumer offsets in the transaction,
// read_committed versus read_uncommitted consumers, zombie fencing, and the abort of a
// transaction whose producer process was killed (transaction.timeout.ms).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs'
import { describeProducersApi, describeTransactionsApi, ErrorCode, listOffsetsApi, listTransactionsApi } from '@brook/protocol'
import { type RunningBroker, startBroker } from '../../../src/broker.js'
import { RawClient } from '../../helpers/raw-client.js'
import { sleep, spawnNodeScript } from './processes.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

interface Ctx { broker: RunningBroker, kafka: Kafka, dir: string }

async function start (config: Record<string, string> = {}): Promise<Ctx> {
  const dir = await mkdtemp(join(tmpdir(), 'brook-txn-kafkajs-'))
  const broker = await startBroker({
    config: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'group.initial.rebalance.delay.ms': '0', ...config }
  })
  return { broker, dir, kafka: new Kafka({ clientId: 'txn-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }) }
}

async function stop (ctx: Ctx): Promise<void> {
  await ctx.broker.close()
  await rm(ctx.dir, { recursive: true, force: true })
}

async function createTopic (ctx: Ctx, topic: string, numPartitions: number): Promise<void> {
  const admin = ctx.kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions }] })
  await admin.disconnect()
}

function transactional (ctx: Ctx, transactionalId: string, transactionTimeout = 60_000): Producer {
  return ctx.kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout })
}

/** Consumes `topic` from the beginning until `expected` values arrived and nothing more for `quietMs`. */
async function consumeAll (ctx: Ctx, topic: string, groupId: string, readUncommitted: boolean, expected: number, quietMs = 1500): Promise<string[]> {
  const consumer: Consumer = ctx.kafka.consumer({ groupId, readUncommitted, maxWaitTimeInMs: 200 })
  const seen: string[] = []
  let last = Date.now()
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value?.toString() ?? ''); last = Date.now() } })
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline && (seen.length < expected || Date.now() - last < quietMs)) await sleep(100)
  } finally {
    await consumer.disconnect()
  }
  return seen.sort()
}

function values (prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_v, i) => `${prefix}-${String(i).padStart(3, '0')}`)
}

test('commit with consumer offsets, abort, and what read_committed and read_uncommitted consumers see', { timeout: 90_000 }, async () => {
  const ctx = await start()
  try {
    await createTopic(ctx, 'orders', 3)
    await createTopic(ctx, 'audit', 2)
    const producer = transactional(ctx, 'orders-tx')
    await producer.connect()
    const committed = await producer.transaction()
    await committed.send({ topic: 'orders', messages: values('commit', 30).map((value, i) => ({ key: `k${i}`, value })) })
    await committed.send({ topic: 'audit', messages: values('audit', 4).map((value) => ({ value })) })
    await committed.sendOffsets({ consumerGroupId: 'orders-app', topics: [{ topic: 'orders', partitions: [{ partition: 1, offset: '17' }] }] })
    await committed.commit()
    const aborted = await producer.transaction()
    await aborted.send({ topic: 'orders', messages: values('abort', 20).map((value, i) => ({ key: `k${i}`, value })) })
    await aborted.sendOffsets({ consumerGroupId: 'orders-app', topics: [{ topic: 'orders', partitions: [{ partition: 1, offset: '99' }] }] })
    await aborted.abort()
    const last = await producer.transaction()
    await last.send({ topic: 'orders', messages: [{ key: 'k0', value: 'commit-last' }] })
    await last.commit()
    await producer.disconnect()

    const readCommitted = await consumeAll(ctx, 'orders', 'rc', false, 31)
    assert.deepEqual(readCommitted, [...values('commit', 30), 'commit-last'].sort())
    const readUncommitted = await consumeAll(ctx, 'orders', 'ru', true, 51)
    assert.deepEqual(readUncommitted, [...values('commit', 30), 'commit-last', ...values('abort', 20)].sort())
    assert.deepEqual(await consumeAll(ctx, 'audit', 'rc-audit', false, 4), values('audit', 4))

    const admin = ctx.kafka.admin()
    await admin.connect()
    const offsets = await admin.fetchOffsets({ groupId: 'orders-app', topics: ['orders'] })
    await admin.disconnect()
    assert.deepEqual(offsets[0]?.partitions.map((p) => [p.partition, p.offset]).sort(), [[0, '-1'], [1, '17'], [2, '-1']],
      'the committed transaction\'s offset is visible, the aborted one\'s is not')
  } finally {
    await stop(ctx)
  }
})

test('zombie fencing: a second producer with the same transactional.id fences the first and aborts its transaction', { timeout: 60_000 }, async () => {
  const ctx = await start()
  try {
    await createTopic(ctx, 'fenced', 2)
    const zombie = transactional(ctx, 'shared-id')
    await zombie.connect()
    const zombieTxn = await zombie.transaction()
    await zombieTxn.send({ topic: 'fenced', messages: values('zombie', 10).map((value) => ({ value })) })

    const successor = transactional(ctx, 'shared-id')
    await successor.connect()
    const txn = await successor.transaction()
    await txn.send({ topic: 'fenced', messages: values('successor', 10).map((value) => ({ value })) })
    await txn.commit()

    // The zombie's epoch is stale: its next write and its commit are refused.
    await assert.rejects(zombieTxn.send({ topic: 'fenced', messages: [{ value: 'zombie-late' }] }),
      (err: Error) => /epoch|fenced/i.test(`${err.name} ${err.message}`))
    await assert.rejects(zombieTxn.commit(), (err: Error) => /epoch|fenced|transaction/i.test(`${err.name} ${err.message}`))
    await zombie.disconnect().catch(() => undefined)
    await successor.disconnect()

    assert.deepEqual(await consumeAll(ctx, 'fenced', 'rc', false, 10), values('successor', 10))
    assert.deepEqual(await consumeAll(ctx, 'fenced', 'ru', true, 20), [...values('successor', 10), ...values('zombie', 10)].sort())
  } finally {
    await stop(ctx)
  }
})

test('a transaction left open by a killed producer is aborted after transaction.timeout.ms; read_committed readers move past it', { timeout: 90_000 }, async () => {
  const ctx = await start({ 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500' })
  const client = await RawClient.connect(ctx.broker.bootstrap)
  const lso = async (): Promise<bigint> => {
    const r = await client.request(listOffsetsApi, 5, {
      replicaId: -1, isolationLevel: 1, topics: [{ name: 'open', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }]
    })
    return r.topics[0]?.partitions[0]?.offset ?? -2n
  }
  try {
    await createTopic(ctx, 'open', 1)
    const before = transactional(ctx, 'before')
    await before.connect()
    const first = await before.transaction()
    await first.send({ topic: 'open', messages: values('before', 3).map((value) => ({ value })) })
    await first.commit()
    assert.equal(await lso(), 4n, 'three records and a marker')

    // A producer process that opens a transaction, writes, and is killed.
    const doomed = spawnNodeScript(`
      import { Kafka, logLevel } from 'kafkajs'
      const kafka = new Kafka({ brokers: [${JSON.stringify(ctx.broker.bootstrap)}], logLevel: logLevel.NOTHING })
      const producer = kafka.producer({ transactionalId: 'doomed', idempotent: true, maxInFlightRequests: 1, transactionTimeout: 3000 })
      await producer.connect()
      const txn = await producer.transaction()
      await txn.send({ topic: 'open', messages: ['doomed-0', 'doomed-1'].map((value) => ({ value })) })
      console.log('SENT')
      setInterval(() => {}, 1000)
    `, { KAFKAJS_NO_PARTITIONER_WARNING: '1' })
    await doomed.waitForLine(/^SENT$/, 30_000)
    assert.equal(await doomed.kill9(), 137)

    const after = transactional(ctx, 'after')
    await after.connect()
    const second = await after.transaction()
    await second.send({ topic: 'open', messages: values('after', 3).map((value) => ({ value })) })
    await second.commit()
    await after.disconnect()
    assert.equal(await lso(), 4n, 'the open transaction holds the last stable offset')
    const describe = async (): Promise<{ transactionState: string, producerEpoch: number }> =>
      (await client.request(describeTransactionsApi, 0, { transactionalIds: ['doomed'] })).transactionStates[0] as { transactionState: string, producerEpoch: number }
    assert.equal((await describe()).transactionState, 'Ongoing')

    // transaction.timeout.ms (3 s) later, the coordinator aborts it and fences its producer.
    const deadline = Date.now() + 20_000
    while ((await describe()).transactionState !== 'CompleteAbort' && Date.now() < deadline) await sleep(200)
    const state = await describe()
    assert.equal(state.transactionState, 'CompleteAbort')
    assert.equal(state.producerEpoch, 1, 'the epoch was bumped: the dead producer is fenced')
    assert.equal(await lso(), 11n, '3 + marker, 2 aborted, 3 + marker, abort marker')
    assert.deepEqual(await consumeAll(ctx, 'open', 'rc', false, 6), [...values('before', 3), ...values('after', 3)].sort())
    await before.disconnect()
  } finally {
    client.close()
    await stop(ctx)
  }
})

test('DescribeTransactions, ListTransactions and DescribeProducers report the open transaction', { timeout: 30_000 }, async () => {
  const ctx = await start()
  const client = await RawClient.connect(ctx.broker.bootstrap)
  try {
    await createTopic(ctx, 'listed', 1)
    const producer = transactional(ctx, 'listed-tx')
    await producer.connect()
    const txn = await producer.transaction()
    await txn.send({ topic: 'listed', messages: [{ value: 'x' }] })
    const { transactionStates } = await client.request(describeTransactionsApi, 0, { transactionalIds: ['listed-tx', 'nobody'] })
    assert.equal(transactionStates[0]?.transactionState, 'Ongoing')
    assert.deepEqual(transactionStates[0]?.topics, [{ topic: 'listed', partitions: [0] }])
    assert.equal(transactionStates[1]?.errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND)
    const listed = await client.request(listTransactionsApi, 1, { stateFilters: ['Ongoing', 'Nonsense'], producerIdFilters: [], durationFilter: -1n })
    assert.deepEqual(listed.transactionStates.map((t) => [t.transactionalId, t.transactionState]), [['listed-tx', 'Ongoing']])
    assert.deepEqual(listed.unknownStateFilters, ['Nonsense'])
    const producers = await client.request(describeProducersApi, 0, { topics: [{ name: 'listed', partitionIndexes: [0, 7] }] })
    const [p0, p7] = producers.topics[0]?.partitions ?? []
    assert.equal(p0?.activeProducers.length, 1)
    assert.equal(p0?.activeProducers[0]?.producerId, transactionStates[0]?.producerId)
    assert.equal(p0?.activeProducers[0]?.currentTxnStartOffset, 0n)
    assert.equal(p0?.activeProducers[0]?.lastSequence, 0)
    assert.equal(p7?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    await txn.commit()
    const after = await client.request(describeProducersApi, 0, { topics: [{ name: 'listed', partitionIndexes: [0] }] })
    assert.equal(after.topics[0]?.partitions[0]?.activeProducers[0]?.currentTxnStartOffset, -1n, 'committed: no open transaction')
    await producer.disconnect()
  } finally {
    client.close()
    await stop(ctx)
  }
})
