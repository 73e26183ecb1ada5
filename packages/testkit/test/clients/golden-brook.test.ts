// Golden bytes from Brook's own client (@brook/client): admin (topics, partitions, configs (it
// alters them incrementally only),
// records, groups, offsets, ACLs, SCRAM credentials, cluster, share group offsets), idempotent
// and transactional produce with offsets committed in the transaction, classic and KIP-848
// consumer groups, and SASL (PLAIN, SCRAM-SHA-512). The client encodes with @brook/protocol, so
// this capture guards the framing around the codec (header versions, size prefixes) more than
// the schemas; the other clients' captures are the independent check. The first request per
// (api, version) must decode and re-encode byte-equal; with BROOK_WRITE_GOLDEN=1 they are
// written as fixtures (brook-*).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client, ConfigResourceType, type Consumer } from '@brook/client'
import { ApiKey } from '@brook/protocol'
import { captureClient, GOLDEN_SASL_USER, startGoldenSetup, waitFor, type GoldenSetup } from '@brook/testkit'

const GROUP_RESOURCE = ConfigResourceType.Group
const TOPIC = 'golden-brook'

/** Runs a call whose answer may be an error (no authorizer, say): only its request matters here. */
async function tolerated (what: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call()
  } catch (err) {
    // The broker's answer is not under test; printed for whoever debugs a missing capture.
    if (process.env.BROOK_GOLDEN_DEBUG === '1') console.error(`${what}: ${(err as Error).message}`)
  }
}

async function consumeOne (consumer: Consumer): Promise<bigint> {
  consumer.subscribe({ topics: [TOPIC] })
  let offset: bigint | undefined
  const running = consumer.run({ eachMessage: ({ message }) => { offset ??= message.offset } })
  await waitFor(() => offset !== undefined, 30_000, { message: 'the Brook consumer got a message' })
  await consumer.commit()
  consumer.stop()
  await running
  return offset ?? -1n
}

async function driveBrook (setup: GoldenSetup): Promise<void> {
  const client = new Client({ brokers: [setup.proxy.bootstrap], clientId: 'golden' })
  const admin = client.admin()
  try {
    await admin.createTopics([{ topic: TOPIC, numPartitions: 1 }, { topic: `${TOPIC}-gone`, numPartitions: 1 }])
    await admin.createPartitions([{ topic: `${TOPIC}-gone`, count: 2 }])
    await admin.describeConfigs({ type: ConfigResourceType.Topic, name: TOPIC })
    await admin.alterConfigs({ type: ConfigResourceType.Topic, name: TOPIC }, [{ name: 'retention.ms', value: '3600000', op: 'set' }])
    await admin.describeCluster()
    await admin.describeTopics([TOPIC])
    await tolerated('createAcls', async () => await admin.createAcls([{ resourceType: 'TOPIC', resourceName: TOPIC, principal: 'User:golden', operation: 'READ', permission: 'ALLOW' }]))
    await tolerated('describeAcls', async () => await admin.describeAcls({ resourceType: 'TOPIC' }))
    await tolerated('deleteAcls', async () => await admin.deleteAcls([{ resourceType: 'TOPIC', resourceName: TOPIC }]))
    await admin.alterScramCredentials({ upsert: [{ user: 'golden-scram', mechanism: 'SCRAM-SHA-512', password: 'golden-scram-secret' }] })
    await admin.describeScramCredentials(['golden-scram'])
    // A single broker has nothing to elect: the request is what is captured.
    await tolerated('electLeaders', async () => await admin.electLeaders('preferred', [{ topic: TOPIC, partitions: [0] }]))
    await admin.deleteTopics([`${TOPIC}-gone`])
  } finally {
    await admin.close()
  }

  const producer = client.producer({ idempotent: true })
  await producer.send({ topic: TOPIC, messages: [{ key: 'k', value: 'golden', headers: { h: 'v' }, partition: 0 }] })
  await producer.close()

  const classic = client.consumer({ groupId: 'golden-brook', autoCommit: false, autoOffsetReset: 'earliest', sessionTimeoutMs: 6000, heartbeatIntervalMs: 300 })
  const offset = await consumeOne(classic)
  await new Promise((resolve) => setTimeout(resolve, 700)) // long enough for a heartbeat
  await classic.close()
  const kip848 = client.consumer({ groupId: 'golden-brook-848', groupProtocol: 'consumer', autoCommit: false, autoOffsetReset: 'earliest' })
  await consumeOne(kip848)
  await kip848.close()

  const txn = client.producer({ transactionalId: 'golden-brook-txn' })
  await txn.initTransactions()
  txn.beginTransaction()
  await txn.send({ topic: TOPIC, messages: [{ key: 'k', value: 'in-transaction', partition: 0 }] })
  await txn.sendOffsets('golden-brook', [{ topic: TOPIC, partition: 0, offset: offset + 1n }])
  await txn.commitTransaction()
  await txn.close()

  const admin2 = client.admin()
  try {
    await admin2.fetchTopicOffsets(TOPIC, 'earliest')
    await admin2.listGroupOffsets('golden-brook')
    await admin2.alterGroupOffsets('golden-brook', [{ topic: TOPIC, partition: 0, offset: 0n }])
    await admin2.deleteRecords(TOPIC, [{ partition: 0, offset: 1n }])
    await admin2.listGroups()
    await admin2.describeGroups(['golden-brook'])
    await admin2.deleteGroups(['golden-brook'])
    await admin2.alterConfigs({ type: GROUP_RESOURCE, name: 'golden-brook-share' }, [{ name: 'share.auto.offset.reset', value: 'earliest' }])
    await tolerated('describeShareGroups', async () => await admin2.describeShareGroups(['golden-brook-share']))
    await tolerated('describeShareGroupOffsets', async () => await admin2.describeShareGroupOffsets('golden-brook-share'))
    await tolerated('alterShareGroupOffsets', async () => await admin2.alterShareGroupOffsets('golden-brook-share', [{ topic: TOPIC, partition: 0, offset: 0n }]))
    await tolerated('deleteShareGroupOffsets', async () => await admin2.deleteShareGroupOffsets('golden-brook-share', [TOPIC]))
  } finally {
    await admin2.close()
  }

  // A broker that offers DescribeShareGroupOffsets v0 only (Kafka 4.0 did): the client steps down to it.
  setup.proxy.setVersionCaps(new Map([[ApiKey.DescribeShareGroupOffsets, 0]]))
  const older = new Client({ brokers: [setup.proxy.bootstrap], clientId: 'golden' }).admin()
  try {
    await tolerated('describeShareGroupOffsets v0', async () => await older.describeShareGroupOffsets('golden-brook-share', [{ topic: TOPIC, partitions: [0] }]))
  } finally {
    await older.close()
    setup.proxy.setVersionCaps(new Map())
  }

  for (const sasl of [
    { mechanism: 'PLAIN' as const, username: GOLDEN_SASL_USER.username, password: GOLDEN_SASL_USER.password },
    { mechanism: 'SCRAM-SHA-512' as const, username: 'golden-scram', password: 'golden-scram-secret' }
  ]) {
    const secure = new Client({ brokers: [setup.saslProxy.bootstrap], clientId: 'golden', sasl }).producer()
    await secure.send({ topic: TOPIC, messages: [{ value: `over ${sasl.mechanism}`, partition: 0 }] })
    await secure.close()
  }
}

test('golden capture: Brook\'s client requests round-trip through the codec', { timeout: 110_000 }, async () => {
  const setup = await startGoldenSetup()
  try {
    const problems = await captureClient(setup, 'brook', [ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.Produce, ApiKey.Fetch, ApiKey.ListOffsets,
      ApiKey.CreateTopics, ApiKey.DeleteTopics, ApiKey.CreatePartitions, ApiKey.DescribeConfigs,
      ApiKey.IncrementalAlterConfigs, ApiKey.DeleteRecords, ApiKey.ListGroups, ApiKey.DescribeGroups, ApiKey.DeleteGroups, ApiKey.CreateAcls,
      ApiKey.DescribeAcls, ApiKey.DeleteAcls, ApiKey.DescribeCluster, ApiKey.AlterUserScramCredentials, ApiKey.DescribeUserScramCredentials,
      ApiKey.FindCoordinator, ApiKey.JoinGroup, ApiKey.SyncGroup, ApiKey.Heartbeat, ApiKey.LeaveGroup, ApiKey.OffsetCommit, ApiKey.OffsetFetch,
      ApiKey.ConsumerGroupHeartbeat, ApiKey.InitProducerId, ApiKey.AddPartitionsToTxn, ApiKey.AddOffsetsToTxn, ApiKey.TxnOffsetCommit,
      ApiKey.EndTxn, ApiKey.ShareGroupDescribe, ApiKey.DescribeShareGroupOffsets, ApiKey.AlterShareGroupOffsets, ApiKey.DeleteShareGroupOffsets,
      ApiKey.SaslHandshake, ApiKey.SaslAuthenticate, ApiKey.ElectLeaders], async () => await driveBrook(setup))
    assert.deepEqual(problems, [])
  } finally {
    await setup.close()
  }
})
