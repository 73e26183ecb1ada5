// DescribeTopicPartitions (KIP-966) over a real socket: name order, the partition limit and the
// cursor handing the next page, as Kafka pages.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createTopicsApi, describeTopicPartitionsApi, type DescribeTopicPartitionsResponse, ErrorCode, ZERO_UUID } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'

let broker: TestBroker
let client: RawClient

before(async () => {
  broker = await startTestBroker({ 'max.request.partition.size.limit': '6' })
  client = await RawClient.connect(broker.bootstrap)
  await client.request(createTopicsApi, 7, {
    topics: [['dtp-b', 4], ['dtp-a', 2], ['dtp-c', 3]].map(([name, n]) => ({ name: name as string, numPartitions: n as number, replicationFactor: 1, assignments: [], configs: [] })),
    timeoutMs: 1000
  })
})
after(async () => {
  client.close()
  await broker.destroy()
})

const pages = (r: DescribeTopicPartitionsResponse): string[] => r.topics.map((t) => `${t.name ?? ''}:${t.partitions.map((p) => p.partitionIndex).join(',')}`)

test('pages through the requested topics in name order with a cursor', { timeout: 10_000 }, async () => {
  const topics = [{ name: 'dtp-c' }, { name: 'dtp-a' }, { name: 'dtp-b' }]
  const first = await client.request(describeTopicPartitionsApi, 0, { topics, responsePartitionLimit: 3, cursor: null })
  assert.deepEqual(pages(first), ['dtp-a:0,1', 'dtp-b:0'])
  assert.deepEqual(first.nextCursor, { topicName: 'dtp-b', partitionIndex: 1 })
  const second = await client.request(describeTopicPartitionsApi, 0, { topics, responsePartitionLimit: 3, cursor: first.nextCursor ?? null })
  assert.deepEqual(pages(second), ['dtp-b:1,2,3'])
  // The limit was spent exactly at a topic's end: the cursor names the next topic's start.
  assert.deepEqual(second.nextCursor, { topicName: 'dtp-c', partitionIndex: 0 })
  const third = await client.request(describeTopicPartitionsApi, 0, { topics, responsePartitionLimit: 3, cursor: second.nextCursor ?? null })
  assert.deepEqual(pages(third), ['dtp-c:0,1,2'])
  assert.equal(third.nextCursor, null)
  const b = second.topics[0]
  assert.equal(b?.errorCode, ErrorCode.NONE)
  assert.notEqual(b?.topicId, ZERO_UUID)
  assert.deepEqual(b?.partitions[0]?.replicaNodes, [broker.nodeId])
  assert.equal(b?.partitions[0]?.leaderId, broker.nodeId)
})

test('an empty list describes every topic; the broker limit caps the page', { timeout: 10_000 }, async () => {
  const all = await client.request(describeTopicPartitionsApi, 0, { topics: [], responsePartitionLimit: 2000, cursor: null })
  // max.request.partition.size.limit=6 wins over the request's 2000.
  assert.deepEqual(pages(all), ['dtp-a:0,1', 'dtp-b:0,1,2,3'])
  assert.deepEqual(all.nextCursor, { topicName: 'dtp-c', partitionIndex: 0 })
})

test('unknown and invalid names get their errors; a cursor outside the request is INVALID_REQUEST', { timeout: 10_000 }, async () => {
  const r = await client.request(describeTopicPartitionsApi, 0, { topics: [{ name: 'dtp-none' }, { name: 'bad/name' }], responsePartitionLimit: 10, cursor: null })
  assert.deepEqual(r.topics.map((t) => [t.name, t.errorCode]), [['bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION], ['dtp-none', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
  const bad = await client.request(describeTopicPartitionsApi, 0, { topics: [{ name: 'dtp-a' }], responsePartitionLimit: 10, cursor: { topicName: 'dtp-b', partitionIndex: 0 } })
  assert.deepEqual(bad.topics.map((t) => [t.name, t.errorCode]), [['dtp-a', ErrorCode.INVALID_REQUEST]])
  const negative = await client.request(describeTopicPartitionsApi, 0, { topics: [{ name: 'dtp-a' }], responsePartitionLimit: 10, cursor: { topicName: 'dtp-a', partitionIndex: -1 } })
  assert.equal(negative.topics[0]?.errorCode, ErrorCode.INVALID_REQUEST)
})
