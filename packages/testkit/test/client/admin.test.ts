// @brook/client's Admin against a Brook broker: topics, partitions, configs, records, offsets, cluster.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Client, ConfigResourceType, KafkaErrors, type Admin } from '@brook/client'
import { startTestBroker, type TestBroker } from '@brook/testkit'

let broker: TestBroker
let client: Client
let admin: Admin

before(async () => {
  broker = await startTestBroker()
  client = new Client({ brokers: [broker.bootstrap] })
  admin = client.admin()
})
after(async () => {
  await admin.close()
  await broker.close()
})

test('create, list, describe, add partitions to and delete topics', { timeout: 30_000 }, async () => {
  await admin.createTopics([{ topic: 'adm-a', numPartitions: 2, configs: { 'retention.ms': '3600000' } }, { topic: 'adm-b', numPartitions: 1 }])
  await assert.rejects(admin.createTopics([{ topic: 'adm-a', numPartitions: 2 }]), KafkaErrors.TOPIC_ALREADY_EXISTS)
  assert.deepEqual((await admin.listTopics()).filter((t) => t.startsWith('adm-')), ['adm-a', 'adm-b'])
  const [a] = await admin.describeTopics(['adm-a'])
  assert.equal(a!.partitions.length, 2)
  assert.equal(a!.partitions[0]!.leader, broker.nodeId)
  await admin.createPartitions([{ topic: 'adm-a', count: 5 }])
  assert.equal((await admin.describeTopics(['adm-a']))[0]!.partitions.length, 5)
  await admin.deleteTopics(['adm-b'])
  assert.ok(!(await admin.listTopics()).includes('adm-b'))
})

test('describe and alter topic configs', { timeout: 30_000 }, async () => {
  await admin.createTopics([{ topic: 'adm-cfg', numPartitions: 1, configs: { 'retention.ms': '3600000' } }])
  const before = await admin.describeConfigs({ type: ConfigResourceType.Topic, name: 'adm-cfg', keys: ['retention.ms', 'cleanup.policy'] })
  assert.equal(before.find((c) => c.name === 'retention.ms')!.value, '3600000')
  assert.equal(before.find((c) => c.name === 'cleanup.policy')!.value, 'delete')
  assert.equal(before.find((c) => c.name === 'retention.ms')!.isDefault, false, 'a topic override is not a default')
  assert.equal(before.find((c) => c.name === 'cleanup.policy')!.isDefault, true, 'an untouched config is the default')
  await admin.alterConfigs({ type: ConfigResourceType.Topic, name: 'adm-cfg' }, [{ name: 'retention.ms', value: '7200000' }, { name: 'cleanup.policy', value: 'compact' }])
  const after = await admin.describeConfigs({ type: ConfigResourceType.Topic, name: 'adm-cfg', keys: ['retention.ms', 'cleanup.policy'] })
  assert.equal(after.find((c) => c.name === 'retention.ms')!.value, '7200000')
  assert.equal(after.find((c) => c.name === 'cleanup.policy')!.value, 'compact')
  await admin.alterConfigs({ type: ConfigResourceType.Topic, name: 'adm-cfg' }, [{ name: 'retention.ms', op: 'delete' }])
  const reset = await admin.describeConfigs({ type: ConfigResourceType.Topic, name: 'adm-cfg', keys: ['retention.ms'] })
  assert.equal(reset[0]!.value, '604800000')
})

test('topic offsets, offsets by timestamp and delete records', { timeout: 30_000 }, async () => {
  await admin.createTopics([{ topic: 'adm-rec', numPartitions: 1 }])
  const producer = client.producer()
  await producer.send({ topic: 'adm-rec', messages: Array.from({ length: 10 }, (_, i) => ({ value: String(i), timestamp: 5_000 + i * 100 })) })
  await producer.close()
  assert.deepEqual(await admin.fetchTopicOffsets('adm-rec', 'latest'), [{ partition: 0, offset: 10n }])
  assert.deepEqual(await admin.fetchTopicOffsets('adm-rec', { timestamp: 5_350 }), [{ partition: 0, offset: 4n }])
  const low = await admin.deleteRecords('adm-rec', [{ partition: 0, offset: 6n }])
  assert.equal(low.get(0), 6n)
  assert.deepEqual(await admin.fetchTopicOffsets('adm-rec', 'earliest'), [{ partition: 0, offset: 6n }])
})

test('describe cluster', { timeout: 30_000 }, async () => {
  const c = await admin.describeCluster()
  assert.equal(c.clusterId, broker.clusterId)
  assert.deepEqual(c.brokers.map((b) => [b.nodeId, b.port]), [[broker.nodeId, broker.port]])
})
