// Cluster mode: ACLs live in etcd, so an ACL created through one broker takes effect on another
// (each broker's authorizer follows the store by watch), and a deletion through the second
// reaches the first. Brokers run as `brook` processes with allow.everyone.if.no.acl.found, so
// replication (CLUSTER_ACTION on the cluster, which no ACL names) stays allowed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { createAclsApi, deleteAclsApi, describeAclsApi, ErrorCode, metadataApi, type MetadataResponse } from '@brook/protocol'
import { requestTo, startTestCluster, waitFor } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
const TOPIC = 2
const LITERAL = 3
const DESCRIBE = 8
const WRITE = 4
const DENY = 2
const ANY = 1

async function metadataOf (port: number, topic: string): Promise<MetadataResponse> {
  return await requestTo(port, metadataApi, 12, { topics: [{ name: topic, topicId: '00000000-0000-0000-0000-000000000000' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })
}

test('an ACL created on one broker takes effect on another; a deletion on the other reaches the first', { timeout: 180_000 }, async () => {
  const cluster = await startTestCluster({
    size: 2,
    overrides: {
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'allow.everyone.if.no.acl.found': 'true',
      'offsets.topic.replication.factor': '2',
      'transaction.state.log.replication.factor': '2'
    }
  })
  try {
    const [one, two] = [...cluster.members.values()].map((m) => m.port) as [number, number]
    const kafka = new Kafka({ clientId: 'brook-acls-cluster', logLevel: logLevel.NOTHING, brokers: cluster.bootstrap.split(','), retry: { retries: 2, initialRetryTime: 200 } })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'guarded', numPartitions: 1, replicationFactor: 2 }] })
    await admin.disconnect()
    await waitFor(async () => (await metadataOf(two, 'guarded')).topics[0]?.errorCode === ErrorCode.NONE, 30_000, { message: 'broker 2 seeing the topic' })

    const created = await requestTo(one, createAclsApi, 3, {
      creations: [
        { resourceType: TOPIC, resourceName: 'guarded', resourcePatternType: LITERAL, principal: 'User:*', host: '*', operation: DESCRIBE, permissionType: DENY },
        { resourceType: TOPIC, resourceName: 'guarded', resourcePatternType: LITERAL, principal: 'User:*', host: '*', operation: WRITE, permissionType: DENY }
      ]
    })
    assert.deepEqual(created.results.map((r) => r.errorCode), [ErrorCode.NONE, ErrorCode.NONE])

    // Broker 2 never saw the CreateAcls: it learns the ACL from etcd.
    await waitFor(async () => (await metadataOf(two, 'guarded')).topics[0]?.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED, 30_000,
      { message: 'broker 2 refusing to describe the topic' })
    const all = await requestTo(two, metadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })
    assert.ok(!all.topics.some((t) => t.name === 'guarded'), 'the topic is hidden from an all-topics request')
    const described = await requestTo(two, describeAclsApi, 3, { resourceTypeFilter: ANY, resourceNameFilter: null, patternTypeFilter: ANY, principalFilter: null, hostFilter: null, operation: ANY, permissionType: ANY })
    assert.equal(described.resources.flatMap((r) => r.acls).length, 2)

    const producer = kafka.producer()
    await producer.connect()
    try {
      await assert.rejects(producer.send({ topic: 'guarded', messages: [{ value: 'x' }] }), /authoriz/i)
    } finally {
      await producer.disconnect()
    }

    const deleted = await requestTo(two, deleteAclsApi, 3, {
      filters: [{ resourceTypeFilter: TOPIC, resourceNameFilter: 'guarded', patternTypeFilter: LITERAL, principalFilter: null, hostFilter: null, operation: ANY, permissionType: ANY }]
    })
    assert.equal(deleted.filterResults[0]?.matchingAcls.length, 2)
    await waitFor(async () => (await metadataOf(one, 'guarded')).topics[0]?.errorCode === ErrorCode.NONE, 30_000, { message: 'broker 1 allowing the topic again' })
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
