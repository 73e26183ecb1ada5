// @brook/client admin ACLs and group listing against a broker running Kafka's StandardAuthorizer:
// bindings created with Kafka's enum names are described (filters, MATCH) and deleted; a user
// without rights gets CLUSTER_AUTHORIZATION_FAILED as a KafkaError; a bound user may then produce
// with Brook's client. listGroups filters by group type and reports it.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { type Admin, Client, KafkaError } from '@brook/client'
import { makeTestCerts, PLAIN_USERS, startSecureTestBroker, waitFor, type SecureTestBroker, type TestCerts } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs

let certs: TestCerts
let broker: SecureTestBroker
let admin: Admin

before(async () => {
  certs = await makeTestCerts()
  broker = await startSecureTestBroker(certs, {
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:ANONYMOUS',
    'group.initial.rebalance.delay.ms': '0'
  })
  admin = new Client({ brokers: [broker.bootstrapOf('PLAINTEXT')], retry: { retries: 2 } }).admin()
})
after(async () => {
  await admin?.close()
  await broker?.close()
  await certs?.cleanup()
})

function asAlice (): Client {
  return new Client({ brokers: [broker.bootstrapOf('SASL_PLAINTEXT')], sasl: { mechanism: 'PLAIN', username: 'alice', password: PLAIN_USERS.alice }, retry: { retries: 0 } })
}

async function rejection (p: Promise<unknown>): Promise<KafkaError> {
  try {
    await p
  } catch (err) {
    if (err instanceof KafkaError) return err
    throw err
  }
  assert.fail('expected a KafkaError')
}

test('createAcls, describeAcls with filters and MATCH, deleteAcls', { timeout: 60_000 }, async () => {
  await admin.createAcls([
    { resourceType: 'TOPIC', resourceName: 'ledger.', patternType: 'PREFIXED', principal: 'User:dora', operation: 'WRITE', permission: 'ALLOW' },
    { resourceType: 'TOPIC', resourceName: 'ledger.secret', principal: 'User:dora', operation: 'READ', permission: 'DENY' },
    { resourceType: 'GROUP', resourceName: 'ledger-group', principal: 'User:*', host: '10.0.0.1', operation: 'DESCRIBE', permission: 'ALLOW' }
  ])
  const dora = await admin.describeAcls({ principal: 'User:dora' })
  assert.deepEqual(dora.map((a) => `${a.permission} ${a.operation} ${a.resourceType}:${a.patternType}:${a.resourceName} ${a.host}`).sort(), [
    'ALLOW WRITE TOPIC:PREFIXED:ledger. *',
    'DENY READ TOPIC:LITERAL:ledger.secret *'
  ])
  const matching = await admin.describeAcls({ resourceType: 'TOPIC', resourceName: 'ledger.secret', patternType: 'MATCH' })
  assert.deepEqual(matching.map((a) => `${a.patternType}:${a.resourceName}`).sort(), ['LITERAL:ledger.secret', 'PREFIXED:ledger.'])
  assert.deepEqual(await admin.describeAcls({ resourceType: 'GROUP' }), [
    { resourceType: 'GROUP', resourceName: 'ledger-group', patternType: 'LITERAL', principal: 'User:*', host: '10.0.0.1', operation: 'DESCRIBE', permission: 'ALLOW' }
  ])

  const deleted = await admin.deleteAcls([{ resourceType: 'GROUP', resourceName: 'ledger-group' }, { principal: 'User:dora', permission: 'DENY' }])
  assert.deepEqual(deleted.map((a) => a.resourceName).sort(), ['ledger-group', 'ledger.secret'])
  assert.deepEqual((await admin.describeAcls({})).map((a) => a.resourceName), ['ledger.'])
  await admin.deleteAcls([{ principal: 'User:dora' }])
  assert.deepEqual(await admin.describeAcls({ principal: 'User:dora' }), [])
})

test('a user without rights is refused ACL management, and may produce once granted WRITE', { timeout: 90_000 }, async () => {
  const alice = asAlice()
  const aliceAdmin = alice.admin()
  try {
    const refused = await rejection(aliceAdmin.createAcls([{ resourceType: 'TOPIC', resourceName: '*', principal: 'User:alice', operation: 'ALL', permission: 'ALLOW' }]))
    assert.equal(refused.kafkaName, 'CLUSTER_AUTHORIZATION_FAILED')

    await admin.createTopics([{ topic: 'acl-client-orders', numPartitions: 1 }])
    const before = await rejection(alice.producer().send({ topic: 'acl-client-orders', messages: [{ value: 'no' }] }))
    // Metadata answers the topic with TOPIC_AUTHORIZATION_FAILED: the producer reports that, as Java's does.
    assert.equal(before.kafkaName, 'TOPIC_AUTHORIZATION_FAILED', before.message)

    await admin.createAcls([{ resourceType: 'TOPIC', resourceName: 'acl-client-', patternType: 'PREFIXED', principal: 'User:alice', operation: 'WRITE', permission: 'ALLOW' }])
    const producer = asAlice().producer()
    try {
      const sent = await producer.send({ topic: 'acl-client-orders', messages: [{ value: 'yes' }] })
      assert.equal(sent[0]?.offset, 0n)
    } finally {
      await producer.close()
    }
  } finally {
    await aliceAdmin.close()
  }
})

test('listGroups filters by group type and reports it', { timeout: 90_000 }, async () => {
  await admin.createTopics([{ topic: 'acl-client-groups', numPartitions: 1 }])
  const kafka = new Kafka({ clientId: 'brook-acl-groups', brokers: [broker.bootstrapOf('PLAINTEXT')], logLevel: logLevel.NOTHING })
  const consumer = kafka.consumer({ groupId: 'classic-listed', sessionTimeout: 10_000 })
  await consumer.connect()
  try {
    await consumer.subscribe({ topic: 'acl-client-groups', fromBeginning: true })
    await consumer.run({ eachMessage: async () => {} })
    await waitFor(async () => (await admin.listGroups()).some((g) => g.groupId === 'classic-listed' && g.state === 'Stable'), 60_000, { message: 'classic group stable' })
    const classic = await admin.listGroups({ types: ['classic'] })
    assert.deepEqual(classic.filter((g) => g.groupId === 'classic-listed').map((g) => [g.type, g.protocolType]), [['classic', 'consumer']])
    assert.deepEqual((await admin.listGroups({ types: ['share'] })).filter((g) => g.groupId === 'classic-listed'), [])
    assert.deepEqual((await admin.listGroups({ types: ['consumer'] })).filter((g) => g.groupId === 'classic-listed'), [])
  } finally {
    await consumer.disconnect()
  }
})
