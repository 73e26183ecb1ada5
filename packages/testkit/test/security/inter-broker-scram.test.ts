// Inter-broker SASL/SCRAM: two in-process brokers on etcd replicate over their SASL_PLAINTEXT
// listener (inter.broker.listener.name), logging in on each other as User:broker with
// SCRAM-SHA-512, whose credential an operator created first through AlterUserScramCredentials
// (it lives in etcd). The authorizer is on and only User:broker may act as a replica. A produce
// with acks=all and min.insync.replicas=2 is acknowledged only once the follower has fetched it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import kafkajs from 'kafkajs'
import { assertSucceeded, kcatConsumeAll, runKcat, startEtcd, startTestBroker, upsertScramUsers, type TestBroker } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'scram-replicated'

function bootstrapOf (broker: TestBroker, name: string): string {
  const listener = broker.listeners.find((l) => l.name === name)
  assert.ok(listener !== undefined, `listener ${name}`)
  return `127.0.0.1:${listener.port}`
}

test('replication between brokers logged in with SCRAM-SHA-512 over the inter-broker listener', { timeout: 110_000 }, async () => {
  const etcd = await startEtcd()
  const brokers: TestBroker[] = []
  try {
    const shared = {
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'inter.broker.listener.name': 'SASL_PLAINTEXT',
      'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
      'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="broker-secret";',
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      // ANONYMOUS: the test's own admin and clients on the PLAINTEXT listener.
      'super.users': 'User:broker;User:ANONYMOUS',
      'replica.lag.time.max.ms': '4000',
      'replica.fetch.backoff.ms': '100',
      'replica.fetch.wait.max.ms': '200',
      'etcd.endpoints': etcd.endpoint,
      'etcd.prefix': `/brook-inter-broker-scram-${randomUUID()}`
    }
    for (const id of [1, 2]) brokers.push(await startTestBroker({ ...shared, 'node.id': String(id) }))
    const [one, two] = brokers as [TestBroker, TestBroker]
    const created = await upsertScramUsers(bootstrapOf(one, 'PLAINTEXT'), [{ name: 'broker', password: 'broker-secret', mechanism: 'SCRAM-SHA-512' }])
    assert.deepEqual(created.map((r) => r.errorCode), [0])

    const admin = new Kafka({ brokers: [bootstrapOf(one, 'PLAINTEXT')], logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    try {
      await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 2, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] })
    } finally {
      await admin.disconnect()
    }
    const lines = Array.from({ length: 200 }, (_, i) => `s-${i}`)
    assertSucceeded('kcat -P acks=all', await runKcat(['-P', '-b', bootstrapOf(one, 'PLAINTEXT'), '-t', TOPIC, '-p', '0',
      '-X', 'acks=all', '-X', 'message.timeout.ms=30000'], { input: lines.join('\n') + '\n', timeoutMs: 60_000 }))
    const read = await kcatConsumeAll(bootstrapOf(two, 'PLAINTEXT'), TOPIC, 30_000)
    assert.deepEqual(read.map((m) => m.payload), lines)
  } finally {
    for (const b of brokers.reverse()) await b.close()
    await etcd.close()
  }
})
