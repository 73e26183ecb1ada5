import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createTopicsApi, deleteRecordsApi, ErrorCode, fetchApi, listOffsetsApi, produceApi } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { batchOf, fetchBody, produceBody } from '../helpers/records.js'

let broker: TestBroker
let client: RawClient

before(async () => {
  broker = await startTestBroker()
  client = await RawClient.connect(broker.bootstrap)
  await client.request(produceApi, 9, produceBody('trimmed', await batchOf(['a', 'b'])))
  await client.request(produceApi, 9, produceBody('trimmed', await batchOf(['c', 'd', 'e'])))
  await client.request(createTopicsApi, 7, {
    topics: [{ name: 'compacted', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] }],
    timeoutMs: 1000
  })
})
after(async () => {
  client.close()
  await broker.destroy()
})

async function earliest (): Promise<bigint | undefined> {
  const response = await client.request(listOffsetsApi, 8, {
    replicaId: -1,
    topics: [{ name: 'trimmed', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n }] }]
  })
  return response.topics[0]?.partitions[0]?.offset
}

async function deleteBefore (topic: string, offset: bigint) {
  const response = await client.request(deleteRecordsApi, 2, { topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset }] }], timeoutMs: 1000 })
  return response.topics[0]?.partitions[0]
}

test('DeleteRecords moves the log start offset; earlier offsets are then out of range', async () => {
  assert.equal((await deleteBefore('trimmed', 99n))?.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE)
  assert.deepEqual(await deleteBefore('trimmed', 2n), { partitionIndex: 0, errorCode: ErrorCode.NONE, lowWatermark: 2n })
  assert.equal(await earliest(), 2n)
  const fetched = await client.request(fetchApi, 11, fetchBody('trimmed', 0n))
  assert.equal(fetched.responses[0]?.partitions[0]?.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE)
  const fromStart = await client.request(fetchApi, 11, fetchBody('trimmed', 2n))
  assert.equal(fromStart.responses[0]?.partitions[0]?.logStartOffset, 2n)
})

test('-1 deletes up to the high watermark; compact-only topics and unknown topics are refused', async () => {
  assert.deepEqual(await deleteBefore('trimmed', -1n), { partitionIndex: 0, errorCode: ErrorCode.NONE, lowWatermark: 5n })
  assert.equal((await deleteBefore('compacted', 0n))?.errorCode, ErrorCode.POLICY_VIOLATION)
  assert.equal((await deleteBefore('missing', 0n))?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
})
