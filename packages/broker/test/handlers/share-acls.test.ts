// The share group APIs under the authorizer, as Kafka checks them: the group's READ for
// heartbeats, fetches, acknowledgements and offset changes, its DESCRIBE for the describe calls,
// and READ on each topic a ShareFetch names (other topics answered TOPIC_AUTHORIZATION_FAILED).
// The RawClient connects over PLAINTEXT as User:ANONYMOUS.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createTopicsApi, describeShareGroupOffsetsApi, ErrorCode, metadataApi, shareFetchApi, shareGroupDescribeApi, shareGroupHeartbeatApi
} from '@brook/protocol'
import { AclOperation as Op, AclPermission, FileAclStore, PatternType, ResourceType } from '@brook/metadata'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker } from '../helpers/broker.js'

test('share APIs: group READ/DESCRIBE and topic READ are checked', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brook-share-acls-'))
  const store = await FileAclStore.open(dir)
  const anonymous = { principal: 'User:ANONYMOUS', host: '*', patternType: PatternType.LITERAL, permissionType: AclPermission.ALLOW }
  await store.create([
    { ...anonymous, resourceType: ResourceType.CLUSTER, resourceName: 'kafka-cluster', operation: Op.CREATE },
    { ...anonymous, resourceType: ResourceType.TOPIC, resourceName: 'open', operation: Op.READ },
    { ...anonymous, resourceType: ResourceType.TOPIC, resourceName: 'secret', operation: Op.DESCRIBE },
    { ...anonymous, resourceType: ResourceType.GROUP, resourceName: 'allowed', operation: Op.READ }
  ])
  await store.close()
  const broker = await startTestBroker({ 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' }, dir)
  const client = await RawClient.connect(broker.bootstrap)
  try {
    const created = await client.request(createTopicsApi, 7, {
      topics: ['open', 'secret'].map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })), timeoutMs: 5000
    })
    assert.deepEqual(created.topics.map((t) => t.errorCode), [ErrorCode.NONE, ErrorCode.NONE])
    const meta = await client.request(metadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })
    const idOf = (name: string): string => meta.topics.find((t) => t.name === name)?.topicId ?? ''

    const heartbeat = (groupId: string) => client.request(shareGroupHeartbeatApi, 1, { groupId, memberId: 'member-1', memberEpoch: 0, rackId: null, subscribedTopicNames: ['open'] })
    assert.equal((await heartbeat('denied')).errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED)
    const joined = await heartbeat('allowed')
    assert.equal(joined.errorCode, ErrorCode.NONE)

    const fetch = (groupId: string) => client.request(shareFetchApi, 1, {
      groupId, memberId: 'member-1', shareSessionEpoch: 0, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, maxRecords: 10, batchSize: 10,
      topics: ['open', 'secret'].map((name) => ({ topicId: idOf(name), partitions: [{ partitionIndex: 0, acknowledgementBatches: [] }] })),
      forgottenTopicsData: []
    })
    assert.equal((await fetch('denied')).errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED)
    const fetched = await fetch('allowed')
    assert.equal(fetched.errorCode, ErrorCode.NONE)
    const byTopic = new Map(fetched.responses.map((r) => [r.topicId, r.partitions[0]?.errorCode]))
    assert.equal(byTopic.get(idOf('open')), ErrorCode.NONE)
    assert.equal(byTopic.get(idOf('secret')), ErrorCode.TOPIC_AUTHORIZATION_FAILED)

    const described = await client.request(shareGroupDescribeApi, 1, { groupIds: ['allowed', 'denied'], includeAuthorizedOperations: false })
    assert.deepEqual(described.groups.map((g) => [g.groupId, g.errorCode]), [['allowed', ErrorCode.NONE], ['denied', ErrorCode.GROUP_AUTHORIZATION_FAILED]])
    const offsets = await client.request(describeShareGroupOffsetsApi, 0, { groups: [{ groupId: 'denied', topics: null }] })
    assert.deepEqual(offsets.groups.map((g) => g.errorCode), [ErrorCode.GROUP_AUTHORIZATION_FAILED])
  } finally {
    client.close()
    await broker.destroy()
  }
})
