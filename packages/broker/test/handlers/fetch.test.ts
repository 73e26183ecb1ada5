import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createTopicsApi, ErrorCode, fetchApi, metadataApi, produceApi, ZERO_UUID } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { batchOf, fetchBody, fetchedValues, produceBody } from '../helpers/records.js'

let broker: TestBroker
let client: RawClient

before(async () => {
  broker = await startTestBroker()
  client = await RawClient.connect(broker.bootstrap)
  await client.request(createTopicsApi, 7, {
    topics: ['polled', 'limits'].map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
    timeoutMs: 1000
  })
})
after(async () => {
  client.close()
  await broker.destroy()
})

// If the append did not wake the fetch, it would wait out its 60 s max_wait and hit this timeout.
test('a long poll is woken by a produce on another connection', { timeout: 20_000 }, async () => {
  const producer = await RawClient.connect(broker.bootstrap)
  const polling = client.request(fetchApi, 11, fetchBody('polled', 0n, { maxWaitMs: 60_000, minBytes: 1 }))
  await new Promise((resolve) => setTimeout(resolve, 50))
  await producer.request(produceApi, 9, produceBody('polled', await batchOf(['wake up'])))
  assert.deepEqual(await fetchedValues(await polling), [[0, 'wake up']])
  producer.close()
})

test('a fetch with nothing to return waits max_wait_ms and answers empty', async () => {
  const response = await client.request(fetchApi, 11, fetchBody('polled', 1n, { maxWaitMs: 20 }))
  const partition = response.responses[0]?.partitions[0]
  assert.equal(partition?.errorCode, ErrorCode.NONE)
  assert.equal(partition?.highWatermark, 1n)
  assert.deepEqual(await fetchedValues(response), [])
})

test('the first batch is returned whole even past the limits, from an offset inside it', async () => {
  await client.request(produceApi, 9, produceBody('limits', await batchOf(['aaaaaaaaaa', 'bbbbbbbbbb', 'cccccccccc'])))
  await client.request(produceApi, 9, produceBody('limits', await batchOf(['dddddddddd'])))
  const tiny = await client.request(fetchApi, 11, fetchBody('limits', 1n, { partitionMaxBytes: 10 }))
  assert.deepEqual(await fetchedValues(tiny), [[0, 'aaaaaaaaaa'], [1, 'bbbbbbbbbb'], [2, 'cccccccccc']])
  const all = await client.request(fetchApi, 11, fetchBody('limits', 2n))
  assert.deepEqual((await fetchedValues(all)).map(([o]) => o), [0, 1, 2, 3])
})

test('out-of-range offsets and unknown topics get their errors', async () => {
  const past = await client.request(fetchApi, 11, fetchBody('limits', 1000n))
  assert.equal(past.responses[0]?.partitions[0]?.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE)
  const unknown = await client.request(fetchApi, 11, fetchBody('no-such-topic', 0n))
  assert.equal(unknown.responses[0]?.partitions[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
})

test('v13+ addresses topics by id', async () => {
  const metadata = await client.request(metadataApi, 12, { topics: [{ name: 'limits' }], allowAutoTopicCreation: false })
  const topicId = metadata.topics[0]?.topicId ?? ZERO_UUID
  const byId = await client.request(fetchApi, 16, fetchBody('', 3n, { topicId }))
  assert.equal(byId.responses[0]?.topicId, topicId)
  assert.deepEqual(await fetchedValues(byId), [[3, 'dddddddddd']])
  const unknown = await client.request(fetchApi, 16, fetchBody('', 0n, { topicId: '00000000-0000-0000-0000-0000000000ff' }))
  assert.equal(unknown.responses[0]?.partitions[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_ID)
})
