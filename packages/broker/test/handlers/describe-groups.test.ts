// DescribeGroups, ListGroups, DeleteGroups and OffsetDelete over the wire: v0 and latest shapes,
// ListGroups state and type filters, authorized operations, deleting only Empty groups.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  createTopicsApi, deleteGroupsApi, describeGroupsApi, ErrorCode, findCoordinatorApi, joinGroupApi, listGroupsApi, offsetCommitApi,
  offsetDeleteApi, offsetFetchApi, syncGroupApi
} from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker } from '../helpers/broker.js'

test('DescribeGroups v0/v5, ListGroups v0/v4/v5, DeleteGroups v0/v2, OffsetDelete v0', async () => {
  const broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '3' })
  const client = await RawClient.connect(broker.bootstrap)
  try {
    await client.request(createTopicsApi, 3, { topics: [{ name: 't', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false })
    assert.deepEqual(await client.request(listGroupsApi, 0, {}), { throttleTimeMs: 0, errorCode: 0, groups: [] })
    await client.request(findCoordinatorApi, 0, { key: 'active' })
    // An active (Stable) group and an offsets-only group.
    const joined = await client.request(joinGroupApi, 0, {
      groupId: 'active', sessionTimeoutMs: 10000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('meta') }]
    })
    await client.request(syncGroupApi, 0, { groupId: 'active', generationId: 1, memberId: joined.memberId, assignments: [{ memberId: joined.memberId, assignment: Buffer.from('asg') }] })
    await client.request(offsetCommitApi, 2, { groupId: 'idle', generationIdOrMemberEpoch: -1, memberId: '', retentionTimeMs: -1n, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 3n, committedMetadata: null }] }] })

    const d0 = await client.request(describeGroupsApi, 0, { groups: ['active', 'idle', 'ghost'] })
    assert.deepEqual(d0.groups.map((g) => [g.groupId, g.errorCode, g.groupState, g.protocolType, g.protocolData]), [
      ['active', 0, 'Stable', 'consumer', 'range'], ['idle', 0, 'Empty', '', ''], ['ghost', 0, 'Dead', '', '']
    ])
    const member = d0.groups[0]?.members[0]
    assert.deepEqual([member?.memberId, member?.clientHost, member?.memberMetadata.toString(), member?.memberAssignment.toString()],
      [joined.memberId, '/127.0.0.1', 'meta', 'asg'])
    const d5 = await client.request(describeGroupsApi, 5, { groups: ['active'], includeAuthorizedOperations: true })
    assert.ok((d5.groups[0]?.authorizedOperations ?? 0) > 0)
    assert.equal(d5.groups[0]?.members[0]?.groupInstanceId, null)

    const l0 = await client.request(listGroupsApi, 0, {})
    assert.deepEqual(l0.groups.map((g) => [g.groupId, g.protocolType]).sort(), [['active', 'consumer'], ['idle', '']])
    const l4 = await client.request(listGroupsApi, 4, { statesFilter: ['stable'] })
    assert.deepEqual(l4.groups.map((g) => [g.groupId, g.groupState]), [['active', 'Stable']])
    const l5 = await client.request(listGroupsApi, 5, { statesFilter: [], typesFilter: ['consumer'] })
    assert.deepEqual(l5.groups, [], 'no KIP-848 consumer groups here')
    const l5all = await client.request(listGroupsApi, 5, { statesFilter: [], typesFilter: [] })
    assert.ok(l5all.groups.every((g) => g.groupType === 'classic'))

    const od = await client.request(offsetDeleteApi, 0, { groupId: 'idle', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }, { partitionIndex: 9 }] }] })
    assert.deepEqual([od.errorCode, od.topics[0]?.partitions.map((p) => p.errorCode)], [0, [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
    const fetched = await client.request(offsetFetchApi, 1, { groupId: 'idle', topics: [{ name: 't', partitionIndexes: [0] }] })
    assert.equal(fetched.topics?.[0]?.partitions[0]?.committedOffset, -1n)

    const del0 = await client.request(deleteGroupsApi, 0, { groupsNames: ['active', 'idle', 'ghost'] })
    assert.deepEqual(del0.results.map((r) => [r.groupId, r.errorCode]), [
      ['active', ErrorCode.NON_EMPTY_GROUP], ['idle', ErrorCode.NONE], ['ghost', ErrorCode.GROUP_ID_NOT_FOUND]
    ])
    const del2 = await client.request(deleteGroupsApi, 2, { groupsNames: ['idle'] })
    assert.deepEqual(del2.results.map((r) => [r.groupId, r.errorCode]), [['idle', ErrorCode.GROUP_ID_NOT_FOUND]])
  } finally {
    client.close()
    await broker.destroy()
  }
})
