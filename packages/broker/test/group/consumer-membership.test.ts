// KIP-848 consumer groups on hand-driven time: joining, incremental reconciliation (revocation
// before reassignment), epochs, timeouts, static members, bad input, and replay after a restart.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ConsumerGroupHeartbeatRequest } from '@brook/protocol'
import { GroupError } from '../../src/group/errors.js'
import type { HeartbeatResponse } from '../../src/group/consumer/membership.js'
import { fixedTopics } from '../../src/group/consumer/topics.js'
import { type Harness, advance, settle, startHarness } from './harness.js'

const T = '5d1b9a3e-0c3f-4e39-9a57-0f6a3e8d0001'
const U = '5d1b9a3e-0c3f-4e39-9a57-0f6a3e8d0002'
const topics = fixedTopics([{ name: 't', id: T, partitions: 6 }, { name: 'u', id: U, partitions: 2 }])
const info = { clientId: 'c', clientHost: '/127.0.0.1', apiVersion: 1 }
const G = 'g'

async function hb (h: Harness, req: Partial<ConsumerGroupHeartbeatRequest> & { memberId: string, memberEpoch: number }): Promise<HeartbeatResponse> {
  return await h.coordinator.consumerGroupHeartbeat(info, {
    groupId: G, instanceId: null, rackId: null, rebalanceTimeoutMs: -1, subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null, ...req
  })
}

const join = async (h: Harness, memberId: string, extra: Partial<ConsumerGroupHeartbeatRequest> = {}): Promise<HeartbeatResponse> =>
  await hb(h, { memberId, memberEpoch: 0, rebalanceTimeoutMs: 10_000, subscribedTopicNames: ['t'], topicPartitions: [], ...extra })

const parts = (r: HeartbeatResponse): number[] => (r.assignment?.topicPartitions ?? []).flatMap((t) => t.partitions).sort((a, b) => a - b)
const owned = (ps: number[]): ConsumerGroupHeartbeatRequest['topicPartitions'] => [{ topicId: T, partitions: ps }]

async function assertDisjoint (h: Harness): Promise<void> {
  const [d] = await h.coordinator.consumerGroupDescribe([G])
  const seen = new Set<string>()
  for (const m of d!.members) {
    for (const t of m.assignment.topicPartitions) {
      for (const p of t.partitions) {
        assert.ok(!seen.has(`${t.topicId}:${p}`), `partition ${p} has two owners`)
        seen.add(`${t.topicId}:${p}`)
      }
    }
  }
}

test('a second member gets partitions only after the first revoked them', { timeout: 20_000 }, async () => {
  const h = await startHarness({ consumerSessionTimeoutMs: 45_000 }, { topics })
  const a1 = await join(h, 'a')
  assert.equal(a1.errorCode, 0)
  assert.equal(a1.memberEpoch, 1)
  assert.deepEqual(parts(a1), [0, 1, 2, 3, 4, 5])

  const b1 = await join(h, 'b')
  assert.equal(b1.memberEpoch, 2)
  assert.deepEqual(parts(b1), [], 'nothing until a has revoked')
  await assertDisjoint(h)

  const a2 = await hb(h, { memberId: 'a', memberEpoch: 1 })
  assert.equal(a2.memberEpoch, 1, 'a stays at its epoch while it revokes')
  const kept = parts(a2)
  assert.equal(kept.length, 3)
  const b2 = await hb(h, { memberId: 'b', memberEpoch: 2 })
  assert.equal(b2.assignment, null, 'b still waits: a has not acknowledged the revocation')
  await assertDisjoint(h)

  const a3 = await hb(h, { memberId: 'a', memberEpoch: 1, topicPartitions: owned(kept) })
  assert.equal(a3.memberEpoch, 2)
  assert.deepEqual(parts(a3), kept)
  const b3 = await hb(h, { memberId: 'b', memberEpoch: 2 })
  assert.deepEqual(parts(b3), [0, 1, 2, 3, 4, 5].filter((p) => !kept.includes(p)))
  await assertDisjoint(h)
  const [d] = await h.coordinator.consumerGroupDescribe([G])
  assert.equal(d!.groupState, 'Stable')
  assert.equal(d!.groupEpoch, 2)
  assert.equal(d!.assignmentEpoch, 2)

  // Wrong epochs and ids.
  assert.equal((await hb(h, { memberId: 'a', memberEpoch: 7 })).errorCode, GroupError.FENCED_MEMBER_EPOCH)
  assert.equal((await hb(h, { memberId: 'a', memberEpoch: 0 + 1, topicPartitions: owned([0, 1, 2, 3, 4, 5]) })).errorCode, GroupError.FENCED_MEMBER_EPOCH,
    'the previous epoch with partitions it does not own is fenced')
  assert.equal((await hb(h, { memberId: 'nobody', memberEpoch: 3 })).errorCode, GroupError.UNKNOWN_MEMBER_ID)
  assert.equal((await hb(h, { groupId: 'no-such-group', memberId: 'a', memberEpoch: 3 })).errorCode, GroupError.UNKNOWN_MEMBER_ID)

  // b leaves: a takes everything over at a new epoch.
  const left = await hb(h, { memberId: 'b', memberEpoch: -1 })
  assert.equal(left.errorCode, 0)
  assert.equal(left.memberEpoch, -1)
  const a4 = await hb(h, { memberId: 'a', memberEpoch: 2 })
  assert.equal(a4.memberEpoch, 3)
  assert.deepEqual(parts(a4), [0, 1, 2, 3, 4, 5])
  h.runtime.close()
})

test('a member that misses its session is removed; one that does not revoke in time is fenced', { timeout: 20_000 }, async () => {
  const h = await startHarness({ consumerSessionTimeoutMs: 6000 }, { topics })
  await join(h, 'a', { rebalanceTimeoutMs: 3000 })
  await join(h, 'b')
  // a is asked to revoke but never acknowledges: fenced after its rebalance timeout (3 s), and b
  // then gets everything.
  await hb(h, { memberId: 'a', memberEpoch: 1 })
  await advance(h, 2000)
  await hb(h, { memberId: 'b', memberEpoch: 2 })
  await advance(h, 1500)
  const [d] = await h.coordinator.consumerGroupDescribe([G])
  assert.deepEqual(d!.members.map((m) => m.memberId), ['b'])
  const b = await hb(h, { memberId: 'b', memberEpoch: 2 })
  assert.deepEqual(parts(b), [0, 1, 2, 3, 4, 5])
  assert.equal((await hb(h, { memberId: 'a', memberEpoch: 1 })).errorCode, GroupError.UNKNOWN_MEMBER_ID)
  // b stops heartbeating: gone after the session timeout, and the group is Empty.
  await advance(h, 6001)
  const [e] = await h.coordinator.consumerGroupDescribe([G])
  assert.equal(e!.groupState, 'Empty')
  const listed = h.coordinator.listGroups([], ['consumer']).groups
  assert.deepEqual(listed, [{ groupId: G, protocolType: 'consumer', groupState: 'Empty', groupType: 'consumer' }])
  assert.equal((await h.coordinator.deleteGroups([G]))[0]!.errorCode, 0)
  assert.equal((await h.coordinator.consumerGroupDescribe([G]))[0]!.errorCode, GroupError.GROUP_ID_NOT_FOUND)
  h.runtime.close()
})

test('a static member that leaves with epoch -2 and returns under a new id takes its partitions back', { timeout: 20_000 }, async () => {
  const h = await startHarness({ consumerSessionTimeoutMs: 6000 }, { topics })
  const s1 = await join(h, 's1', { instanceId: 'inst' })
  assert.deepEqual(parts(s1), [0, 1, 2, 3, 4, 5])
  assert.equal((await hb(h, { memberId: 's1', memberEpoch: -2, instanceId: 'inst' })).memberEpoch, -2)
  const other = await join(h, 'x', { instanceId: 'other' })
  assert.deepEqual(parts(other), [], 'the departed static member still holds its partitions')
  const s2 = await join(h, 's2', { instanceId: 'inst' })
  assert.equal(s2.errorCode, 0)
  assert.ok(parts(s2).length > 0)
  assert.equal((await join(h, 's3', { instanceId: 'inst' })).errorCode, GroupError.UNRELEASED_INSTANCE_ID)
  assert.equal((await hb(h, { memberId: 's1', memberEpoch: 1, instanceId: 'inst' })).errorCode, GroupError.FENCED_INSTANCE_ID)
  await assertDisjoint(h)
  h.runtime.close()
})

test('bad heartbeats get Kafka\'s errors and leave the group usable', { timeout: 20_000 }, async () => {
  const h = await startHarness({}, { topics })
  const cases: Array<[Partial<ConsumerGroupHeartbeatRequest> & { memberId: string, memberEpoch: number }, number]> = [
    [{ memberId: 'm', memberEpoch: -3 }, GroupError.INVALID_REQUEST],
    [{ memberId: '', memberEpoch: 0, subscribedTopicNames: ['t'], rebalanceTimeoutMs: 1 }, GroupError.INVALID_REQUEST],
    [{ memberId: 'm', memberEpoch: 0, rebalanceTimeoutMs: 1000 }, GroupError.INVALID_REQUEST],
    [{ memberId: 'm', memberEpoch: 0, subscribedTopicNames: ['t'], rebalanceTimeoutMs: 1000, serverAssignor: 'sticky' }, GroupError.UNSUPPORTED_ASSIGNOR],
    [{ memberId: 'm', memberEpoch: 0, subscribedTopicRegex: '(a)\\1', rebalanceTimeoutMs: 1000 }, GroupError.INVALID_REGULAR_EXPRESSION],
    [{ memberId: 'm', memberEpoch: 0, subscribedTopicRegex: '[', rebalanceTimeoutMs: 1000 }, GroupError.INVALID_REGULAR_EXPRESSION],
    [{ memberId: 'm', memberEpoch: -2, instanceId: null }, GroupError.INVALID_REQUEST],
    [{ memberId: 'm', memberEpoch: 4 }, GroupError.UNKNOWN_MEMBER_ID]
  ]
  for (const [req, code] of cases) assert.equal((await hb(h, req)).errorCode, code, JSON.stringify(req).slice(0, 120))
  assert.equal((await h.coordinator.consumerGroupHeartbeat(info, { groupId: '', memberId: 'm', memberEpoch: 0, rebalanceTimeoutMs: 1, subscribedTopicNames: [] })).errorCode, GroupError.INVALID_GROUP_ID)
  // Thousands of subscribed topics, almost none of which exist.
  const many = await join(h, 'many', { subscribedTopicNames: [...Array.from({ length: 5000 }, (_, i) => `missing-${i}`), 't'] })
  assert.equal(many.errorCode, 0)
  assert.deepEqual(parts(many), [0, 1, 2, 3, 4, 5])
  // A regex subscription matches existing topics on the broker.
  const re = await join(h, 'regex', { subscribedTopicNames: null, subscribedTopicRegex: 'u|v' })
  assert.equal(re.errorCode, 0)
  const reNext = await hb(h, { memberId: 'regex', memberEpoch: re.memberEpoch })
  assert.deepEqual((reNext.assignment ?? re.assignment)?.topicPartitions.map((t) => t.topicId), [U])
  h.runtime.close()
})

test('the group survives a restart: the records replay to the same state', { timeout: 20_000 }, async () => {
  const h = await startHarness({}, { topics })
  const a = await join(h, 'a')
  await join(h, 'b')
  const a2 = await hb(h, { memberId: 'a', memberEpoch: a.memberEpoch })
  await hb(h, { memberId: 'a', memberEpoch: a2.memberEpoch, topicPartitions: owned(parts(a2)) })
  await hb(h, { memberId: 'b', memberEpoch: 2 })
  await h.coordinator.commitOffsets(info, {
    groupId: G, generationIdOrMemberEpoch: 2, memberId: 'a', groupInstanceId: null, retentionTimeMs: -1n,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }]
  })
  const stale = await h.coordinator.commitOffsets({ ...info, apiVersion: 9 }, {
    groupId: G, generationIdOrMemberEpoch: 1, memberId: 'a', groupInstanceId: null, retentionTimeMs: -1n,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }]
  })
  assert.equal(stale.topics[0]!.partitions[0]!.errorCode, GroupError.STALE_MEMBER_EPOCH)
  await settle()
  const before = h.runtime.activeShards().map((s) => s.durableState())
  h.runtime.close()
  const again = await startHarness({}, { time: h.time, logs: h.logs, topics })
  assert.deepEqual(again.runtime.activeShards().map((s) => s.durableState()), before)
  const [d] = await again.coordinator.consumerGroupDescribe([G])
  assert.equal(d!.members.length, 2)
  const fetched = await again.coordinator.fetchOffsets([{ groupId: G, topics: [{ name: 't', partitionIndexes: [0] }] }])
  assert.equal(fetched[0]!.topics[0]!.partitions[0]!.committedOffset, 42n)
  // Members carry on with their epochs.
  assert.equal((await hb(again, { memberId: 'b', memberEpoch: 2 })).errorCode, 0)
  again.runtime.close()
})

test('an empty classic group becomes a consumer group, and an empty consumer group a classic one', { timeout: 20_000 }, async () => {
  const h = await startHarness({}, { topics })
  // Offsets only ("simple" classic group).
  await h.coordinator.commitOffsets(info, {
    groupId: G, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n,
    topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 7n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }]
  })
  assert.equal(h.coordinator.listGroups().groups[0]!.groupType, 'classic')
  const a = await join(h, 'a')
  assert.equal(a.errorCode, 0)
  assert.deepEqual(h.coordinator.listGroups().groups.map((g) => g.groupType), ['consumer'])
  const fetched = await h.coordinator.fetchOffsets([{ groupId: G, topics: [{ name: 't', partitionIndexes: [1] }] }])
  assert.equal(fetched[0]!.topics[0]!.partitions[0]!.committedOffset, 7n, 'offsets survive the upgrade')
  assert.equal((await hb(h, { memberId: 'a', memberEpoch: -1 })).errorCode, 0)
  const joining = h.coordinator.joinGroup({ ...info, apiVersion: 3 }, {
    groupId: G, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }]
  })
  await advance(h, 0)
  assert.equal((await joining).errorCode, GroupError.NONE)
  assert.deepEqual(h.coordinator.listGroups().groups.map((g) => g.groupType), ['classic'])
  h.runtime.close()
})

test('consumer group offsets expire unless subscribed; an empty group without offsets is deleted', { timeout: 20_000 }, async () => {
  const h = await startHarness({ offsetsRetentionMs: 60_000, consumerSessionTimeoutMs: 600_000 }, { topics })
  const a = await join(h, 'a')
  const commit = async (topic: string): Promise<void> => {
    const r = await h.coordinator.commitOffsets({ ...info, apiVersion: 9 }, {
      groupId: G, generationIdOrMemberEpoch: a.memberEpoch, memberId: 'a', groupInstanceId: null, retentionTimeMs: -1n,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }]
    })
    assert.equal(r.topics[0]!.partitions[0]!.errorCode, 0)
  }
  await commit('t')
  await commit('u')
  await advance(h, 60_001)
  assert.equal(await h.runtime.cleanupNow(), 1, 'only the offset of the topic the group does not subscribe to')
  const fetched = await h.coordinator.fetchOffsets([{ groupId: G, topics: null }])
  assert.deepEqual(fetched[0]!.topics.map((t) => t.name), ['t'])
  assert.equal((await hb(h, { memberId: 'a', memberEpoch: -1 })).errorCode, 0)
  assert.equal(await h.runtime.cleanupNow(), 1)
  assert.equal((await h.coordinator.consumerGroupDescribe([G]))[0]!.errorCode, GroupError.GROUP_ID_NOT_FOUND, 'the empty group is gone')
  assert.deepEqual(h.coordinator.listGroups().groups, [])
  h.runtime.close()
})
