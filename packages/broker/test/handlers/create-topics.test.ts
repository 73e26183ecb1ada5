import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createTopicsApi, createPartitionsApi, deleteTopicsApi, ErrorCode, metadataApi, ZERO_UUID } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'

let broker: TestBroker
let client: RawClient

before(async () => {
  broker = await startTestBroker()
  client = await RawClient.connect(broker.bootstrap)
})
after(async () => {
  client.close()
  await broker.destroy()
})

const topic = (name: string, numPartitions = 1, replicationFactor = 1, configs: Array<{ name: string, value: string }> = []) =>
  ({ name, numPartitions, replicationFactor, assignments: [], configs })

test('creates topics and reports each error as Kafka does', async () => {
  const response = await client.request(createTopicsApi, 7, {
    topics: [
      topic('created', 2, -1, [{ name: 'retention.ms', value: '60000' }]),
      topic('bad/name'),
      topic('zero', 0),
      topic('three-copies', 1, 3),
      topic('bad-config', 1, 1, [{ name: 'retention.ms', value: 'forever' }]),
      topic('unknown-config', 1, 1, [{ name: 'no.such.thing', value: '1' }]),
      topic('twice'),
      topic('twice')
    ],
    timeoutMs: 1000,
    validateOnly: false
  })
  assert.deepEqual(response.topics.map((t) => [t.name, t.errorCode]), [
    ['created', ErrorCode.NONE],
    ['bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION],
    ['zero', ErrorCode.INVALID_PARTITIONS],
    ['three-copies', ErrorCode.INVALID_REPLICATION_FACTOR],
    ['bad-config', ErrorCode.INVALID_CONFIG],
    ['unknown-config', ErrorCode.INVALID_CONFIG],
    ['twice', ErrorCode.INVALID_REQUEST],
    ['twice', ErrorCode.INVALID_REQUEST]
  ])
  const created = response.topics[0]
  assert.equal(created?.numPartitions, 2)
  assert.notEqual(created?.topicId, ZERO_UUID)
  const retention = created?.configs?.find((c) => c.name === 'retention.ms')
  assert.equal(retention?.value, '60000')

  const again = await client.request(createTopicsApi, 7, { topics: [topic('created')], timeoutMs: 1000, validateOnly: false })
  assert.equal(again.topics[0]?.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS)
})

test('validate_only checks without creating', async () => {
  const response = await client.request(createTopicsApi, 7, { topics: [topic('only-validated', 4)], timeoutMs: 1000, validateOnly: true })
  assert.equal(response.topics[0]?.errorCode, ErrorCode.NONE)
  const metadata = await client.request(metadataApi, 12, { topics: [{ name: 'only-validated' }], allowAutoTopicCreation: false })
  assert.equal(metadata.topics[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
})

test('partitions grow but never shrink; topics delete by name and by id', async () => {
  await client.request(createTopicsApi, 7, { topics: [topic('growing', 1)], timeoutMs: 1000, validateOnly: false })
  const grow = await client.request(createPartitionsApi, 3, {
    topics: [{ name: 'growing', count: 3, assignments: null }, { name: 'nope', count: 2, assignments: null }],
    timeoutMs: 1000,
    validateOnly: false
  })
  assert.deepEqual(grow.results.map((r) => r.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
  const shrink = await client.request(createPartitionsApi, 3, { topics: [{ name: 'growing', count: 2, assignments: null }], timeoutMs: 1000, validateOnly: false })
  assert.equal(shrink.results[0]?.errorCode, ErrorCode.INVALID_PARTITIONS)
  const metadata = await client.request(metadataApi, 12, { topics: [{ name: 'growing' }], allowAutoTopicCreation: false })
  assert.equal(metadata.topics[0]?.partitions.length, 3)

  const byName = await client.request(deleteTopicsApi, 6, { topics: [{ name: 'growing', topicId: ZERO_UUID }], timeoutMs: 1000 })
  assert.equal(byName.responses[0]?.errorCode, ErrorCode.NONE)
  const createdId = (await client.request(metadataApi, 12, { topics: [{ name: 'created' }], allowAutoTopicCreation: false })).topics[0]?.topicId ?? ZERO_UUID
  const byId = await client.request(deleteTopicsApi, 6, { topics: [{ name: null, topicId: createdId }], timeoutMs: 1000 })
  assert.deepEqual(byId.responses.map((r) => [r.name, r.errorCode]), [['created', ErrorCode.NONE]])
  const gone = await client.request(deleteTopicsApi, 3, { topicNames: ['growing'], timeoutMs: 1000 })
  assert.equal(gone.responses[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
})

test('a topic change queued behind a long one answers REQUEST_TIMED_OUT at its timeoutMs, and still completes', { timeout: 60_000 }, async () => {
  const other = await RawClient.connect(broker.bootstrap)
  try {
    await client.request(createTopicsApi, 7, { topics: [topic('queue-head', 1)], timeoutMs: 30_000, validateOnly: false })
    // Topic changes run one at a time: 2,000 new partitions hold the queue while the next waits.
    const head = client.request(createPartitionsApi, 3, { topics: [{ name: 'queue-head', count: 2000, assignments: null }], timeoutMs: 60_000, validateOnly: false })
    const queued = await other.request(createTopicsApi, 7, { topics: [topic('queued-behind', 1)], timeoutMs: 1, validateOnly: false })
    assert.equal(queued.topics[0]?.errorCode, ErrorCode.REQUEST_TIMED_OUT)
    assert.equal((await head).results[0]?.errorCode, ErrorCode.NONE)
    // As in Kafka, the creation goes on after the answer.
    const again = await other.request(createTopicsApi, 7, { topics: [topic('queued-behind', 1)], timeoutMs: 30_000, validateOnly: false })
    assert.equal(again.topics[0]?.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS)
  } finally {
    other.close()
  }
})
