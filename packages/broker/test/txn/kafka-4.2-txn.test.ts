// Transaction protocol v2 as Kafka 4.2 serves it, over a raw socket: Produce v12 and
// TxnOffsetCommit v5 join the transaction themselves (no AddPartitionsToTxn / AddOffsetsToTxn), so
// the commit marker reaches those partitions; WriteTxnMarkers v2; ListTransactions v2's
// transactional id pattern.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  buildBatchSync, createTopicsApi, endTxnApi, ErrorCode, findCoordinatorApi, initProducerIdApi, listOffsetsApi, listTransactionsApi,
  offsetFetchApi, produceApi, txnOffsetCommitApi, writeTxnMarkersApi
} from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { type TestBroker, startTestBroker } from '../helpers/broker.js'

async function setup (): Promise<{ broker: TestBroker, client: RawClient }> {
  const broker = await startTestBroker({ 'offsets.topic.num.partitions': '2', 'transaction.state.log.num.partitions': '2' })
  const client = await RawClient.connect(broker.bootstrap)
  const created = await client.request(createTopicsApi, 5, {
    topics: [{ name: 't', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false
  })
  assert.equal(created.topics[0]?.errorCode, ErrorCode.NONE)
  return { broker, client }
}

async function teardown ({ broker, client }: { broker: TestBroker, client: RawClient }): Promise<void> {
  client.close()
  await broker.destroy()
}

function batch (producerId: bigint, producerEpoch: number, baseSequence: number, count: number): Buffer {
  return buildBatchSync({
    producerId, producerEpoch, baseSequence, transactional: true,
    records: Array.from({ length: count }, (_v, i) => ({ key: null, value: Buffer.from(`v${baseSequence + i}`), timestamp: BigInt(Date.now()) }))
  })
}

async function produce (client: RawClient, version: number, transactionalId: string, records: Buffer, partition: number): Promise<number | undefined> {
  const r = await client.request(produceApi, version, { transactionalId, acks: -1, timeoutMs: 5000, topicData: [{ name: 't', partitionData: [{ index: partition, records }] }] })
  return r.responses[0]?.partitionResponses[0]?.errorCode
}

async function lastStableOffset (client: RawClient, partition: number): Promise<bigint | undefined> {
  const r = await client.request(listOffsetsApi, 5, {
    replicaId: -1, isolationLevel: 1, topics: [{ name: 't', partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1n }] }]
  })
  return r.topics[0]?.partitions[0]?.offset
}

/** Polls until `read` gives `want` (markers are written after EndTxn is answered). */
async function eventually<T> (read: () => Promise<T>, want: T, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  let last = await read()
  while (!Object.is(last, want) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    last = await read()
  }
  assert.equal(last, want, what)
}

test('Produce v12: a transactional batch joins the transaction without AddPartitionsToTxn; v11 does not', { timeout: 60_000 }, async () => {
  const ctx = await setup()
  try {
    const { client } = ctx
    const p = await client.request(initProducerIdApi, 4, { transactionalId: 'tv2', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
    assert.equal(p.errorCode, ErrorCode.NONE)
    assert.equal(await produce(client, 12, 'tv2', batch(p.producerId, p.producerEpoch, 0, 3), 0), ErrorCode.NONE)
    assert.equal(await produce(client, 12, 'tv2', batch(p.producerId, p.producerEpoch, 0, 2), 1), ErrorCode.NONE)
    assert.equal(await produce(client, 12, 'tv2', batch(p.producerId, p.producerEpoch, 3, 1), 0), ErrorCode.NONE)
    assert.equal(await lastStableOffset(client, 0), 0n, 'the open transaction holds the LSO')

    const ended = await client.request(endTxnApi, 3, { transactionalId: 'tv2', producerId: p.producerId, producerEpoch: p.producerEpoch, committed: true })
    assert.equal(ended.errorCode, ErrorCode.NONE)
    // The commit marker lands on both partitions: each LSO moves past its batches and the marker.
    await eventually(async () => await lastStableOffset(client, 0), 5n, 'partition 0 committed')
    await eventually(async () => await lastStableOffset(client, 1), 3n, 'partition 1 committed')

    // A stale epoch is refused before anything is written.
    assert.equal(await produce(client, 12, 'tv2', batch(p.producerId, p.producerEpoch - 1, 0, 1), 0), ErrorCode.PRODUCER_FENCED)
    assert.equal(await lastStableOffset(client, 0), 5n)

    // At v11 the partition must have been added first: without that, the transaction has no
    // partitions, EndTxn writes no marker, and the batch keeps the LSO where it was.
    const q = await client.request(initProducerIdApi, 4, { transactionalId: 'tv1', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
    assert.equal(await produce(client, 11, 'tv1', batch(q.producerId, q.producerEpoch, 0, 1), 1), ErrorCode.NONE)
    const v11End = await client.request(endTxnApi, 3, { transactionalId: 'tv1', producerId: q.producerId, producerEpoch: q.producerEpoch, committed: true })
    assert.equal(v11End.errorCode, ErrorCode.INVALID_TXN_STATE, 'no transaction was started')
    assert.equal(await lastStableOffset(client, 1), 3n)
  } finally {
    await teardown(ctx)
  }
})

test('TxnOffsetCommit v5 adds the group\'s offsets partition itself; the commit makes the offsets visible', { timeout: 60_000 }, async () => {
  const ctx = await setup()
  try {
    const { client } = ctx
    await client.request(findCoordinatorApi, 0, { key: 'txn-group' })
    const p = await client.request(initProducerIdApi, 4, { transactionalId: 'tv2-offsets', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
    assert.equal(await produce(client, 12, 'tv2-offsets', batch(p.producerId, p.producerEpoch, 0, 1), 0), ErrorCode.NONE)
    const commit = await client.request(txnOffsetCommitApi, 5, {
      transactionalId: 'tv2-offsets', groupId: 'txn-group', producerId: p.producerId, producerEpoch: p.producerEpoch,
      generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 42n, committedLeaderEpoch: -1, committedMetadata: null }] }]
    })
    assert.deepEqual(commit.topics.map((t) => t.partitions.map((x) => x.errorCode)), [[ErrorCode.NONE]])
    const fetchOffset = async (): Promise<bigint | undefined> => (await client.request(offsetFetchApi, 8, {
      groups: [{ groupId: 'txn-group', topics: [{ name: 't', partitionIndexes: [1] }] }], requireStable: false
    })).groups?.[0]?.topics[0]?.partitions[0]?.committedOffset
    assert.equal(await fetchOffset(), -1n, 'pending until the transaction commits')
    const ended = await client.request(endTxnApi, 3, { transactionalId: 'tv2-offsets', producerId: p.producerId, producerEpoch: p.producerEpoch, committed: true })
    assert.equal(ended.errorCode, ErrorCode.NONE)
    await eventually(fetchOffset, 42n, 'the committed transaction\'s offset')

    // A fenced producer's v5 commit is refused.
    const stale = await client.request(txnOffsetCommitApi, 5, {
      transactionalId: 'tv2-offsets', groupId: 'txn-group', producerId: p.producerId, producerEpoch: p.producerEpoch - 1,
      generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }]
    })
    assert.deepEqual(stale.topics.map((t) => t.partitions.map((x) => x.errorCode)), [[ErrorCode.PRODUCER_FENCED]])
  } finally {
    await teardown(ctx)
  }
})

test('WriteTxnMarkers v2: a transaction-version-2 marker needs an epoch above the producer\'s', { timeout: 60_000 }, async () => {
  const ctx = await setup()
  try {
    const { client } = ctx
    const p = await client.request(initProducerIdApi, 4, { transactionalId: 'wm2', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
    assert.equal(await produce(client, 12, 'wm2', batch(p.producerId, p.producerEpoch, 0, 2), 1), ErrorCode.NONE)
    assert.equal(await lastStableOffset(client, 1), 0n)
    const marker = (producerEpoch: number, transactionVersion: number) => ({
      producerId: p.producerId, producerEpoch, transactionResult: false, coordinatorEpoch: 0, transactionVersion, topics: [{ name: 't', partitionIndexes: [1, 5] }]
    })
    // The epoch the batches carry: a late marker of an earlier transaction for version 2.
    const late = await client.request(writeTxnMarkersApi, 2, { markers: [marker(p.producerEpoch, 2)] })
    assert.deepEqual(late.markers[0]?.topics[0]?.partitions.map((r) => r.errorCode), [ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
    assert.equal(await lastStableOffset(client, 1), 0n, 'nothing written')
    const written = await client.request(writeTxnMarkersApi, 2, { markers: [marker(p.producerEpoch + 1, 2)] })
    assert.deepEqual(written.markers[0]?.topics[0]?.partitions.map((r) => [r.partitionIndex, r.errorCode]), [[1, ErrorCode.NONE], [5, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
    assert.equal(await lastStableOffset(client, 1), 3n)
    // A transaction-version-1 marker keeps the producer's epoch, at v2 as at v1.
    assert.equal(await produce(client, 11, 'wm2', batch(p.producerId, p.producerEpoch + 1, 0, 1), 1), ErrorCode.NONE)
    const v1Marker = await client.request(writeTxnMarkersApi, 2, { markers: [marker(p.producerEpoch + 1, 1)] })
    assert.equal(v1Marker.markers[0]?.topics[0]?.partitions[0]?.errorCode, ErrorCode.NONE)
    assert.equal(await lastStableOffset(client, 1), 5n)
  } finally {
    await teardown(ctx)
  }
})

test('ListTransactions v2 keeps the ids its pattern matches whole; a bad pattern is INVALID_REGULAR_EXPRESSION', { timeout: 60_000 }, async () => {
  const ctx = await setup()
  try {
    const { client } = ctx
    for (const id of ['app-1', 'app-2', 'other-app']) {
      const r = await client.request(initProducerIdApi, 4, { transactionalId: id, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
      assert.equal(r.errorCode, ErrorCode.NONE)
    }
    const list = async (version: number, transactionalIdPattern: string | null): Promise<[number, string[]]> => {
      const r = await client.request(listTransactionsApi, version, { stateFilters: [], producerIdFilters: [], durationFilter: -1n, transactionalIdPattern })
      return [r.errorCode, r.transactionStates.map((s) => s.transactionalId).sort()]
    }
    assert.deepEqual(await list(2, 'app-.*'), [ErrorCode.NONE, ['app-1', 'app-2']])
    assert.deepEqual(await list(2, 'app'), [ErrorCode.NONE, []], 'the whole id must match')
    assert.deepEqual(await list(2, null), [ErrorCode.NONE, ['app-1', 'app-2', 'other-app']])
    assert.deepEqual(await list(2, ''), [ErrorCode.NONE, ['app-1', 'app-2', 'other-app']])
    assert.deepEqual(await list(2, 'app-('), [ErrorCode.INVALID_REGULAR_EXPRESSION, []])
    assert.deepEqual(await list(2, '(?P<kind>app)-[[:digit:]]'), [ErrorCode.NONE, ['app-1', 'app-2']], 'RE2 syntax, as Kafka')
    assert.deepEqual(await list(2, '(?=app).*'), [ErrorCode.INVALID_REGULAR_EXPRESSION, []], 'lookaround is not RE2')
    assert.deepEqual(await list(1, 'app-('), [ErrorCode.NONE, ['app-1', 'app-2', 'other-app']], 'v1 has no pattern field')
  } finally {
    await teardown(ctx)
  }
})
