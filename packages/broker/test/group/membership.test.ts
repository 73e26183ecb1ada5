import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeSubscription } from '../../src/group/consumer-protocol.js'
import { GroupError } from '../../src/group/errors.js'
import {
  type Harness, advance, consumerProtocols, formGroup, heartbeat, join, settle, startHarness, sync, track
} from './harness.js'

function stateOf (h: Harness, groupId: string): string | undefined {
  const shard = h.runtime.activeShards().find((s) => s.groups.has(groupId))
  return shard?.groups.get(groupId)?.state
}

test('JoinGroup v4+: MEMBER_ID_REQUIRED hands out client.id-uuid, the rejoin is parked until the join phase ends', async () => {
  const h = await startHarness()
  const first = await join(h, 'g', { clientId: 'my-client', apiVersion: 4 })
  assert.equal(first.errorCode, GroupError.MEMBER_ID_REQUIRED)
  assert.match(first.memberId, /^my-client-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  assert.equal(stateOf(h, 'g'), 'Empty')

  const rejoin = track(join(h, 'g', { memberId: first.memberId, apiVersion: 4 }))
  await settle()
  assert.equal(rejoin.done(), false, 'parked during the (zero) initial delay')
  assert.equal(stateOf(h, 'g'), 'PreparingRebalance')
  await advance(h, 0)
  const r = await rejoin.promise
  assert.equal(r.errorCode, GroupError.NONE)
  assert.equal(r.generationId, 1)
  assert.equal(r.leader, first.memberId)
  assert.equal(r.protocolName, 'range')
  assert.equal(r.protocolType, 'consumer')
  assert.deepEqual(r.members.map((m) => m.memberId), [first.memberId])
  assert.deepEqual(decodeSubscription(r.members[0]!.metadata)?.topics, ['t'])
  assert.equal(stateOf(h, 'g'), 'CompletingRebalance')
})

test('JoinGroup v0-v3 joins directly without MEMBER_ID_REQUIRED', async () => {
  const h = await startHarness()
  const joined = track(join(h, 'g', { apiVersion: 3 }))
  await advance(h, 0)
  const r = await joined.promise
  assert.equal(r.errorCode, GroupError.NONE)
  assert.equal(r.generationId, 1)
  assert.equal(r.leader, r.memberId)
})

test('three members: leader gets the member list, followers wait in SyncGroup for the leader\'s assignment', async () => {
  const h = await startHarness()
  const ids: string[] = []
  for (let i = 0; i < 3; i++) ids.push((await join(h, 'g')).memberId)
  const joins = ids.map((memberId) => join(h, 'g', { memberId }))
  await advance(h, 0)
  const results = await Promise.all(joins)
  const leader = results[0]!.leader
  assert.ok(results.every((r) => r.generationId === 1 && r.leader === leader))
  assert.deepEqual(results.filter((r) => r.members.length > 0).map((r) => r.memberId), [leader])
  assert.deepEqual(results.find((r) => r.memberId === leader)!.members.map((m) => m.memberId).sort(), [...ids].sort())

  const followers = ids.filter((id) => id !== leader)
  const followerSyncs = followers.map((id) => track(sync(h, 'g', id, 1)))
  await settle()
  assert.ok(followerSyncs.every((s) => !s.done()), 'followers wait for the leader')
  assert.equal(stateOf(h, 'g'), 'CompletingRebalance')

  const assignments = ids.map((memberId) => ({ memberId, assignment: Buffer.from(`for-${memberId}`) }))
  const leaderSync = await sync(h, 'g', leader, 1, assignments)
  assert.equal(leaderSync.errorCode, GroupError.NONE)
  assert.equal(leaderSync.assignment.toString(), `for-${leader}`)
  for (const [i, s] of followerSyncs.entries()) {
    const r = await s.promise
    assert.equal(r.errorCode, GroupError.NONE)
    assert.equal(r.assignment.toString(), `for-${followers[i]}`)
    assert.equal(r.protocolName, 'range')
  }
  assert.equal(stateOf(h, 'g'), 'Stable')

  const [described] = await h.coordinator.describeGroups(['g'])
  assert.equal(described!.groupState, 'Stable')
  assert.equal(described!.protocolData, 'range')
  assert.deepEqual(described!.members.map((m) => m.memberAssignment.toString()).sort(), assignments.map((a) => a.assignment.toString()).sort())
})

test('session timeout outside the broker bounds is INVALID_SESSION_TIMEOUT', async () => {
  const h = await startHarness({ minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 30000 })
  assert.equal((await join(h, 'g', { sessionTimeoutMs: 5999 })).errorCode, GroupError.INVALID_SESSION_TIMEOUT)
  assert.equal((await join(h, 'g', { sessionTimeoutMs: 30001 })).errorCode, GroupError.INVALID_SESSION_TIMEOUT)
  assert.equal((await join(h, 'g', { sessionTimeoutMs: 6000 })).errorCode, GroupError.MEMBER_ID_REQUIRED)
})

test('protocols: type must match, some protocol must be shared, the most voted common one wins', async () => {
  const h = await startHarness()
  // v3 joins directly: the first member is parked and the group is PreparingRebalance.
  const a = track(join(h, 'g', { apiVersion: 3, protocols: consumerProtocols(['t'], ['range', 'roundrobin']) }))
  await settle()
  assert.equal(stateOf(h, 'g'), 'PreparingRebalance')
  assert.equal((await join(h, 'g', { apiVersion: 3, protocolType: 'connect' })).errorCode, GroupError.INCONSISTENT_GROUP_PROTOCOL)
  assert.equal((await join(h, 'g', { apiVersion: 3, protocols: consumerProtocols(['t'], ['sticky']) })).errorCode, GroupError.INCONSISTENT_GROUP_PROTOCOL)
  assert.equal((await join(h, 'g', { apiVersion: 3, protocols: [] })).errorCode, GroupError.INCONSISTENT_GROUP_PROTOCOL)
  const b = track(join(h, 'g', { apiVersion: 3, protocols: consumerProtocols(['t'], ['roundrobin', 'range']) }))
  const c = track(join(h, 'g', { apiVersion: 3, protocols: consumerProtocols(['t'], ['roundrobin']) }))
  await advance(h, 0)
  const [ra, rb, rc] = await Promise.all([a.promise, b.promise, c.promise])
  assert.equal(ra.protocolName, 'roundrobin')
  assert.equal(rb.protocolName, 'roundrobin')
  assert.equal(rc.protocolName, 'roundrobin')
  // An Empty group accepts any non-empty type, but not an empty one.
  assert.equal((await join(h, 'other', { protocolType: '' })).errorCode, GroupError.INCONSISTENT_GROUP_PROTOCOL)
})

test('heartbeat answers: unknown member, wrong generation, rebalancing, stable', async () => {
  const h = await startHarness()
  assert.equal(await heartbeat(h, 'nope', 'x', 1), GroupError.UNKNOWN_MEMBER_ID)
  const { members: [a, b], generation } = await formGroup(h, 'g', 2)
  assert.equal(await heartbeat(h, 'g', a!, generation), GroupError.NONE)
  assert.equal(await heartbeat(h, 'g', 'stranger', generation), GroupError.UNKNOWN_MEMBER_ID)
  assert.equal(await heartbeat(h, 'g', a!, generation + 1), GroupError.ILLEGAL_GENERATION)
  assert.equal(await heartbeat(h, 'g', a!, generation, 'unknown-instance'), GroupError.UNKNOWN_MEMBER_ID)
  // A new member joins: the group rebalances and members learn it from their heartbeats.
  const newcomer = await join(h, 'g')
  const parked = track(join(h, 'g', { memberId: newcomer.memberId }))
  await settle()
  assert.equal(stateOf(h, 'g'), 'PreparingRebalance')
  assert.equal(await heartbeat(h, 'g', b!, generation), GroupError.REBALANCE_IN_PROGRESS)
  assert.equal(parked.done(), false)
})

test('SyncGroup answers: unknown member, wrong generation, rebalancing, protocol mismatch', async () => {
  const h = await startHarness()
  assert.equal((await sync(h, 'nope', 'x', 1)).errorCode, GroupError.UNKNOWN_MEMBER_ID)
  const { members: [a], generation } = await formGroup(h, 'g', 1)
  assert.equal((await sync(h, 'g', 'stranger', generation)).errorCode, GroupError.UNKNOWN_MEMBER_ID)
  assert.equal((await sync(h, 'g', a!, generation - 1)).errorCode, GroupError.ILLEGAL_GENERATION)
  const again = await sync(h, 'g', a!, generation)
  assert.equal(again.errorCode, GroupError.NONE, 'a Stable group answers with the current assignment')
  assert.equal(again.assignment.toString(), 'assignment-0')
  const mismatch = await h.coordinator.syncGroup({
    groupId: 'g', memberId: a!, generationId: generation, groupInstanceId: null, protocolType: 'consumer', protocolName: 'sticky', assignments: []
  })
  assert.equal(mismatch.errorCode, GroupError.INCONSISTENT_GROUP_PROTOCOL)
  const rejoin = track(join(h, 'g', { memberId: a! }))
  await settle()
  // The leader's rejoin in Stable forces a rebalance; it completes at once (everyone is in).
  const r = await rejoin.promise
  assert.equal(r.generationId, generation + 1)
  assert.equal((await sync(h, 'g', a!, generation)).errorCode, GroupError.ILLEGAL_GENERATION)
})

test('a member that stops heartbeating is removed after its session timeout and the group rebalances', async () => {
  const h = await startHarness()
  const { members: [a, b], generation } = await formGroup(h, 'g', 2, { sessionTimeoutMs: 10000 })
  for (let t = 0; t < 3; t++) {
    await advance(h, 4000)
    // Only a keeps heartbeating; b's session (10 s) runs out during the third step.
    const hb = await heartbeat(h, 'g', a!, generation)
    if (t < 2) assert.equal(hb, GroupError.NONE)
    else assert.equal(hb, GroupError.REBALANCE_IN_PROGRESS)
  }
  assert.equal(stateOf(h, 'g'), 'PreparingRebalance')
  assert.equal(await heartbeat(h, 'g', b!, generation), GroupError.UNKNOWN_MEMBER_ID)
  const r = await join(h, 'g', { memberId: a! })
  assert.equal(r.generationId, generation + 1)
  assert.deepEqual(r.members.map((m) => m.memberId), [a])
})

test('members that do not rejoin within the rebalance timeout are dropped', async () => {
  const h = await startHarness()
  const { members: [a, b], generation } = await formGroup(h, 'g', 2, { sessionTimeoutMs: 30000, rebalanceTimeoutMs: 5000 })
  // b changes its subscription: that forces a rebalance, and a never rejoins.
  const rejoin = track(join(h, 'g', { memberId: b!, sessionTimeoutMs: 30000, rebalanceTimeoutMs: 5000, protocols: consumerProtocols(['t', 'u']) }))
  await advance(h, 4999)
  assert.equal(rejoin.done(), false)
  await advance(h, 1)
  const r = await rejoin.promise
  assert.equal(r.generationId, generation + 1)
  assert.equal(r.leader, b)
  assert.deepEqual(r.members.map((m) => m.memberId), [b])
  assert.equal(await heartbeat(h, 'g', a!, generation), GroupError.UNKNOWN_MEMBER_ID)
})

test('a member id handed out with MEMBER_ID_REQUIRED expires if never used', async () => {
  const h = await startHarness()
  const { members: [a], generation } = await formGroup(h, 'g', 1)
  const pending = await join(h, 'g', { sessionTimeoutMs: 10000 })
  assert.equal(pending.errorCode, GroupError.MEMBER_ID_REQUIRED)
  await advance(h, 9000)
  assert.equal(await heartbeat(h, 'g', a!, generation), GroupError.NONE)
  await advance(h, 1001)
  assert.equal((await join(h, 'g', { memberId: pending.memberId })).errorCode, GroupError.UNKNOWN_MEMBER_ID)
  assert.equal(stateOf(h, 'g'), 'Stable', 'an unused pending id never disturbed the group')
})

test('LeaveGroup: a leaving member triggers a rebalance; the last one leaves the group Empty (persisted)', async () => {
  const h = await startHarness()
  const { members: [a, b], generation } = await formGroup(h, 'g', 2)
  const left = await h.coordinator.leaveGroup('g', [{ memberId: b!, groupInstanceId: null }, { memberId: 'ghost', groupInstanceId: null }])
  assert.equal(left.errorCode, GroupError.NONE)
  assert.deepEqual(left.members.map((m) => m.errorCode), [GroupError.NONE, GroupError.UNKNOWN_MEMBER_ID])
  assert.equal(stateOf(h, 'g'), 'PreparingRebalance')
  const r = await join(h, 'g', { memberId: a! })
  assert.equal(r.generationId, generation + 1)
  await sync(h, 'g', a!, r.generationId, [{ memberId: a!, assignment: Buffer.from('all') }])
  const last = await h.coordinator.leaveGroup('g', [{ memberId: a!, groupInstanceId: null }])
  assert.equal(last.members[0]?.errorCode, GroupError.NONE)
  assert.equal(stateOf(h, 'g'), 'Empty')
  const log = h.logs.get(h.runtime.partitionFor('g'))!
  const lastRecord = log.records.at(-1)!
  assert.equal(lastRecord.key.readInt16BE(0), 2, 'the Empty generation is written as group metadata')
  assert.equal((await h.coordinator.leaveGroup('nope', [{ memberId: 'x', groupInstanceId: null }])).errorCode, GroupError.UNKNOWN_MEMBER_ID)
})

test('static membership: a restarted instance takes over without a rebalance and fences its old id', async () => {
  const h = await startHarness()
  const opts = { groupInstanceId: 'instance-1', apiVersion: 5, sessionTimeoutMs: 10000 }
  const joinA = track(join(h, 'g', opts))
  const joinB = track(join(h, 'g', { groupInstanceId: 'instance-2', apiVersion: 5 }))
  await advance(h, 0)
  const [ra, rb] = await Promise.all([joinA.promise, joinB.promise])
  assert.equal(ra.errorCode, GroupError.NONE, 'static members never get MEMBER_ID_REQUIRED')
  assert.match(ra.memberId, /^instance-1-/)
  const generation = ra.generationId
  const leaderId = ra.leader
  const assignments = [{ memberId: ra.memberId, assignment: Buffer.from('A') }, { memberId: rb.memberId, assignment: Buffer.from('B') }]
  await Promise.all([
    sync(h, 'g', ra.memberId, generation, leaderId === ra.memberId ? assignments : [], 'instance-1'),
    sync(h, 'g', rb.memberId, generation, leaderId === rb.memberId ? assignments : [], 'instance-2')
  ])
  assert.equal(stateOf(h, 'g'), 'Stable')

  // instance-1 restarts: same group.instance.id, no member id.
  const restarted = await join(h, 'g', opts)
  assert.equal(restarted.errorCode, GroupError.NONE)
  assert.notEqual(restarted.memberId, ra.memberId)
  assert.equal(restarted.generationId, generation, 'no new generation')
  assert.equal(stateOf(h, 'g'), 'Stable')
  const again = await sync(h, 'g', restarted.memberId, generation, [], 'instance-1')
  assert.equal(again.assignment.toString(), 'A', 'it keeps its assignment')
  // The old incarnation is fenced everywhere.
  assert.equal(await heartbeat(h, 'g', ra.memberId, generation, 'instance-1'), GroupError.FENCED_INSTANCE_ID)
  assert.equal((await sync(h, 'g', ra.memberId, generation, [], 'instance-1')).errorCode, GroupError.FENCED_INSTANCE_ID)
  const commit = await h.coordinator.commitOffsets({ clientId: 'c', clientHost: 'h', apiVersion: 7 }, {
    groupId: 'g', generationIdOrMemberEpoch: generation, memberId: ra.memberId, groupInstanceId: 'instance-1', retentionTimeMs: -1n,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }]
  })
  assert.equal(commit.topics[0]?.partitions[0]?.errorCode, GroupError.FENCED_INSTANCE_ID)
  assert.equal(await heartbeat(h, 'g', restarted.memberId, generation, 'instance-1'), GroupError.NONE)
  // Admin removal by instance id (no member id).
  const removed = await h.coordinator.leaveGroup('g', [{ memberId: '', groupInstanceId: 'instance-2' }])
  assert.equal(removed.members[0]?.errorCode, GroupError.NONE)
  assert.equal(stateOf(h, 'g'), 'PreparingRebalance')
})

test('static members that miss a rebalance keep their place; dynamic ones are dropped', async () => {
  const h = await startHarness()
  const s = track(join(h, 'g', { groupInstanceId: 'static', sessionTimeoutMs: 60000, rebalanceTimeoutMs: 5000 }))
  const d0 = await join(h, 'g', { sessionTimeoutMs: 60000, rebalanceTimeoutMs: 5000 })
  const d = track(join(h, 'g', { memberId: d0.memberId, sessionTimeoutMs: 60000, rebalanceTimeoutMs: 5000 }))
  await advance(h, 0)
  const [rs, rd] = await Promise.all([s.promise, d.promise])
  await Promise.all([sync(h, 'g', rs.memberId, 1, rs.members.length > 0 ? [] : [], 'static'), sync(h, 'g', rd.memberId, 1)])
  // A third member joins; neither existing member rejoins in time.
  const n0 = await join(h, 'g', { sessionTimeoutMs: 60000, rebalanceTimeoutMs: 5000 })
  const n = track(join(h, 'g', { memberId: n0.memberId, sessionTimeoutMs: 60000, rebalanceTimeoutMs: 5000 }))
  await advance(h, 5000)
  const rn = await n.promise
  assert.equal(rn.generationId, 2)
  assert.deepEqual(rn.members.map((m) => m.memberId).sort(), [rn.memberId, rs.memberId].sort())
})

test('the initial rebalance waits group.initial.rebalance.delay.ms, extended by each newcomer', async () => {
  const h = await startHarness({ initialRebalanceDelayMs: 3000 })
  const first = track(join(h, 'g', { apiVersion: 3, rebalanceTimeoutMs: 60000 }))
  await advance(h, 2000)
  const second = track(join(h, 'g', { apiVersion: 3, rebalanceTimeoutMs: 60000 }))
  await advance(h, 1000)
  assert.equal(first.done(), false, 'a newcomer during the delay extends it')
  await advance(h, 3000)
  const [r1, r2] = await Promise.all([first.promise, second.promise])
  assert.equal(r1.generationId, 1)
  assert.equal(r2.generationId, 1)
})

test('group.max.size: joiners beyond it get GROUP_MAX_SIZE_REACHED', async () => {
  const h = await startHarness({ maxSize: 2 })
  await formGroup(h, 'g', 2)
  const extra = await join(h, 'g', { apiVersion: 3 })
  assert.equal(extra.errorCode, GroupError.GROUP_MAX_SIZE_REACHED)
  assert.equal(stateOf(h, 'g'), 'Stable')
})

test('a member that never sends SyncGroup is removed after the rebalance timeout', async () => {
  const h = await startHarness()
  const ids = [(await join(h, 'g', { rebalanceTimeoutMs: 8000 })).memberId, (await join(h, 'g', { rebalanceTimeoutMs: 8000 })).memberId]
  const joins = ids.map((memberId) => join(h, 'g', { memberId, rebalanceTimeoutMs: 8000 }))
  await advance(h, 0)
  const results = await Promise.all(joins)
  const leader = results[0]!.leader
  const follower = ids.find((id) => id !== leader)!
  await sync(h, 'g', leader, 1, ids.map((memberId) => ({ memberId, assignment: Buffer.from('x') })))
  assert.equal(stateOf(h, 'g'), 'Stable')
  await heartbeat(h, 'g', follower, 1)
  await advance(h, 8000)
  assert.equal(stateOf(h, 'g'), 'PreparingRebalance')
  assert.equal(await heartbeat(h, 'g', follower, 1), GroupError.UNKNOWN_MEMBER_ID)
})

test('a duplicate JoinGroup from the same member answers the first one instead of leaving it parked', async () => {
  const h = await startHarness()
  const { members: [a], generation } = await formGroup(h, 'g', 1)
  const b0 = await join(h, 'g')
  const first = track(join(h, 'g', { memberId: b0.memberId }))
  await settle()
  const second = track(join(h, 'g', { memberId: b0.memberId }))
  await settle()
  assert.equal(first.done(), true)
  assert.equal(first.value()?.errorCode, GroupError.REBALANCE_IN_PROGRESS)
  const ra = await join(h, 'g', { memberId: a! })
  assert.equal(ra.generationId, generation + 1)
  assert.equal((await second.promise).generationId, generation + 1)
})
