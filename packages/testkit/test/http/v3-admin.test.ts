// REST Proxy v3 admin over real HTTP, each change checked against kafkajs admin's view of the
// cluster: topics (create with configs, list, get, delete), partitions, configs (get, set, reset,
// batch alter), brokers, and consumer groups with their lag.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { kcatConsumeAll, waitFor } from '@brook/testkit'
import { assertRestError, call, startHttpBroker, type HttpBroker } from './harness.js'

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs
let h: HttpBroker
let admin: ReturnType<InstanceType<typeof Kafka>['admin']>
let kafka: InstanceType<typeof Kafka>
let cluster: string

interface List<T> { kind: string, metadata: { self: string, next: null }, data: T[] }
interface TopicResource { kind: string, metadata: { self: string, resource_name: string }, cluster_id: string, topic_name: string, partitions_count: number, replication_factor: number, is_internal: boolean }

before(async () => {
  h = await startHttpBroker()
  kafka = new Kafka({ clientId: 'v3-admin', brokers: [h.broker.bootstrap], logLevel: logLevel.NOTHING })
  admin = kafka.admin()
  await admin.connect()
  cluster = `/v3/clusters/${h.broker.clusterId}`
})
after(async () => {
  await admin.disconnect()
  await h.close()
})

async function topicConfig (topic: string, name: string): Promise<string | undefined> {
  const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [name] }], includeSynonyms: false })
  return described.resources[0]?.configEntries.find((e) => e.configName === name)?.configValue
}

test('clusters and brokers', { timeout: 30_000 }, async () => {
  const clusters = await call(h.url, 'GET', '/v3/clusters')
  assert.equal(clusters.status, 200)
  const list = clusters.body as List<{ kind: string, cluster_id: string, brokers: { related: string }, controller: { related: string } }>
  assert.equal(list.kind, 'KafkaClusterList')
  assert.equal(list.data.length, 1)
  assert.equal(list.data[0]?.cluster_id, h.broker.clusterId)
  assert.equal(list.data[0]?.kind, 'KafkaCluster')
  assert.equal(list.data[0]?.brokers.related, `${h.url}${cluster}/brokers`)
  const described = await admin.describeCluster()
  assert.equal(described.clusterId, h.broker.clusterId)

  const brokers = (await call(h.url, 'GET', `${cluster}/brokers`)).body as List<{ broker_id: number, host: string, port: number }>
  assert.deepEqual(brokers.data.map((b) => ({ broker_id: b.broker_id, host: b.host, port: b.port })), described.brokers.map((b) => ({ broker_id: b.nodeId, host: b.host, port: b.port })))
  const one = await call(h.url, 'GET', `${cluster}/brokers/${h.broker.nodeId}`)
  assert.equal((one.body as { kind: string }).kind, 'KafkaBroker')
  assertRestError(await call(h.url, 'GET', `${cluster}/brokers/999`), 404, 404)
  const configs = (await call(h.url, 'GET', `${cluster}/brokers/${h.broker.nodeId}/configs`)).body as List<{ name: string, value: string | null }>
  assert.ok(configs.data.some((c) => c.name === 'num.partitions' && c.value === '1'))
  assertRestError(await call(h.url, 'GET', '/v3/clusters/not-this-one/topics'), 404, 404)
})

test('topics: create with configs, get, list, partitions, delete; kafkajs agrees at each step', { timeout: 60_000 }, async () => {
  const created = await call(h.url, 'POST', `${cluster}/topics`, {
    contentType: 'application/json',
    body: { topic_name: 'rest-made', partitions_count: 4, replication_factor: 1, configs: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'retention.ms', value: '123456' }] }
  })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const topic = created.body as TopicResource
  assert.equal(topic.kind, 'KafkaTopic')
  assert.equal(topic.topic_name, 'rest-made')
  assert.equal(topic.partitions_count, 4)
  assert.equal(topic.replication_factor, 1)
  assert.equal(topic.metadata.self, `${h.url}${cluster}/topics/rest-made`)
  assert.equal(topic.metadata.resource_name, `crn:///kafka=${h.broker.clusterId}/topic=rest-made`)

  const meta = await admin.fetchTopicMetadata({ topics: ['rest-made'] })
  assert.equal(meta.topics[0]?.partitions.length, 4)
  assert.equal(await topicConfig('rest-made', 'cleanup.policy'), 'compact')
  assert.equal(await topicConfig('rest-made', 'retention.ms'), '123456')

  assertRestError(await call(h.url, 'POST', `${cluster}/topics`, { contentType: 'application/json', body: { topic_name: 'rest-made', partitions_count: 1 } }), 400, 40002)
  assertRestError(await call(h.url, 'POST', `${cluster}/topics`, { contentType: 'application/json', body: { partitions_count: 1 } }), 422, 422)
  assertRestError(await call(h.url, 'POST', `${cluster}/topics`, { contentType: 'application/json', body: { topic_name: 'bad/name' } }), 400, 400)

  const listed = (await call(h.url, 'GET', `${cluster}/topics`)).body as List<TopicResource>
  assert.equal(listed.kind, 'KafkaTopicList')
  const kafkajsTopics = await admin.listTopics()
  for (const name of kafkajsTopics) assert.ok(listed.data.some((t) => t.topic_name === name), `${name} listed`)

  const partitions = (await call(h.url, 'GET', `${cluster}/topics/rest-made/partitions`)).body as List<{ partition_id: number, leader: { related: string } }>
  assert.deepEqual(partitions.data.map((p) => p.partition_id), [0, 1, 2, 3])
  assert.equal(partitions.data[0]?.leader.related, `${h.url}${cluster}/topics/rest-made/partitions/0/replicas/${h.broker.nodeId}`)
  assert.equal(((await call(h.url, 'GET', `${cluster}/topics/rest-made/partitions/3`)).body as { partition_id: number }).partition_id, 3)
  assertRestError(await call(h.url, 'GET', `${cluster}/topics/rest-made/partitions/4`), 404, 40402)
  assertRestError(await call(h.url, 'GET', `${cluster}/topics/missing`), 404, 40401)

  assert.equal((await call(h.url, 'DELETE', `${cluster}/topics/rest-made`)).status, 204)
  await waitFor(async () => !(await admin.listTopics()).includes('rest-made'), 30_000, { message: 'kafkajs no longer lists the topic' })
  assertRestError(await call(h.url, 'DELETE', `${cluster}/topics/rest-made`), 404, 40401)
})

test('topic configs: list, get, set, reset, batch alter', { timeout: 60_000 }, async () => {
  await admin.createTopics({ topics: [{ topic: 'configured', numPartitions: 1 }] })
  const listed = (await call(h.url, 'GET', `${cluster}/topics/configured/configs`)).body as List<{ name: string, value: string, is_default: boolean, source: string, topic_name: string }>
  const retention = listed.data.find((c) => c.name === 'retention.ms')
  assert.equal(retention?.is_default, true)
  assert.equal(retention?.source, 'DEFAULT_CONFIG')
  assert.equal(retention?.topic_name, 'configured')

  assert.equal((await call(h.url, 'PUT', `${cluster}/topics/configured/configs/retention.ms`, { contentType: 'application/json', body: { value: '3600000' } })).status, 204)
  assert.equal(await topicConfig('configured', 'retention.ms'), '3600000')
  const one = (await call(h.url, 'GET', `${cluster}/topics/configured/configs/retention.ms`)).body as { value: string, is_default: boolean, source: string }
  assert.deepEqual({ value: one.value, is_default: one.is_default, source: one.source }, { value: '3600000', is_default: false, source: 'DYNAMIC_TOPIC_CONFIG' })

  const alter = await call(h.url, 'POST', `${cluster}/topics/configured/configs:alter`, {
    contentType: 'application/json',
    body: { data: [{ name: 'retention.ms', operation: 'DELETE' }, { name: 'segment.bytes', value: '1048576' }] }
  })
  assert.equal(alter.status, 204, JSON.stringify(alter.body))
  assert.equal(await topicConfig('configured', 'segment.bytes'), '1048576')
  assert.equal(await topicConfig('configured', 'retention.ms'), '604800000')

  assert.equal((await call(h.url, 'DELETE', `${cluster}/topics/configured/configs/segment.bytes`)).status, 204)
  assert.equal(await topicConfig('configured', 'segment.bytes'), '1073741824')
  assertRestError(await call(h.url, 'PUT', `${cluster}/topics/configured/configs/retention.ms`, { contentType: 'application/json', body: { value: 'soon' } }), 400, 400)
})

test('consumer groups, their members and lag, against what a kafkajs consumer did', { timeout: 90_000 }, async () => {
  await admin.createTopics({ topics: [{ topic: 'lagged', numPartitions: 2 }] })
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic: 'lagged', messages: Array.from({ length: 30 }, (_, i) => ({ value: `m${i}`, partition: i % 2 })) })
  await producer.disconnect()
  const consumer = kafka.consumer({ groupId: 'lag-group' })
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: ['lagged'], fromBeginning: true })
    let seen = 0
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        seen++
        // Commit 10 of 15 on partition 0 and 5 of 15 on partition 1.
        const upTo = partition === 0 ? 10 : 5
        if (Number(message.offset) + 1 <= upTo) await consumer.commitOffsets([{ topic: 'lagged', partition, offset: String(Number(message.offset) + 1) }])
      }
    })
    await waitFor(() => seen >= 30, 60_000, { message: 'kafkajs read everything' })
    const group = (await call(h.url, 'GET', `${cluster}/consumer-groups/lag-group`)).body as { kind: string, consumer_group_id: string, state: string, is_simple: boolean }
    assert.equal(group.kind, 'KafkaConsumerGroup')
    assert.equal(group.state, 'STABLE')
    assert.equal(group.is_simple, false)
    const groups = (await call(h.url, 'GET', `${cluster}/consumer-groups`)).body as List<{ consumer_group_id: string }>
    assert.ok(groups.data.some((g) => g.consumer_group_id === 'lag-group'))
    const members = (await call(h.url, 'GET', `${cluster}/consumer-groups/lag-group/consumers`)).body as List<{ consumer_id: string, client_id: string }>
    const kafkajsView = await admin.describeGroups(['lag-group'])
    assert.deepEqual(members.data.map((m) => m.consumer_id), kafkajsView.groups[0]?.members.map((m) => m.memberId))
    assert.equal(members.data[0]?.client_id, 'v3-admin')

    const lags = (await call(h.url, 'GET', `${cluster}/consumer-groups/lag-group/lags`)).body as List<{ partition_id: number, current_offset: number, log_end_offset: number, lag: number, consumer_id: string }>
    assert.deepEqual(lags.data.map((l) => ({ p: l.partition_id, current: l.current_offset, end: l.log_end_offset, lag: l.lag })).sort((a, b) => a.p - b.p),
      [{ p: 0, current: 10, end: 15, lag: 5 }, { p: 1, current: 5, end: 15, lag: 10 }])
    assert.ok(lags.data.every((l) => l.consumer_id === members.data[0]?.consumer_id))
    const committed = await admin.fetchOffsets({ groupId: 'lag-group', topics: ['lagged'] })
    assert.deepEqual(committed[0]?.partitions.map((p) => p.offset).sort(), ['10', '5'])
    const summary = (await call(h.url, 'GET', `${cluster}/consumer-groups/lag-group/lag-summary`)).body as { max_lag: number, total_lag: number, max_lag_partition_id: number, max_lag_topic_name: string }
    assert.deepEqual({ max: summary.max_lag, total: summary.total_lag, partition: summary.max_lag_partition_id, topic: summary.max_lag_topic_name }, { max: 10, total: 15, partition: 1, topic: 'lagged' })
  } finally {
    await consumer.disconnect()
  }
  assertRestError(await call(h.url, 'GET', `${cluster}/consumer-groups/nobody-home`), 404, 404)
})

test('v3 produce: one record with typed key and value, headers and timestamp, read back by kcat', { timeout: 60_000 }, async () => {
  await admin.createTopics({ topics: [{ topic: 'v3-records', numPartitions: 2 }] })
  const answer = await call(h.url, 'POST', `${cluster}/topics/v3-records/records`, {
    contentType: 'application/json',
    body: {
      partition_id: 1,
      headers: [{ name: 'trace', value: Buffer.from('abc').toString('base64') }],
      key: { type: 'STRING', data: 'order-7' },
      value: { type: 'JSON', data: { total: 12.5, items: ['a'] } },
      timestamp: '2026-01-02T03:04:05.678Z'
    }
  })
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  assert.deepEqual(answer.body, {
    error_code: 200,
    cluster_id: h.broker.clusterId,
    topic_name: 'v3-records',
    partition_id: 1,
    offset: 0,
    timestamp: '2026-01-02T03:04:05.678Z',
    key: { type: 'STRING', size: 7 },
    value: { type: 'JSON', size: 28 }
  })
  const binary = await call(h.url, 'POST', `${cluster}/topics/v3-records/records`, {
    contentType: 'application/json',
    body: { partition_id: 1, value: { type: 'BINARY', data: Buffer.from([0, 1, 2]).toString('base64') } }
  })
  assert.equal((binary.body as { offset: number }).offset, 1)
  const read = (await kcatConsumeAll(h.broker.bootstrap, 'v3-records')).sort((a, b) => a.offset - b.offset)
  assert.equal(read.length, 2)
  assert.equal(read[0]?.key, 'order-7')
  assert.equal(read[0]?.payload, '{"total":12.5,"items":["a"]}')
  assert.equal(read[0]?.ts, Date.parse('2026-01-02T03:04:05.678Z'))
  assert.deepEqual(read[0]?.headers, ['trace', 'abc'])
  assert.equal(read[1]?.payload, '\u0000\u0001\u0002')

  assertRestError(await call(h.url, 'POST', `${cluster}/topics/v3-none/records`, { contentType: 'application/json', body: { value: { data: 1 } } }), 404, 40401)
  assertRestError(await call(h.url, 'POST', `${cluster}/topics/v3-records/records`, { contentType: 'application/json', body: { partition_id: 5, value: { data: 1 } } }), 404, 40402)
  assertRestError(await call(h.url, 'POST', `${cluster}/topics/v3-records/records`, { contentType: 'application/json', body: { value: { type: 'AVRO', data: 1 } } }), 422, 422)
  assertRestError(await call(h.url, 'POST', `${cluster}/topics/v3-records/records`, { contentType: 'application/json', body: { value: { type: 'BINARY', data: '***' } } }), 422, 422)
})
