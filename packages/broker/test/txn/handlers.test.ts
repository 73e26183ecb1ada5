// The transaction APIs over a raw socket at specific versions: error codes per version (KIP-588
// downgrade of PRODUCER_FENCED), AddPartitionsToTxn partition errors and its v4 batched form,
// WriteTxnMarkers, and the produce path's idempotence answers (duplicates, gaps, old epochs).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, addPartitionsToTxnApi, createTopicsApi, endTxnApi, fetchApi, initProducerIdApi, listOffsetsApi, produceApi, writeTxnMarkersApi, buildBatchSync } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { type TestBroker, startTestBroker } from '../helpers/broker.js'

async function setup (): Promise<{ broker: TestBroker, client: RawClient }> {
  const broker = await startTestBroker()
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

function batch (producerId: bigint, producerEpoch: number, baseSequence: number, count: number, transactional = false): Buffer {
  return buildBatchSync({
    producerId, producerEpoch, baseSequence, transactional,
    records: Array.from({ length: count }, (_v, i) => ({ key: null, value: Buffer.from(`v${baseSequence + i}`), timestamp: BigInt(Date.now()) }))
  })
}

async function produce (client: RawClient, records: Buffer, partition = 0, transactionalId: string | null = null): Promise<{ errorCode: number, baseOffset: bigint }> {
  const r = await client.request(produceApi, 9, { transactionalId, acks: -1, timeoutMs: 5000, topicData: [{ name: 't', partitionData: [{ index: partition, records }] }] })
  const p = r.responses[0]?.partitionResponses[0]
  return { errorCode: p?.errorCode ?? -999, baseOffset: p?.baseOffset ?? -999n }
}

test('produce: duplicates get the original offsets, gaps and stale epochs are refused', async () => {
  const ctx = await setup()
  try {
    const { producerId } = await ctx.client.request(initProducerIdApi, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
    assert.deepEqual(await produce(ctx.client, batch(producerId, 0, 0, 5)), { errorCode: ErrorCode.NONE, baseOffset: 0n })
    assert.deepEqual(await produce(ctx.client, batch(producerId, 0, 5, 5)), { errorCode: ErrorCode.NONE, baseOffset: 5n })
    assert.deepEqual(await produce(ctx.client, batch(producerId, 0, 0, 5)), { errorCode: ErrorCode.NONE, baseOffset: 0n })
    assert.deepEqual(await produce(ctx.client, batch(producerId, 0, 11, 1)), { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1n })
    assert.deepEqual(await produce(ctx.client, batch(producerId, 1, 0, 1)), { errorCode: ErrorCode.NONE, baseOffset: 10n })
    assert.deepEqual(await produce(ctx.client, batch(producerId, 0, 10, 1)), { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, baseOffset: -1n })
  } finally {
    await teardown(ctx)
  }
})

test('fencing answers PRODUCER_FENCED from KIP-588 versions on, INVALID_PRODUCER_EPOCH before', async () => {
  const ctx = await setup()
  try {
    const { client } = ctx
    const old = await client.request(initProducerIdApi, 4, { transactionalId: 'fx', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
    const current = await client.request(initProducerIdApi, 4, { transactionalId: 'fx', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
    assert.equal(current.producerEpoch, old.producerEpoch + 1)
    const endAs = async (version: number): Promise<number> => (await client.request(endTxnApi, version, {
      transactionalId: 'fx', producerId: old.producerId, producerEpoch: old.producerEpoch, committed: true
    })).errorCode
    assert.equal(await endAs(1), ErrorCode.INVALID_PRODUCER_EPOCH)
    assert.equal(await endAs(3), ErrorCode.PRODUCER_FENCED)
    const initAs = async (version: number): Promise<number> => (await client.request(initProducerIdApi, version, {
      transactionalId: 'fx', transactionTimeoutMs: 60000, producerId: old.producerId + 100n, producerEpoch: 0
    })).errorCode
    assert.equal(await initAs(3), ErrorCode.INVALID_PRODUCER_EPOCH)
    assert.equal(await initAs(4), ErrorCode.PRODUCER_FENCED)
    const addAs = async (version: number): Promise<number | undefined> => (await client.request(addPartitionsToTxnApi, version, {
      v3AndBelowTransactionalId: 'fx', v3AndBelowProducerId: old.producerId, v3AndBelowProducerEpoch: old.producerEpoch, v3AndBelowTopics: [{ name: 't', partitions: [0] }]
    })).resultsByTopicV3AndBelow?.[0]?.resultsByPartition[0]?.partitionErrorCode
    assert.equal(await addAs(1), ErrorCode.INVALID_PRODUCER_EPOCH)
    assert.equal(await addAs(2), ErrorCode.PRODUCER_FENCED)
    assert.equal((await client.request(initProducerIdApi, 4, { transactionalId: 'fx', transactionTimeoutMs: 0, producerId: -1n, producerEpoch: -1 })).errorCode,
      ErrorCode.INVALID_TRANSACTION_TIMEOUT)
  } finally {
    await teardown(ctx)
  }
})

test('AddPartitionsToTxn: unknown partitions fail, the rest is not attempted; v4 adds and verifies in batches', async () => {
  const ctx = await setup()
  try {
    const { client } = ctx
    const p = await client.request(initProducerIdApi, 4, { transactionalId: 'ap', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
    const mixed = await client.request(addPartitionsToTxnApi, 3, {
      v3AndBelowTransactionalId: 'ap', v3AndBelowProducerId: p.producerId, v3AndBelowProducerEpoch: p.producerEpoch,
      v3AndBelowTopics: [{ name: 't', partitions: [0, 9] }, { name: 'nope', partitions: [0] }]
    })
    assert.deepEqual(mixed.resultsByTopicV3AndBelow?.map((t) => [t.name, t.resultsByPartition.map((r) => [r.partitionIndex, r.partitionErrorCode])]), [
      ['t', [[0, ErrorCode.OPERATION_NOT_ATTEMPTED], [9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
      ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]]
    ])
    const batched = await client.request(addPartitionsToTxnApi, 4, {
      transactions: [
        { transactionalId: 'ap', producerId: p.producerId, producerEpoch: p.producerEpoch, verifyOnly: false, topics: [{ name: 't', partitions: [0] }] },
        { transactionalId: 'unknown-id', producerId: 5n, producerEpoch: 0, verifyOnly: false, topics: [{ name: 't', partitions: [0] }] }
      ]
    })
    assert.equal(batched.errorCode, ErrorCode.NONE)
    assert.deepEqual(batched.resultsByTransaction?.map((r) => r.topicResults[0]?.resultsByPartition[0]?.partitionErrorCode),
      [ErrorCode.NONE, ErrorCode.INVALID_PRODUCER_ID_MAPPING])
    const verified = await client.request(addPartitionsToTxnApi, 4, {
      transactions: [{ transactionalId: 'ap', producerId: p.producerId, producerEpoch: p.producerEpoch, verifyOnly: true, topics: [{ name: 't', partitions: [0, 1] }] }]
    })
    assert.deepEqual(verified.resultsByTransaction?.[0]?.topicResults[0]?.resultsByPartition.map((r) => r.partitionErrorCode),
      [ErrorCode.NONE, ErrorCode.INVALID_TXN_STATE])
  } finally {
    await teardown(ctx)
  }
})

test('WriteTxnMarkers writes a marker that ends the transaction on the partition and moves its LSO', async () => {
  const ctx = await setup()
  try {
    const { client } = ctx
    const p = await client.request(initProducerIdApi, 4, { transactionalId: 'wm', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
    assert.equal((await produce(client, batch(p.producerId, p.producerEpoch, 0, 3, true), 1, 'wm')).errorCode, ErrorCode.NONE)
    const lso = async (): Promise<bigint | undefined> => (await client.request(listOffsetsApi, 5, {
      replicaId: -1, isolationLevel: 1, topics: [{ name: 't', partitions: [{ partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -1n }] }]
    })).topics[0]?.partitions[0]?.offset
    assert.equal(await lso(), 0n)
    const written = await client.request(writeTxnMarkersApi, 1, {
      markers: [{ producerId: p.producerId, producerEpoch: p.producerEpoch, transactionResult: false, coordinatorEpoch: 0, topics: [{ name: 't', partitionIndexes: [1, 7] }] }]
    })
    assert.deepEqual(written.markers[0]?.topics[0]?.partitions.map((r) => [r.partitionIndex, r.errorCode]),
      [[1, ErrorCode.NONE], [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
    assert.equal(await lso(), 4n)
    // A read_committed fetch is told the transaction was aborted.
    const fetched = await client.request(fetchApi, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 't', partitions: [{ partition: 1, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: ''
    })
    const data = fetched.responses[0]?.partitions[0]
    assert.deepEqual(data?.abortedTransactions, [{ producerId: p.producerId, firstOffset: 0n }])
    assert.equal(data?.lastStableOffset, 4n)
    // A stale marker (older coordinator epoch) is refused by the partition's producer state.
    const stale = await client.request(writeTxnMarkersApi, 1, {
      markers: [{ producerId: p.producerId, producerEpoch: p.producerEpoch, transactionResult: true, coordinatorEpoch: -3, topics: [{ name: 't', partitionIndexes: [1] }] }]
    })
    assert.equal(stale.markers[0]?.topics[0]?.partitions[0]?.errorCode, ErrorCode.TRANSACTION_COORDINATOR_FENCED)
  } finally {
    await teardown(ctx)
  }
})
