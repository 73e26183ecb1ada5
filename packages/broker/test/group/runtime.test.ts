import { silentLogger, ManualTime } from '@brook/common'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_GROUP_CONFIG } from '../../src/group/config.js'
import { type CoordinatorLog, MemoryCoordinatorLog } from '../../src/coordinator/log.js'
import { GroupCoordinator } from '../../src/group/coordinator.js'
import { GroupError } from '../../src/group/errors.js'
import { recordCodec } from '../../src/group/record-codec.js'
import { GroupCoordinatorRuntime } from '../../src/group/runtime.js'
import { GroupShard } from '../../src/group/shard.js'
import type { OffsetCommitInput } from '../../src/group/types.js'
import { type Harness, TEST_CONFIG, advance, formGroup, heartbeat, join, settle, startHarness, sync, track } from './harness.js'

const info = { clientId: 'c', clientHost: '/127.0.0.1', apiVersion: 8 }

function commit (groupId: string, topic: string, partition: number, offset: bigint, o: Partial<OffsetCommitInput> = {}): OffsetCommitInput {
  return {
    groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: 1, commitTimestamp: -1n, committedMetadata: `m${offset}` }] }],
    ...o
  }
}

/** The durable state of every shard, keyed by partition (only non-empty ones). */
function durable (h: Harness): Record<number, unknown> {
  const out: Record<number, unknown> = {}
  for (const shard of h.runtime.activeShards()) {
    const state = shard.durableState()
    if (Object.keys(state.groups).length > 0 || Object.keys(state.offsets).length > 0) out[shard.partition] = state
  }
  return out
}

/** A busy history: several groups, rebalances, static replacement, commits, deletes, leaves. */
async function history (h: Harness): Promise<void> {
  const g1 = await formGroup(h, 'orders', 3)
  for (const [i, m] of g1.members.entries()) {
    await h.coordinator.commitOffsets(info, commit('orders', 't', i, BigInt(100 + i), { generationIdOrMemberEpoch: g1.generation, memberId: m }))
  }
  await h.coordinator.leaveGroup('orders', [{ memberId: g1.members[2]!, groupInstanceId: null }])
  const rejoins = g1.members.slice(0, 2).map((memberId) => join(h, 'orders', { memberId }))
  await advance(h, 0)
  const r = await Promise.all(rejoins)
  const leader = r[0]!.leader
  await Promise.all(r.map((x) => sync(h, 'orders', x.memberId, x.generationId,
    x.memberId === leader ? r.map((y) => ({ memberId: y.memberId, assignment: Buffer.from(`new-${y.memberId}`) })) : [])))

  const s1 = track(join(h, 'static', { groupInstanceId: 'i1' }))
  await advance(h, 0)
  const rs = await s1.promise
  await sync(h, 'static', rs.memberId, rs.generationId, [{ memberId: rs.memberId, assignment: Buffer.from('S') }], 'i1')
  await join(h, 'static', { groupInstanceId: 'i1' }) // restart: replaces the member id, persisted

  await h.coordinator.commitOffsets(info, commit('simple', 'a', 0, 5n))
  await h.coordinator.commitOffsets(info, commit('simple', 'a', 1, 6n))
  await h.coordinator.deleteOffsets({ groupId: 'simple', topics: [{ name: 'a', partitions: [{ partitionIndex: 1 }] }] })
  await h.coordinator.commitOffsets(info, commit('doomed', 'a', 0, 1n))
  await h.coordinator.deleteGroups(['doomed'])

  const lone = await formGroup(h, 'emptied', 1)
  await h.coordinator.leaveGroup('emptied', [{ memberId: lone.members[0]!, groupInstanceId: null }])
  await settle()
}

test('replay equivalence: a fresh coordinator loading the log has the same durable state', async () => {
  const h = await startHarness()
  await history(h)
  const before = durable(h)
  assert.ok(Object.keys(before).length > 0)
  const states = Object.values(before).flatMap((s) => Object.values((s as { groups: Record<string, { state: string }> }).groups).map((g) => g.state))
  assert.ok(states.every((s) => s === 'Stable' || s === 'Empty'), 'the history ends quiescent')
  h.runtime.close()

  const reloaded = await startHarness({}, { time: h.time, logs: h.logs })
  assert.deepEqual(durable(reloaded), before)
  // Nothing deleted comes back.
  assert.equal(reloaded.coordinator.listGroups().groups.some((g) => g.groupId === 'doomed'), false)
  const [simple] = await reloaded.coordinator.fetchOffsets([{ groupId: 'simple', topics: null }])
  assert.deepEqual(simple!.topics.flatMap((t) => t.partitions.map((p) => [t.name, p.partitionIndex, p.committedOffset, p.metadata])), [['a', 0, 5n, 'm5']])
})

test('replay equivalence: replaying the same records shard by shard, from bytes, gives the same state', async () => {
  const h = await startHarness()
  await history(h)
  for (const shard of h.runtime.activeShards()) {
    const log = h.logs.get(shard.partition)!
    const fresh = new GroupShard({
      partition: shard.partition, config: TEST_CONFIG, clock: h.time, logger: silentLogger,
      scheduler: { schedule: () => {}, cancel: () => {}, isScheduled: () => false }
    })
    for (const raw of log.records) {
      const record = recordCodec.decode(raw)
      assert.ok(record !== null)
      fresh.replay(record, raw)
    }
    assert.deepEqual(fresh.durableState(), shard.durableState(), `partition ${shard.partition}`)
  }
})

test('after a restart, members of a loaded Stable group keep heartbeating; those that do not are expired', async () => {
  const h = await startHarness()
  const { members: [a, b], generation } = await formGroup(h, 'g', 2, { sessionTimeoutMs: 10000 })
  h.runtime.close()
  const r = await startHarness({}, { time: h.time, logs: h.logs })
  const [d] = await r.coordinator.describeGroups(['g'])
  assert.equal(d!.groupState, 'Stable')
  assert.deepEqual(d!.members.map((m) => m.memberAssignment.toString()).sort(), ['assignment-0', 'assignment-1'])
  for (let i = 0; i < 3; i++) {
    await advance(r, 4000)
    const hb = await heartbeat(r, 'g', a!, generation)
    assert.equal(hb, i < 2 ? GroupError.NONE : GroupError.REBALANCE_IN_PROGRESS)
  }
  assert.equal(await heartbeat(r, 'g', b!, generation), GroupError.UNKNOWN_MEMBER_ID)
  const rejoined = await join(r, 'g', { memberId: a! })
  assert.equal(rejoined.generationId, generation + 1)
})

test('a failed append leaves the state unchanged and answers with an error', async () => {
  const h = await startHarness()
  await h.coordinator.commitOffsets(info, commit('g', 't', 0, 1n))
  const log = h.logs.get(h.runtime.partitionFor('g'))!
  log.failNextAppend = Object.assign(new Error('disk on fire'), { kind: 'KAFKA_STORAGE_ERROR' })
  const failed = await h.coordinator.commitOffsets(info, commit('g', 't', 0, 2n))
  assert.equal(failed.topics[0]!.partitions[0]!.errorCode, GroupError.NOT_COORDINATOR)
  const [f] = await h.coordinator.fetchOffsets([{ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] }])
  assert.equal(f!.topics[0]!.partitions[0]!.committedOffset, 1n)
  const ok = await h.coordinator.commitOffsets(info, commit('g', 't', 0, 3n))
  assert.equal(ok.topics[0]!.partitions[0]!.errorCode, GroupError.NONE)
})

test('a failed append of the leader\'s assignment sends everyone back to rebalance; the group recovers', async () => {
  const h = await startHarness()
  const ids = [(await join(h, 'g')).memberId, (await join(h, 'g')).memberId]
  const joins = ids.map((memberId) => join(h, 'g', { memberId }))
  await advance(h, 0)
  const results = await Promise.all(joins)
  const leader = results[0]!.leader
  const follower = ids.find((id) => id !== leader)!
  const followerSync = track(sync(h, 'g', follower, 1))
  await settle()
  h.logs.get(h.runtime.partitionFor('g'))!.failNextAppend = new Error('fsync failed')
  const leaderSync = await sync(h, 'g', leader, 1, ids.map((memberId) => ({ memberId, assignment: Buffer.from('x') })))
  assert.notEqual(leaderSync.errorCode, GroupError.NONE)
  assert.notEqual((await followerSync.promise).errorCode, GroupError.NONE)
  // Both rejoin and this time it sticks.
  const again = ids.map((memberId) => join(h, 'g', { memberId }))
  await advance(h, 0)
  const r2 = await Promise.all(again)
  assert.ok(r2.every((r) => r.errorCode === GroupError.NONE && r.generationId === 2))
  const l2 = r2[0]!.leader
  const s2 = await Promise.all(ids.map((memberId) => sync(h, 'g', memberId, 2, memberId === l2 ? ids.map((m) => ({ memberId: m, assignment: Buffer.from('y') })) : [])))
  assert.ok(s2.every((s) => s.errorCode === GroupError.NONE && s.assignment.toString() === 'y'))
})

test('COORDINATOR_LOAD_IN_PROGRESS while the partition loads; heartbeats are answered blindly', async () => {
  const time = new ManualTime()
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  const runtime = new GroupCoordinatorRuntime({
    config: { ...DEFAULT_GROUP_CONFIG, offsetsTopicNumPartitions: 1 },
    clock: time,
    timer: time,
    openLog: async (): Promise<CoordinatorLog> => {
      await gate
      return new MemoryCoordinatorLog()
    }
  })
  const coordinator = new GroupCoordinator(runtime)
  const started = runtime.start()
  const j = await coordinator.joinGroup(info, {
    groupId: 'g', memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000
  })
  assert.equal(j.errorCode, GroupError.COORDINATOR_LOAD_IN_PROGRESS)
  assert.equal(await coordinator.heartbeat({ groupId: 'g', memberId: 'm', generationId: 1, groupInstanceId: null }), GroupError.NONE)
  assert.equal((await coordinator.syncGroup({ groupId: 'g', memberId: 'm', generationId: 1, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })).errorCode, GroupError.REBALANCE_IN_PROGRESS)
  assert.equal(coordinator.listGroups().errorCode, GroupError.COORDINATOR_LOAD_IN_PROGRESS)
  release()
  await started
  assert.equal(coordinator.listGroups().errorCode, GroupError.NONE)
  assert.equal((await coordinator.joinGroup(info, {
    groupId: 'g', memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000
  })).errorCode, GroupError.MEMBER_ID_REQUIRED)
  runtime.close()
})

test('a partition that cannot load answers COORDINATOR_NOT_AVAILABLE for its groups only', async () => {
  const time = new ManualTime()
  const runtime = new GroupCoordinatorRuntime({
    config: { ...DEFAULT_GROUP_CONFIG, offsetsTopicNumPartitions: 2 },
    clock: time,
    timer: time,
    openLog: async (p) => {
      if (p === 0) throw new Error('corrupt segment')
      return new MemoryCoordinatorLog()
    }
  })
  await runtime.start()
  const coordinator = new GroupCoordinator(runtime)
  const onFailed = ['a', 'b', 'c', 'd', 'e'].find((g) => runtime.partitionFor(g) === 0)!
  const onGood = ['a', 'b', 'c', 'd', 'e'].find((g) => runtime.partitionFor(g) === 1)!
  assert.equal(await coordinator.heartbeat({ groupId: onFailed, memberId: 'm', generationId: 1, groupInstanceId: null }), GroupError.COORDINATOR_NOT_AVAILABLE)
  assert.equal(await coordinator.heartbeat({ groupId: onGood, memberId: 'm', generationId: 1, groupInstanceId: null }), GroupError.UNKNOWN_MEMBER_ID)
  runtime.close()
})

test('operations on one group are serial; a commit is visible to the fetch queued after it', async () => {
  const h = await startHarness()
  const ops: Array<Promise<unknown>> = []
  for (let i = 0; i < 50; i++) ops.push(h.coordinator.commitOffsets(info, commit('g', 't', 0, BigInt(i))))
  const fetched = h.coordinator.fetchOffsets([{ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] }])
  await Promise.all(ops)
  const [f] = await fetched
  assert.equal(f!.topics[0]!.partitions[0]!.committedOffset, 49n)
  const log = h.logs.get(h.runtime.partitionFor('g'))!
  assert.deepEqual(log.records.map((r) => recordCodec.decode(r)).map((r) => r?.type === 'offset' ? r.value?.committedOffset : undefined),
    Array.from({ length: 50 }, (_, i) => BigInt(i)))
})

test('a new group is persisted at its first join, so it survives a restart before stabilising', async () => {
  const h = await startHarness()
  const first = await join(h, 'fresh')
  assert.equal(first.errorCode, GroupError.MEMBER_ID_REQUIRED)
  h.runtime.close()
  const r = await startHarness({}, { time: h.time, logs: h.logs })
  assert.deepEqual(r.coordinator.listGroups().groups.map((g) => [g.groupId, g.groupState]), [['fresh', 'Empty']])
})

test('lazy start: the first request starts the load and is told to retry; nothing is listed before', async () => {
  const time = new ManualTime()
  const opened: number[] = []
  const runtime = new GroupCoordinatorRuntime({
    config: { ...DEFAULT_GROUP_CONFIG, offsetsTopicNumPartitions: 2 },
    clock: time,
    timer: time,
    openLog: async (p) => {
      opened.push(p)
      return new MemoryCoordinatorLog()
    }
  })
  const coordinator = new GroupCoordinator(runtime)
  assert.deepEqual(coordinator.listGroups(), { errorCode: GroupError.NONE, groups: [] })
  assert.deepEqual(opened, [], 'listing does not create the offsets topic')
  const join = (): Promise<{ errorCode: number }> => coordinator.joinGroup(info, {
    groupId: 'g', memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000
  })
  assert.equal((await join()).errorCode, GroupError.COORDINATOR_LOAD_IN_PROGRESS)
  await settle()
  assert.deepEqual(opened.sort(), [0, 1])
  assert.equal((await join()).errorCode, GroupError.MEMBER_ID_REQUIRED)
  runtime.close()
})
