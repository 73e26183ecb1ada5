// ConsumerGroupHeartbeat / ConsumerGroupDescribe over a real socket: bad input answers Kafka's
// error codes, never a crash or a stuck group; ListGroups and DescribeGroups show the group type.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  apiVersionsApi, consumerGroupDescribeApi, consumerGroupHeartbeatApi, type ConsumerGroupHeartbeatRequest, createTopicsApi,
  describeGroupsApi, ErrorCode, findCoordinatorApi, listGroupsApi
} from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'

let broker: TestBroker
let client: RawClient

before(async () => {
  broker = await startTestBroker({ 'offsets.topic.num.partitions': '2' })
  client = await RawClient.connect(broker.bootstrap)
  await client.request(createTopicsApi, 7, {
    topics: [{ name: 'orders', numPartitions: 4, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 1000
  })
  await client.request(findCoordinatorApi, 4, { keyType: 0, coordinatorKeys: ['g'] })
})
after(async () => {
  client.close()
  await broker.destroy()
})

const base: ConsumerGroupHeartbeatRequest = {
  groupId: 'g', memberId: 'm1', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000,
  subscribedTopicNames: ['orders'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: []
}
const hb = async (req: Partial<ConsumerGroupHeartbeatRequest>, version = 1) =>
  await client.request(consumerGroupHeartbeatApi, version, { ...base, ...req })

test('ApiVersions offers ConsumerGroupHeartbeat and ConsumerGroupDescribe v0-1', { timeout: 10_000 }, async () => {
  const versions = await client.request(apiVersionsApi, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' })
  for (const key of [68, 69]) assert.deepEqual(versions.apiKeys.filter((k) => k.apiKey === key).map((k) => [k.minVersion, k.maxVersion]), [[0, 1]])
})

test('bad heartbeats answer Kafka\'s error codes and the group stays usable', { timeout: 30_000 }, async () => {
  const first = await hb({})
  assert.equal(first.errorCode, 0)
  assert.equal(first.memberEpoch, 1)
  assert.deepEqual(first.assignment?.topicPartitions[0]?.partitions.sort(), [0, 1, 2, 3])

  assert.equal((await hb({ memberEpoch: 9 })).errorCode, ErrorCode.FENCED_MEMBER_EPOCH)
  assert.equal((await hb({ memberId: 'stranger', memberEpoch: 1 })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal((await hb({ memberId: 'r', subscribedTopicNames: null, subscribedTopicRegex: '(?=c)c' })).errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION)
  assert.equal((await hb({ memberId: 'r', subscribedTopicNames: null, subscribedTopicRegex: '[unclosed' })).errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION)
  assert.equal((await hb({ memberId: 'x', serverAssignor: 'cooperative-sticky' })).errorCode, ErrorCode.UNSUPPORTED_ASSIGNOR)
  assert.equal((await hb({ memberId: '' })).errorCode, ErrorCode.INVALID_REQUEST, 'v1 needs a client-made member id')
  assert.equal((await hb({ memberId: '' }, 0)).errorCode, 0, 'v0 lets the coordinator make one')
  const huge = await hb({ memberId: 'huge', subscribedTopicNames: Array.from({ length: 10_000 }, (_, i) => `no-such-topic-${i}`) })
  assert.equal(huge.errorCode, 0)

  // The first member still heartbeats normally and the group is described.
  const again = await hb({ memberEpoch: 1, topicPartitions: null })
  assert.equal(again.errorCode, 0)
  const described = await client.request(consumerGroupDescribeApi, 1, { groupIds: ['g', 'nope'], includeAuthorizedOperations: false })
  assert.equal(described.groups[0]!.errorCode, 0)
  assert.equal(described.groups[0]!.members.length, 3)
  assert.ok(described.groups[0]!.members.every((m) => m.memberType === 1))
  assert.equal(described.groups[1]!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND)

  const listed = await client.request(listGroupsApi, 5, { statesFilter: [], typesFilter: ['consumer'] })
  assert.deepEqual(listed.groups.map((g) => [g.groupId, g.groupType, g.protocolType]), [['g', 'consumer', 'consumer']])
  const dg = await client.request(describeGroupsApi, 5, { groups: ['g'], includeAuthorizedOperations: false })
  assert.equal(dg.groups[0]!.protocolType, 'consumer')
  assert.equal(dg.groups[0]!.members.length, 3)
})

test('an undecodable ConsumerGroupHeartbeat closes only that connection', { timeout: 10_000 }, async () => {
  const other = await RawClient.connect(broker.bootstrap)
  const body = Buffer.from([0, 68, 0, 1, 0, 0, 0, 7, 0xff, 0xff, 0, 0xff, 0xff, 0xff])
  const size = Buffer.alloc(4)
  size.writeInt32BE(body.length)
  other.writeRaw(Buffer.concat([size, body]))
  other.close()
  assert.equal((await client.request(apiVersionsApi, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' })).errorCode, 0)
})
