import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, metadataApi, ZERO_UUID } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'

let broker: TestBroker
let client: RawClient

before(async () => {
  broker = await startTestBroker({ 'num.partitions': '3' })
  client = await RawClient.connect(broker.bootstrap)
})
after(async () => {
  client.close()
  await broker.destroy()
})

test('a missing topic is auto-created and returned complete, with a topic id', async () => {
  const response = await client.request(metadataApi, 12, { topics: [{ name: 'auto-made' }], allowAutoTopicCreation: true })
  const topic = response.topics[0]
  assert.equal(topic?.errorCode, ErrorCode.NONE)
  assert.equal(topic?.name, 'auto-made')
  assert.notEqual(topic?.topicId, ZERO_UUID)
  assert.deepEqual(topic?.partitions.map((p) => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes]),
    [0, 1, 2].map((i) => [i, broker.nodeId, [broker.nodeId], [broker.nodeId]]))
  assert.deepEqual(response.brokers, [{ nodeId: broker.nodeId, host: '127.0.0.1', port: broker.port, rack: null }])
  assert.equal(response.clusterId, broker.clusterId)

  // The same id comes back by name and by id (v12).
  const byId = await client.request(metadataApi, 12, { topics: [{ topicId: topic?.topicId ?? ZERO_UUID, name: null }], allowAutoTopicCreation: false })
  assert.equal(byId.topics[0]?.name, 'auto-made')
})

test('auto-creation respects the request flag; invalid names get INVALID_TOPIC_EXCEPTION', async () => {
  const response = await client.request(metadataApi, 12, {
    topics: [{ name: 'not-created' }, { name: 'bad name!' }],
    allowAutoTopicCreation: false
  })
  assert.deepEqual(response.topics.map((t) => [t.name, t.errorCode]), [
    ['not-created', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ['bad name!', ErrorCode.INVALID_TOPIC_EXCEPTION]
  ])
  const unknownId = await client.request(metadataApi, 12, { topics: [{ topicId: '00000000-0000-0000-0000-00000000abcd', name: null }] })
  assert.equal(unknownId.topics[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_ID)
})

test('v0 empty list and v1+ null list mean all topics; v1+ empty list means none', async () => {
  const all0 = await client.request(metadataApi, 0, { topics: [] })
  const all12 = await client.request(metadataApi, 12, { topics: null })
  const none = await client.request(metadataApi, 12, { topics: [] })
  assert.ok(all0.topics.some((t) => t.name === 'auto-made'))
  assert.deepEqual(all12.topics.map((t) => t.name), all0.topics.map((t) => t.name))
  assert.deepEqual(none.topics, [])
})
