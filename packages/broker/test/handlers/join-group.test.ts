// JoinGroup / SyncGroup / Heartbeat / LeaveGroup over the wire at their oldest and newest
// versions (real clients cover the middle): v0 joins without MEMBER_ID_REQUIRED and answers
// a non-null protocol name; v4+ MEMBER_ID_REQUIRED; v5 static members; v7 protocol type; v9
// skip_assignment; SyncGroup v5 requires protocol type and name; LeaveGroup v0-2 single member.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, findCoordinatorApi, heartbeatApi, joinGroupApi, leaveGroupApi, syncGroupApi } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker } from '../helpers/broker.js'

const CONFIG = { 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '1000', 'offsets.topic.num.partitions': '3' }
const metadata = Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0xff, 0xff, 0xff, 0xff])

test('old versions: JoinGroup v0, SyncGroup v0, Heartbeat v0, LeaveGroup v0', async () => {
  const broker = await startTestBroker(CONFIG)
  const client = await RawClient.connect(broker.bootstrap)
  try {
    // As every client does first: this also loads the coordinator.
    await client.request(findCoordinatorApi, 0, { key: 'old' })
    const joined = await client.request(joinGroupApi, 0, {
      groupId: 'old', sessionTimeoutMs: 6000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata }]
    })
    assert.equal(joined.errorCode, ErrorCode.NONE)
    assert.equal(joined.generationId, 1)
    assert.equal(joined.protocolName, 'range')
    assert.equal(joined.leader, joined.memberId)
    assert.deepEqual(joined.members.map((m) => [m.memberId, m.metadata.equals(metadata)]), [[joined.memberId, true]])
    const synced = await client.request(syncGroupApi, 0, {
      groupId: 'old', generationId: 1, memberId: joined.memberId, assignments: [{ memberId: joined.memberId, assignment: Buffer.from('mine') }]
    })
    assert.equal(synced.errorCode, ErrorCode.NONE)
    assert.equal(synced.assignment.toString(), 'mine')
    assert.equal((await client.request(heartbeatApi, 0, { groupId: 'old', generationId: 1, memberId: joined.memberId })).errorCode, ErrorCode.NONE)
    assert.equal((await client.request(heartbeatApi, 0, { groupId: 'old', generationId: 2, memberId: joined.memberId })).errorCode, ErrorCode.ILLEGAL_GENERATION)
    assert.equal((await client.request(leaveGroupApi, 0, { groupId: 'old', memberId: 'nobody' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    assert.equal((await client.request(leaveGroupApi, 0, { groupId: 'old', memberId: joined.memberId })).errorCode, ErrorCode.NONE)
    assert.equal((await client.request(heartbeatApi, 0, { groupId: 'old', generationId: 1, memberId: joined.memberId })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    // An empty group id is refused before anything else.
    const empty = await client.request(joinGroupApi, 0, { groupId: '', sessionTimeoutMs: 6000, memberId: '', protocolType: 'consumer', protocols: [] })
    assert.equal(empty.errorCode, ErrorCode.INVALID_GROUP_ID)
  } finally {
    client.close()
    await broker.destroy()
  }
})

test('new versions: MEMBER_ID_REQUIRED (v4+), protocol type (v7), static leader rejoin with skip_assignment (v9), SyncGroup v5, batch LeaveGroup v5', async () => {
  const broker = await startTestBroker(CONFIG)
  const client = await RawClient.connect(broker.bootstrap)
  try {
    await client.request(findCoordinatorApi, 4, { keyType: 0, coordinatorKeys: ['new'] })
    const base = { groupId: 'new', sessionTimeoutMs: 6000, rebalanceTimeoutMs: 6000, protocolType: 'consumer', protocols: [{ name: 'range', metadata }], reason: 'test' }
    const first = await client.request(joinGroupApi, 9, { ...base, memberId: '', groupInstanceId: null })
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
    assert.equal(first.protocolName, null)
    const dynamic = await client.request(joinGroupApi, 9, { ...base, memberId: first.memberId, groupInstanceId: null })
    assert.equal(dynamic.errorCode, ErrorCode.NONE)
    assert.equal(dynamic.protocolType, 'consumer')
    assert.equal(dynamic.skipAssignment, false)
    const missing = await client.request(syncGroupApi, 5, {
      groupId: 'new', generationId: dynamic.generationId, memberId: dynamic.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: []
    })
    assert.equal(missing.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'v5 requires protocol type and name')
    const synced = await client.request(syncGroupApi, 5, {
      groupId: 'new', generationId: dynamic.generationId, memberId: dynamic.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range',
      assignments: [{ memberId: dynamic.memberId, assignment: Buffer.from('a') }]
    })
    assert.deepEqual([synced.errorCode, synced.protocolType, synced.protocolName, synced.assignment.toString()], [ErrorCode.NONE, 'consumer', 'range', 'a'])
    // Leave; a static member forms the next generation as leader.
    const left = await client.request(leaveGroupApi, 5, { groupId: 'new', members: [{ memberId: dynamic.memberId, groupInstanceId: null, reason: 'bye' }, { memberId: 'ghost', groupInstanceId: null }] })
    assert.deepEqual(left.members?.map((m) => [m.memberId, m.errorCode]), [[dynamic.memberId, ErrorCode.NONE], ['ghost', ErrorCode.UNKNOWN_MEMBER_ID]])
    const staticJoin = await client.request(joinGroupApi, 9, { ...base, memberId: '', groupInstanceId: 'pod-0' })
    assert.equal(staticJoin.errorCode, ErrorCode.NONE)
    assert.equal(staticJoin.leader, staticJoin.memberId)
    await client.request(syncGroupApi, 5, {
      groupId: 'new', generationId: staticJoin.generationId, memberId: staticJoin.memberId, groupInstanceId: 'pod-0', protocolType: 'consumer', protocolName: 'range',
      assignments: [{ memberId: staticJoin.memberId, assignment: Buffer.from('b') }]
    })
    // The static leader restarts: same generation, member list for it, skip_assignment set.
    const restarted = await client.request(joinGroupApi, 9, { ...base, memberId: '', groupInstanceId: 'pod-0' })
    assert.equal(restarted.errorCode, ErrorCode.NONE)
    assert.equal(restarted.generationId, staticJoin.generationId)
    assert.equal(restarted.skipAssignment, true)
    assert.equal(restarted.leader, restarted.memberId)
    assert.deepEqual(restarted.members.map((m) => [m.memberId, m.groupInstanceId]), [[restarted.memberId, 'pod-0']])
    const fenced = await client.request(heartbeatApi, 4, { groupId: 'new', generationId: staticJoin.generationId, memberId: staticJoin.memberId, groupInstanceId: 'pod-0' })
    assert.equal(fenced.errorCode, ErrorCode.FENCED_INSTANCE_ID)
    const byInstance = await client.request(leaveGroupApi, 3, { groupId: 'new', members: [{ memberId: '', groupInstanceId: 'pod-0' }] })
    assert.deepEqual(byInstance.members?.map((m) => [m.groupInstanceId, m.errorCode]), [['pod-0', ErrorCode.NONE]])
  } finally {
    client.close()
    await broker.destroy()
  }
})

test('shutdown answers a parked JoinGroup NOT_COORDINATOR instead of waiting for the rebalance', async () => {
  const broker = await startTestBroker(CONFIG)
  const a = await RawClient.connect(broker.bootstrap)
  const b = await RawClient.connect(broker.bootstrap)
  try {
    await a.request(findCoordinatorApi, 0, { key: 'busy' })
    const join = { groupId: 'busy', sessionTimeoutMs: 30000, rebalanceTimeoutMs: 60000, protocolType: 'consumer', protocols: [{ name: 'range', metadata }] }
    const first = await a.request(joinGroupApi, 3, { ...join, memberId: '' })
    await a.request(syncGroupApi, 3, { groupId: 'busy', generationId: first.generationId, memberId: first.memberId, groupInstanceId: null, assignments: [] })
    // b's join waits for a to rejoin, which it never does (up to the 60 s rebalance timeout).
    const parked = b.request(joinGroupApi, 3, { ...join, memberId: '' })
    await new Promise((resolve) => setTimeout(resolve, 200))
    const started = Date.now()
    await broker.close()
    assert.ok(Date.now() - started < 5000, `closed in ${Date.now() - started} ms`)
    assert.equal((await parked).errorCode, ErrorCode.NOT_COORDINATOR)
  } finally {
    a.close()
    b.close()
    await broker.destroy()
  }
})
