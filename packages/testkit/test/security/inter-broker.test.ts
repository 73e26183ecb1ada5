// Cluster mode with security everywhere: three brokers on etcd whose only listener is SASL_SSL,
// with the StandardAuthorizer on. Brokers reach each other over that listener
// (inter.broker.listener.name) with TLS and SASL/PLAIN as User:broker (a super user), so
// replication only works if the replica fetchers log in. kafkajs creates the topic and ACLs as
// User:admin; confluent-kafka-python (librdkafka) produces with acks=all and reads back as
// User:alice, and commits a transaction over three partitions (the coordinator's
// WriteTxnMarkers reach the other partitions' leaders over the same listener); after a leader is
// killed with kill -9 the survivors serve every acknowledged and committed message.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import kafkajs from 'kafkajs'
import { fixturePath, makeTestCerts, runPython, startTestCluster, waitFor } from '@brook/testkit'

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } = kafkajs
const TOPIC = 'secure-replicated'
const TXN_TOPIC = 'secure-txn'
const COUNT = 1000

interface State { leader: number, replicas: number[], isr: number[], error?: string }

test('SASL_SSL-only cluster with the authorizer on: replication over the inter-broker listener, acks=all data survives a leader kill -9', { timeout: 240_000 }, async () => {
  const certs = await makeTestCerts()
  const users = 'user_broker="broker-secret" user_admin="admin-secret" user_alice="alice-secret"'
  const cluster = await startTestCluster({
    listenerName: 'SASL_SSL',
    overrides: {
      'inter.broker.listener.name': 'SASL_SSL',
      'sasl.enabled.mechanisms': 'PLAIN',
      'sasl.mechanism.inter.broker.protocol': 'PLAIN',
      'listener.name.sasl_ssl.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" ${users};`,
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': certs.serverKeystore,
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': certs.caCert,
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:broker;User:admin',
      'replica.lag.time.max.ms': '4000',
      'replica.fetch.backoff.ms': '100',
      'replica.fetch.wait.max.ms': '200',
      'auto.create.topics.enable': 'false'
    }
  })
  const as = (user: string): string => JSON.stringify({
    'security.protocol': 'SASL_SSL', 'sasl.mechanisms': 'PLAIN', 'sasl.username': user, 'sasl.password': `${user}-secret`, 'ssl.ca.location': certs.caCert
  })
  const step = async <T>(name: string, user: string, bootstrap: string, count = 0, topic = TOPIC): Promise<T> => {
    const result = await runPython(fixturePath('secure_cluster_client.py'), [name, bootstrap, as(user), topic, String(count)], { timeoutMs: 90_000 })
    const out = result.stdout.toString('utf8').trim().split('\n').pop() ?? ''
    assert.ok(out !== '', `${name}: no output; stderr: ${result.stderr.slice(-2000)}`)
    return JSON.parse(out) as T
  }
  try {
    const admin = new Kafka({
      brokers: cluster.bootstrap.split(','),
      ssl: { ca: [readFileSync(certs.caCert, 'utf8')] },
      sasl: { mechanism: 'plain', username: 'admin', password: 'admin-secret' },
      logLevel: logLevel.NOTHING
    }).admin()
    await admin.connect()
    try {
      await admin.createTopics({ topics: [
        { topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] },
        { topic: TXN_TOPIC, numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }
      ] })
      const allow = (resourceType: number, resourceName: string, operation: number): Parameters<typeof admin.createAcls>[0]['acl'][number] => ({
        resourceType, resourceName, resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation, permissionType: AclPermissionTypes.ALLOW
      })
      await admin.createAcls({ acl: [
        allow(AclResourceTypes.TOPIC, TOPIC, AclOperationTypes.WRITE),
        allow(AclResourceTypes.TOPIC, TOPIC, AclOperationTypes.READ),
        allow(AclResourceTypes.TOPIC, TXN_TOPIC, AclOperationTypes.WRITE),
        allow(AclResourceTypes.TOPIC, TXN_TOPIC, AclOperationTypes.READ),
        allow(AclResourceTypes.TRANSACTIONAL_ID, 'secure-txn-id', AclOperationTypes.WRITE),
        // librdkafka looks up its group's coordinator even when it only assigns partitions.
        allow(AclResourceTypes.GROUP, 'g1', AclOperationTypes.READ)
      ] })
    } finally {
      await admin.disconnect()
    }
    // Three in sync: both followers fetch from the leader over SASL_SSL as User:broker.
    let state: State | undefined
    await waitFor(async () => {
      state = await step<State>('state', 'alice', cluster.bootstrap)
      return state.isr?.length === 3
    }, 60_000, { message: 'ISR of 3', intervalMs: 500 })

    const produced = await step<{ delivered: number, errors: string[] }>('produce', 'alice', cluster.bootstrap, COUNT)
    assert.equal(produced.delivered, COUNT, produced.errors.join('; '))
    assert.deepEqual(await step('txn', 'alice', cluster.bootstrap, 300, TXN_TOPIC), { committed: true })

    const leader = (state as State).leader
    await cluster.kill9(leader)
    const survivors = [...cluster.members.values()].filter((m) => m.id !== leader).map((m) => `127.0.0.1:${m.port}`).join(',')
    await waitFor(async () => {
      state = await step<State>('state', 'alice', survivors)
      return state.leader !== leader && state.leader >= 0 && state.error === undefined
    }, 60_000, { message: 'a new leader', intervalMs: 500 })

    const read = await step<{ values: string[] }>('consume', 'alice', survivors, COUNT)
    assert.ok(Array.isArray(read.values), `consume: ${JSON.stringify(read)}`)
    assert.deepEqual(read.values, Array.from({ length: COUNT }, (_, i) => `v-${i}`))
    // read_committed: the markers were written on every partition, else the LSO holds them back.
    const committed = await step<{ values: string[] }>('consume', 'alice', survivors, 300, TXN_TOPIC)
    assert.ok(Array.isArray(committed.values), `consume read_committed: ${JSON.stringify(committed)}`)
    assert.deepEqual([...committed.values].sort(), Array.from({ length: 300 }, (_, i) => `t-${i}`).sort())
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
    await certs.cleanup()
  }
})
