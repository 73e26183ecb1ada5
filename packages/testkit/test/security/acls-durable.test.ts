// ACLs are durable: created through kafkajs' admin, they survive a broker restart on the same
// log dir (the embedded store's file) and are enforced again from the first request.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { makeTestCerts, PLAIN_USERS, secureBrokerConfig, startBroker, tempDir, type RunningBroker } from '@brook/testkit'

const { Kafka, logLevel, AclResourceTypes: R, AclOperationTypes: O, AclPermissionTypes: P, ResourcePatternTypes: PT } = kafkajs

function bootstrapOf (broker: RunningBroker, name: string): string {
  const listener = broker.listeners.find((l) => l.name === name)
  assert.ok(listener !== undefined, `listener ${name}`)
  return `127.0.0.1:${listener.port}`
}

async function produceAsAlice (broker: RunningBroker, topic: string): Promise<string> {
  const kafka = new Kafka({
    clientId: 'brook-acls-durable',
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 100 },
    brokers: [bootstrapOf(broker, 'SASL_PLAINTEXT')],
    sasl: { mechanism: 'plain', username: 'alice', password: PLAIN_USERS.alice }
  })
  const producer = kafka.producer()
  await producer.connect()
  try {
    await producer.send({ topic, messages: [{ value: 'v' }] })
    return 'sent'
  } catch (err) {
    return (err as Error).message
  } finally {
    await producer.disconnect()
  }
}

test('ACLs survive a broker restart', { timeout: 90_000 }, async () => {
  const certs = await makeTestCerts()
  const dir = await tempDir('brook-acls-durable-')
  const config = {
    ...secureBrokerConfig(certs),
    'log.dirs': dir.path,
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:ANONYMOUS'
  }
  let broker: RunningBroker | null = await startBroker({ config })
  try {
    const admin = new Kafka({ clientId: 'brook-acls-durable-admin', logLevel: logLevel.NOTHING, brokers: [bootstrapOf(broker, 'PLAINTEXT')] }).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'kept.orders', numPartitions: 1 }, { topic: 'other', numPartitions: 1 }] })
    await admin.createAcls({ acl: [{ resourceType: R.TOPIC, resourceName: 'kept.', resourcePatternType: PT.PREFIXED, principal: 'User:alice', host: '*', operation: O.WRITE, permissionType: P.ALLOW }] })
    await admin.disconnect()
    assert.equal(await produceAsAlice(broker, 'kept.orders'), 'sent')

    await broker.close()
    broker = null
    broker = await startBroker({ config })

    const again = new Kafka({ clientId: 'brook-acls-durable-admin', logLevel: logLevel.NOTHING, brokers: [bootstrapOf(broker, 'PLAINTEXT')] }).admin()
    await again.connect()
    const described = await again.describeAcls({ resourceType: R.ANY, resourcePatternType: PT.ANY, operation: O.ANY, permissionType: P.ANY })
    await again.disconnect()
    assert.deepEqual(described.resources.map((r) => ({ name: r.resourceName, pattern: r.resourcePatternType, acls: r.acls })), [
      { name: 'kept.', pattern: PT.PREFIXED, acls: [{ principal: 'User:alice', host: '*', operation: O.WRITE, permissionType: P.ALLOW }] }
    ])
    assert.equal(await produceAsAlice(broker, 'kept.orders'), 'sent')
    assert.match(await produceAsAlice(broker, 'other'), /Not authorized to access topics|authoriz/i)
  } finally {
    await broker?.close()
    await dir.cleanup()
    await certs.cleanup()
  }
})
