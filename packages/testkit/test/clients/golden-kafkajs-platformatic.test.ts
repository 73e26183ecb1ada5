// Golden bytes from kafkajs 2.2.4 and @platformatic/kafka, each driven through a broad workload
// behind the capture proxies: admin (topics, partitions, configs, records, groups, offsets,
// ACLs, quotas, log dirs, reassignments), idempotent and transactional produce with offsets committed in the
// transaction, a consumer group, and SASL (PLAIN; SCRAM-SHA-256 for kafkajs). The first request
// per (api, version) must decode and re-encode byte-equal with @brook/protocol; with
// BROOK_WRITE_GOLDEN=1 they are written as fixtures (kafkajs-*, platformatic-*).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers, type Message } from '@platformatic/kafka'
import { ApiKey } from '@brook/protocol'
import {
  captureClient, ensurePromiseWithResolvers, GOLDEN_SASL_USER, startGoldenSetup, upsertScramUsers, waitFor, type GoldenSetup
} from '@brook/testkit'

ensurePromiseWithResolvers()

const SCRAM = { name: 'golden-scram', password: 'golden-scram-secret' }

/** Runs an admin call whose answer may be an error (no authorizer, say): only its request matters here. */
async function tolerated (what: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call()
  } catch (err) {
    // The broker's answer is not under test; printed for whoever debugs a missing capture.
    if (process.env.BROOK_GOLDEN_DEBUG === '1') console.error(`${what}: ${(err as Error).message}`)
  }
}

async function driveKafkajs (setup: GoldenSetup): Promise<void> {
  const topic = 'golden-kafkajs'
  const kafka = new kafkajs.Kafka({ clientId: 'golden', brokers: [setup.proxy.bootstrap], logLevel: kafkajs.logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }, { topic: `${topic}-gone`, numPartitions: 1 }], waitForLeaders: true })
    await admin.createPartitions({ topicPartitions: [{ topic: `${topic}-gone`, count: 2 }] })
    await admin.describeConfigs({ resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic }], includeSynonyms: true })
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: '86400000' }] }] })
    await admin.describeCluster()
    const acl = {
      resourceType: kafkajs.AclResourceTypes.TOPIC, resourceName: topic, resourcePatternType: kafkajs.ResourcePatternTypes.LITERAL,
      principal: 'User:golden', host: '*', operation: kafkajs.AclOperationTypes.READ, permissionType: kafkajs.AclPermissionTypes.ALLOW
    }
    await tolerated('createAcls', async () => await admin.createAcls({ acl: [acl] }))
    await tolerated('describeAcls', async () => await admin.describeAcls(acl))
    await tolerated('deleteAcls', async () => await admin.deleteAcls({ filters: [acl] }))
    // A single broker has nowhere to move a replica: the requests are what is captured.
    await tolerated('alterPartitionReassignments', async () => await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [1] }] }] }))
    await tolerated('listPartitionReassignments', async () => await admin.listPartitionReassignments({ topics: [{ topic, partitions: [0] }] }))
    await admin.deleteTopics({ topics: [`${topic}-gone`] })
  } finally {
    await admin.disconnect()
  }

  const producer = kafka.producer({ idempotent: true })
  await producer.connect()
  await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'golden', headers: { h: 'v' }, partition: 0 }] })
  await producer.disconnect()

  const consumer = kafka.consumer({ groupId: 'golden-kafkajs', sessionTimeout: 6000, heartbeatInterval: 300, maxWaitTimeInMs: 200 })
  let got: { partition: number, offset: string } | undefined
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run({ autoCommit: false, eachMessage: async ({ partition, message }) => { got ??= { partition, offset: message.offset } } })
    await waitFor(() => got !== undefined, 20_000, { message: 'kafkajs consumed the message' })
    // Stay long enough for a heartbeat, then commit.
    await new Promise((resolve) => setTimeout(resolve, 700))
    await consumer.commitOffsets([{ topic, partition: got?.partition ?? 0, offset: String(Number(got?.offset ?? 0) + 1) }])
  } finally {
    await consumer.disconnect()
  }

  const txn = kafka.producer({ transactionalId: 'golden-kafkajs-txn', idempotent: true, maxInFlightRequests: 1 })
  await txn.connect()
  const transaction = await txn.transaction()
  await transaction.send({ topic, messages: [{ key: 'k', value: 'in-transaction', partition: 0 }] })
  await transaction.sendOffsets({ consumerGroupId: 'golden-kafkajs', topics: [{ topic, partitions: [{ partition: 0, offset: '1' }] }] })
  await transaction.commit()
  await txn.disconnect()

  const admin2 = kafka.admin()
  await admin2.connect()
  try {
    await admin2.fetchTopicOffsets(topic)
    await admin2.fetchOffsets({ groupId: 'golden-kafkajs', topics: [topic] })
    await admin2.setOffsets({ groupId: 'golden-kafkajs', topic, partitions: [{ partition: 0, offset: '0' }] })
    await admin2.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '1' }] })
    await admin2.listGroups()
    await admin2.describeGroups(['golden-kafkajs'])
    await admin2.deleteGroups(['golden-kafkajs'])
  } finally {
    await admin2.disconnect()
  }

  for (const sasl of [
    { mechanism: 'plain' as const, username: GOLDEN_SASL_USER.username, password: GOLDEN_SASL_USER.password },
    { mechanism: 'scram-sha-256' as const, username: SCRAM.name, password: SCRAM.password }
  ]) {
    const secure = new kafkajs.Kafka({ clientId: 'golden', brokers: [setup.saslProxy.bootstrap], sasl, logLevel: kafkajs.logLevel.NOTHING })
    const p = secure.producer()
    await p.connect()
    await p.send({ topic, messages: [{ value: `over ${sasl.mechanism}`, partition: 0 }] })
    await p.disconnect()
  }
}

async function drivePlatformatic (setup: GoldenSetup): Promise<void> {
  const topic = 'golden-platformatic'
  const bootstrapBrokers = [setup.proxy.bootstrap]
  const admin = new Admin({ clientId: 'golden', bootstrapBrokers })
  const tp = 2 // ConfigResourceTypes.TOPIC
  try {
    await admin.createTopics({ topics: [topic, `${topic}-gone`], partitions: 1, replicas: 1 })
    await admin.createPartitions({ topics: [{ name: `${topic}-gone`, count: 2 }] })
    await admin.describeConfigs({ resources: [{ resourceType: tp, resourceName: topic }], includeSynonyms: true, includeDocumentation: true })
    await admin.alterConfigs({ resources: [{ resourceType: tp, resourceName: topic, configs: [{ name: 'retention.ms', value: '86400000' }] }] })
    await admin.incrementalAlterConfigs({ resources: [{ resourceType: tp, resourceName: topic, configs: [{ name: 'retention.ms', configOperation: 0, value: '3600000' }] }] })
    await tolerated('describeLogDirs', async () => await admin.describeLogDirs({ topics: [{ name: topic, partitions: [0] }] }))
    await tolerated('alterClientQuotas', async () => await admin.alterClientQuotas({
      entries: [{ entities: [{ entityType: 'client-id', entityName: 'golden' }], ops: [{ key: 'producer_byte_rate', value: 1048576, remove: false }] }]
    }))
    await tolerated('describeClientQuotas', async () => await admin.describeClientQuotas({ components: [{ entityType: 'client-id', matchType: 0, match: 'golden' }] }))
    const acl = { resourceType: 2, resourceName: topic, resourcePatternType: 3, principal: 'User:golden', host: '*', operation: 3, permissionType: 3 } as const
    await tolerated('createAcls', async () => await admin.createAcls({ creations: [acl] }))
    await tolerated('describeAcls', async () => await admin.describeAcls({ filter: acl }))
    await tolerated('deleteAcls', async () => await admin.deleteAcls({ filters: [acl] }))
    await admin.deleteTopics({ topics: [`${topic}-gone`] })
  } finally {
    await admin.close()
  }

  const producer = new Producer({ clientId: 'golden', bootstrapBrokers, serializers: stringSerializers, autocreateTopics: true })
  const consumer = new Consumer({ clientId: 'golden', bootstrapBrokers, groupId: 'golden-unused' })
  try {
    await producer.send({ messages: [{ topic, key: 'k', value: 'golden', headers: { h: 'v' }, partition: 0 }] })
    const metadata = await consumer.metadata({ topics: [topic] })
    const id = metadata.topics.get(topic)?.id ?? ''
    await consumer.fetch({
      node: metadata.topics.get(topic)?.partitions[0]?.leader ?? 0,
      maxWaitTime: 100,
      topics: [{ topicId: id, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }]
    })
    await consumer.listOffsets({ topics: [topic] })
  } finally {
    await Promise.allSettled([producer.close(), consumer.close()])
  }
  await platformaticTransaction(bootstrapBrokers, topic)

  const admin2 = new Admin({ clientId: 'golden', bootstrapBrokers })
  const group = 'golden-platformatic-txn-group'
  try {
    await admin2.listGroups()
    await admin2.describeGroups({ groups: [group] })
    await admin2.listConsumerGroupOffsets({ groups: [group] })
    await admin2.alterConsumerGroupOffsets({ groupId: group, topics: [{ name: topic, partitionOffsets: [{ partition: 0, offset: 0n }] }] })
    await tolerated('deleteConsumerGroupOffsets', async () => await admin2.deleteConsumerGroupOffsets({ groupId: group, topics: [{ name: topic, partitionIndexes: [0] }] }))
    await admin2.deleteRecords({ topics: [{ name: topic, partitions: [{ partition: 0, offset: 1n }] }] })
    await tolerated('deleteGroups', async () => await admin2.deleteGroups({ groups: [group] }))
  } finally {
    await admin2.close()
  }

  const secure = new Producer({
    clientId: 'golden', bootstrapBrokers: [setup.saslProxy.bootstrap], serializers: stringSerializers,
    sasl: { mechanism: 'PLAIN', username: GOLDEN_SASL_USER.username, password: GOLDEN_SASL_USER.password }
  })
  try {
    await secure.send({ messages: [{ topic, value: 'over sasl', partition: 0 }] })
  } finally {
    await secure.close()
  }
}

/** Consume one message in a group and commit its offset inside a transaction (TxnOffsetCommit). */
async function platformaticTransaction (bootstrapBrokers: string[], topic: string): Promise<void> {
  const producer = new Producer({
    clientId: 'golden', bootstrapBrokers, serializers: stringSerializers, idempotent: true, transactionalId: 'golden-txn'
  })
  const consumer = new Consumer({
    clientId: 'golden', bootstrapBrokers, groupId: 'golden-platformatic-txn-group', deserializers: stringDeserializers, sessionTimeout: 6000, heartbeatInterval: 300
  })
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 200 })
    const first = await new Promise<Message<string, string, string, string>>((resolve, reject) => {
      stream.once('data', resolve)
      stream.once('error', reject)
    })
    await first.commit()
    const transaction = await producer.beginTransaction()
    await transaction.send({ messages: [{ topic, key: 'k', value: 'in-transaction', partition: 0 }] })
    await transaction.addConsumer(consumer)
    await transaction.addOffset(first)
    await transaction.commit()
    // Stay long enough for a heartbeat before leaving.
    await new Promise((resolve) => setTimeout(resolve, 700))
    await stream.close()
  } finally {
    await Promise.allSettled([producer.close(), consumer.close()])
  }
}

const COMMON = [ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.Produce, ApiKey.Fetch, ApiKey.ListOffsets, ApiKey.CreateTopics, ApiKey.DeleteTopics,
  ApiKey.CreatePartitions, ApiKey.DescribeConfigs, ApiKey.AlterConfigs, ApiKey.DeleteRecords, ApiKey.ListGroups, ApiKey.DescribeGroups,
  ApiKey.DeleteGroups, ApiKey.CreateAcls, ApiKey.DescribeAcls, ApiKey.DeleteAcls, ApiKey.FindCoordinator, ApiKey.JoinGroup, ApiKey.SyncGroup,
  ApiKey.Heartbeat, ApiKey.LeaveGroup, ApiKey.OffsetCommit, ApiKey.OffsetFetch, ApiKey.InitProducerId, ApiKey.AddPartitionsToTxn,
  ApiKey.AddOffsetsToTxn, ApiKey.TxnOffsetCommit, ApiKey.EndTxn, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]

test('golden capture: kafkajs and @platformatic/kafka requests round-trip through the codec', { timeout: 110_000 }, async () => {
  const setup = await startGoldenSetup()
  const problems: string[] = []
  try {
    // The SCRAM user kafkajs logs in as, made before (and so outside) any capture.
    const plaintext = setup.broker.listeners.find((l) => l.name === 'PLAINTEXT')
    const made = await upsertScramUsers(`127.0.0.1:${plaintext?.port ?? 0}`, [{ name: SCRAM.name, password: SCRAM.password, mechanism: 'SCRAM-SHA-256' }])
    assert.deepEqual(made.map((r) => r.errorCode), [0])
    problems.push(...await captureClient(setup, 'kafkajs', COMMON, async () => await driveKafkajs(setup)))
    problems.push(...await captureClient(setup, 'platformatic', [...COMMON, ApiKey.IncrementalAlterConfigs, ApiKey.DescribeLogDirs,
      ApiKey.DescribeClientQuotas, ApiKey.AlterClientQuotas, ApiKey.OffsetDelete], async () => await drivePlatformatic(setup)))
    assert.deepEqual(problems, [])
  } finally {
    await setup.close()
  }
})
