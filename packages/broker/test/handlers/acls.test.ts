// CreateAcls / DescribeAcls / DeleteAcls at the versions clients use, over a real socket, and the
// authorized-operations fields filled from the authorizer. The RawClient connects over PLAINTEXT,
// so its principal is User:ANONYMOUS.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createAclsApi, createTopicsApi, deleteAclsApi, describeAclsApi, describeClusterApi, ErrorCode, metadataApi
} from '@brook/protocol'
import { AclOperation as Op, AclPermission, FileAclStore, PatternType, ResourceType } from '@brook/metadata'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker } from '../helpers/broker.js'

const AUTHORIZER = { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' }
const ANY_FILTER = { resourceTypeFilter: ResourceType.ANY, resourceNameFilter: null, patternTypeFilter: PatternType.ANY, principalFilter: null, hostFilter: null, operation: Op.ANY, permissionType: AclPermission.ANY }
const creation = (over: Record<string, unknown> = {}): { resourceType: number, resourceName: string, resourcePatternType?: number, principal: string, host: string, operation: number, permissionType: number } =>
  ({ resourceType: ResourceType.TOPIC, resourceName: 'orders', principal: 'User:alice', host: '*', operation: Op.READ, permissionType: AclPermission.ALLOW, ...over })

test('without an authorizer the ACL APIs answer SECURITY_DISABLED', { timeout: 30_000 }, async () => {
  const broker = await startTestBroker()
  const client = await RawClient.connect(broker.bootstrap)
  try {
    const created = await client.request(createAclsApi, 3, { creations: [creation()] })
    assert.deepEqual(created.results.map((r) => r.errorCode), [ErrorCode.SECURITY_DISABLED])
    assert.equal((await client.request(describeAclsApi, 3, ANY_FILTER)).errorCode, ErrorCode.SECURITY_DISABLED)
    const deleted = await client.request(deleteAclsApi, 3, { filters: [ANY_FILTER] })
    assert.deepEqual(deleted.filterResults.map((r) => r.errorCode), [ErrorCode.SECURITY_DISABLED])
  } finally {
    client.close()
    await broker.destroy()
  }
})

test('v0 (LITERAL only) to v3: create, describe with filters, refuse invalid bindings and filters, delete', { timeout: 30_000 }, async () => {
  const broker = await startTestBroker({ ...AUTHORIZER, 'super.users': 'User:ANONYMOUS' })
  const client = await RawClient.connect(broker.bootstrap)
  try {
    const v0 = await client.request(createAclsApi, 0, { creations: [creation()] })
    assert.deepEqual(v0.results.map((r) => r.errorCode), [ErrorCode.NONE])
    const mixed = await client.request(createAclsApi, 2, {
      creations: [
        creation({ resourceName: 'ord', resourcePatternType: PatternType.PREFIXED, operation: Op.WRITE }),
        creation({ resourcePatternType: PatternType.MATCH }),
        creation({ principal: 'alice' }),
        creation({ resourceType: ResourceType.CLUSTER, resourceName: 'other' }),
        creation({ operation: Op.ANY }),
        creation({ resourceName: '' })
      ]
    })
    assert.deepEqual(mixed.results.map((r) => r.errorCode), [ErrorCode.NONE, ...Array(5).fill(ErrorCode.INVALID_REQUEST)])
    assert.match(mixed.results[2]?.errorMessage ?? '', /Could not parse principal/)

    // v0 filters are LITERAL; v1+ name the pattern type.
    const literal = await client.request(describeAclsApi, 0, { ...ANY_FILTER, resourceTypeFilter: ResourceType.TOPIC, resourceNameFilter: 'orders' })
    assert.deepEqual(literal.resources.map((r) => r.resourceName), ['orders'])
    const match = await client.request(describeAclsApi, 1, { ...ANY_FILTER, resourceNameFilter: 'orders', patternTypeFilter: PatternType.MATCH })
    assert.deepEqual(match.resources.map((r) => `${r.patternType ?? 0}:${r.resourceName}`).sort(), [`${PatternType.LITERAL}:orders`, `${PatternType.PREFIXED}:ord`])
    const unknown = await client.request(describeAclsApi, 3, { ...ANY_FILTER, operation: Op.UNKNOWN })
    assert.equal(unknown.errorCode, ErrorCode.INVALID_REQUEST)

    const deleted = await client.request(deleteAclsApi, 1, {
      filters: [{ ...ANY_FILTER, permissionType: AclPermission.UNKNOWN }, { ...ANY_FILTER, patternTypeFilter: PatternType.PREFIXED }]
    })
    assert.equal(deleted.filterResults[0]?.errorCode, ErrorCode.INVALID_REQUEST)
    assert.deepEqual(deleted.filterResults[1]?.matchingAcls.map((a) => a.resourceName), ['ord'])
    const left = await client.request(describeAclsApi, 3, ANY_FILTER)
    assert.deepEqual(left.resources.map((r) => r.resourceName), ['orders'])
  } finally {
    client.close()
    await broker.destroy()
  }
})

test('authorized operations come from the authorizer; topics one may not describe are hidden', { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brook-acl-ops-'))
  const store = await FileAclStore.open(dir)
  const anonymous = { principal: 'User:ANONYMOUS', host: '*', patternType: PatternType.LITERAL, permissionType: AclPermission.ALLOW }
  await store.create([
    { ...anonymous, resourceType: ResourceType.TOPIC, resourceName: 'readable', operation: Op.READ },
    { ...anonymous, resourceType: ResourceType.CLUSTER, resourceName: 'kafka-cluster', operation: Op.CREATE },
    { ...anonymous, resourceType: ResourceType.CLUSTER, resourceName: 'kafka-cluster', operation: Op.DESCRIBE }
  ])
  await store.close()
  const broker = await startTestBroker(AUTHORIZER, dir)
  const client = await RawClient.connect(broker.bootstrap)
  try {
    const created = await client.request(createTopicsApi, 7, {
      topics: ['readable', 'secret'].map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })), timeoutMs: 5000
    })
    assert.deepEqual(created.topics.map((t) => t.errorCode), [ErrorCode.NONE, ErrorCode.NONE], 'CREATE on the cluster covers every topic')
    const all = await client.request(metadataApi, 10, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true })
    assert.deepEqual(all.topics.map((t) => t.name), ['readable'])
    assert.equal(all.topics[0]?.topicAuthorizedOperations, (1 << Op.READ) | (1 << Op.DESCRIBE), 'READ, and the DESCRIBE it implies')
    assert.equal(all.clusterAuthorizedOperations, (1 << Op.CREATE) | (1 << Op.DESCRIBE))
    const named = await client.request(metadataApi, 10, { topics: [{ name: 'secret', topicId: '00000000-0000-0000-0000-000000000000' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })
    assert.equal(named.topics[0]?.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED)
    const cluster = await client.request(describeClusterApi, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 })
    assert.equal(cluster.clusterAuthorizedOperations, (1 << Op.CREATE) | (1 << Op.DESCRIBE))
    // CreateAcls needs ALTER on the cluster, which ANONYMOUS lacks here.
    const refused = await client.request(createAclsApi, 3, { creations: [creation()] })
    assert.deepEqual(refused.results.map((r) => r.errorCode), [ErrorCode.CLUSTER_AUTHORIZATION_FAILED])
  } finally {
    client.close()
    await broker.destroy()
  }
})
