import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GroupError } from '../../src/group/errors.js'
import type { OffsetCommitInput, RequestInfo } from '../../src/group/types.js'
import { type Harness, advance, consumerProtocols, formGroup, heartbeat, join, settle, startHarness, sync } from './harness.js'

const info = (apiVersion = 8): RequestInfo => ({ clientId: 'c', clientHost: '/127.0.0.1', apiVersion })

function commitInput (groupId: string, entries: Array<[string, number, bigint, string | null]>, o: Partial<OffsetCommitInput> = {}): OffsetCommitInput {
  const topics = new Map<string, OffsetCommitInput['topics'][number]>()
  for (const [topic, partition, offset, metadata] of entries) {
    let t = topics.get(topic)
    if (t === undefined) {
      t = { name: topic, partitions: [] }
      topics.set(topic, t)
    }
    t.partitions.push({ partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: 3, commitTimestamp: -1n, committedMetadata: metadata })
  }
  return { groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n, topics: [...topics.values()], ...o }
}

async function fetchOne (h: Harness, groupId: string, topic: string, partition: number): Promise<{ offset: bigint, metadata: string | null, epoch: number }> {
  const [g] = await h.coordinator.fetchOffsets([{ groupId, topics: [{ name: topic, partitionIndexes: [partition] }] }])
  const p = g!.topics[0]!.partitions[0]!
  return { offset: p.committedOffset, metadata: p.metadata, epoch: p.committedLeaderEpoch }
}

test('a commit without membership (generation -1) creates a simple group; metadata comes back byte-equal', async () => {
  const h = await startHarness()
  const metadata = 'état: ☃ \u0000 end'
  const r = await h.coordinator.commitOffsets(info(), commitInput('simple', [['t', 0, 42n, metadata], ['t', 1, 7n, null]]))
  assert.deepEqual(r.topics[0]!.partitions.map((p) => p.errorCode), [GroupError.NONE, GroupError.NONE])
  assert.deepEqual(await fetchOne(h, 'simple', 't', 0), { offset: 42n, metadata, epoch: 3 })
  assert.deepEqual(await fetchOne(h, 'simple', 't', 1), { offset: 7n, metadata: '', epoch: 3 })
  assert.deepEqual(await fetchOne(h, 'simple', 't', 2), { offset: -1n, metadata: '', epoch: -1 })
  const listed = h.coordinator.listGroups()
  assert.deepEqual(listed.groups.map((g) => [g.groupId, g.protocolType, g.groupState]), [['simple', '', 'Empty']])
})

test('OffsetFetch with topics null returns every committed partition; unknown groups return -1', async () => {
  const h = await startHarness()
  await h.coordinator.commitOffsets(info(), commitInput('g', [['a', 0, 1n, 'x'], ['a', 3, 4n, 'y'], ['b', 0, 9n, '']]))
  const [all, unknown, unknownAll] = await h.coordinator.fetchOffsets([
    { groupId: 'g', topics: null },
    { groupId: 'nobody', topics: [{ name: 'a', partitionIndexes: [0, 1] }] },
    { groupId: 'nobody', topics: null }
  ])
  const flat = all!.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}=${p.committedOffset}`)).sort()
  assert.deepEqual(flat, ['a-0=1', 'a-3=4', 'b-0=9'])
  assert.deepEqual(unknown!.topics[0]!.partitions.map((p) => p.committedOffset), [-1n, -1n])
  assert.equal(unknown!.errorCode, GroupError.NONE)
  assert.deepEqual(unknownAll!.topics, [])
})

test('commits from members are checked against membership and generation', async () => {
  const h = await startHarness()
  const { members: [a], generation } = await formGroup(h, 'g', 1)
  const asMember = (gen: number, memberId: string): OffsetCommitInput =>
    commitInput('g', [['t', 0, 10n, 'm']], { generationIdOrMemberEpoch: gen, memberId })
  assert.equal((await h.coordinator.commitOffsets(info(), asMember(generation, a!))).topics[0]!.partitions[0]!.errorCode, GroupError.NONE)
  assert.equal((await h.coordinator.commitOffsets(info(), asMember(generation + 1, a!))).topics[0]!.partitions[0]!.errorCode, GroupError.ILLEGAL_GENERATION)
  assert.equal((await h.coordinator.commitOffsets(info(), asMember(generation, 'stranger'))).topics[0]!.partitions[0]!.errorCode, GroupError.UNKNOWN_MEMBER_ID)
  // No member id and no generation while the group has members.
  assert.equal((await h.coordinator.commitOffsets(info(), asMember(-1, ''))).topics[0]!.partitions[0]!.errorCode, GroupError.UNKNOWN_MEMBER_ID)
  // Unknown group with a generation: ILLEGAL_GENERATION before v9, GROUP_ID_NOT_FOUND from v9.
  const ghost = commitInput('ghost', [['t', 0, 1n, null]], { generationIdOrMemberEpoch: 1, memberId: 'm' })
  assert.equal((await h.coordinator.commitOffsets(info(8), ghost)).topics[0]!.partitions[0]!.errorCode, GroupError.ILLEGAL_GENERATION)
  assert.equal((await h.coordinator.commitOffsets(info(9), ghost)).topics[0]!.partitions[0]!.errorCode, GroupError.GROUP_ID_NOT_FOUND)
  assert.equal((await fetchOne(h, 'g', 't', 0)).offset, 10n)
})

test('commits during CompletingRebalance get REBALANCE_IN_PROGRESS', async () => {
  const h = await startHarness()
  const first = await join(h, 'g')
  const joined = join(h, 'g', { memberId: first.memberId })
  await advance(h, 0)
  const r = await joined
  const c = await h.coordinator.commitOffsets(info(), commitInput('g', [['t', 0, 1n, null]], { generationIdOrMemberEpoch: r.generationId, memberId: r.memberId }))
  assert.equal(c.topics[0]!.partitions[0]!.errorCode, GroupError.REBALANCE_IN_PROGRESS)
})

test('metadata longer than offset.metadata.max.bytes fails only that partition', async () => {
  const h = await startHarness({ offsetMetadataMaxBytes: 10 })
  const r = await h.coordinator.commitOffsets(info(), commitInput('g', [['t', 0, 1n, 'x'.repeat(11)], ['t', 1, 2n, 'x'.repeat(10)]]))
  assert.deepEqual(r.topics[0]!.partitions.map((p) => p.errorCode), [GroupError.OFFSET_METADATA_TOO_LARGE, GroupError.NONE])
  assert.equal((await fetchOne(h, 'g', 't', 0)).offset, -1n)
  assert.equal((await fetchOne(h, 'g', 't', 1)).offset, 2n)
})

test('OffsetDelete: refused for a subscribed topic of an active consumer group, allowed otherwise', async () => {
  const h = await startHarness()
  const { members: [a], generation } = await formGroup(h, 'g', 1, { protocols: consumerProtocols(['t']) })
  await h.coordinator.commitOffsets(info(), commitInput('g', [['t', 0, 5n, null], ['old', 0, 6n, null]], { generationIdOrMemberEpoch: generation, memberId: a! }))
  const r = await h.coordinator.deleteOffsets({ groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }, { name: 'old', partitions: [{ partitionIndex: 0 }] }] })
  assert.equal(r.errorCode, GroupError.NONE)
  assert.deepEqual(r.topics.map((t) => t.partitions[0]!.errorCode), [GroupError.GROUP_SUBSCRIBED_TO_TOPIC, GroupError.NONE])
  assert.equal((await fetchOne(h, 'g', 't', 0)).offset, 5n)
  assert.equal((await fetchOne(h, 'g', 'old', 0)).offset, -1n)
  assert.equal((await h.coordinator.deleteOffsets({ groupId: 'missing', topics: [] })).errorCode, GroupError.GROUP_ID_NOT_FOUND)
  // A non-consumer protocol group with members: NON_EMPTY_GROUP.
  await formGroup(h, 'connect', 1, { protocolType: 'connect' })
  assert.equal((await h.coordinator.deleteOffsets({ groupId: 'connect', topics: [] })).errorCode, GroupError.NON_EMPTY_GROUP)
})

test('DeleteGroups: only Empty groups; deletion removes the group and its offsets', async () => {
  const h = await startHarness()
  const { members: [a], generation } = await formGroup(h, 'busy', 1)
  await h.coordinator.commitOffsets(info(), commitInput('idle', [['t', 0, 3n, null]]))
  await h.coordinator.commitOffsets(info(), commitInput('busy', [['t', 0, 4n, null]], { generationIdOrMemberEpoch: generation, memberId: a! }))
  const results = await h.coordinator.deleteGroups(['busy', 'idle', 'missing'])
  assert.deepEqual(results, [
    { groupId: 'busy', errorCode: GroupError.NON_EMPTY_GROUP },
    { groupId: 'idle', errorCode: GroupError.NONE },
    { groupId: 'missing', errorCode: GroupError.GROUP_ID_NOT_FOUND }
  ])
  assert.equal((await fetchOne(h, 'idle', 't', 0)).offset, -1n)
  assert.equal((await fetchOne(h, 'busy', 't', 0)).offset, 4n)
  assert.deepEqual(h.coordinator.listGroups().groups.map((g) => g.groupId), ['busy'])
  const [described] = await h.coordinator.describeGroups(['idle'])
  assert.equal(described!.groupState, 'Dead')
  assert.equal(described!.errorCode, GroupError.NONE)
})

test('offsets of an Empty group expire offsets.retention after it became Empty; then the group is deleted', async () => {
  const retention = 60_000
  const h = await startHarness({ offsetsRetentionMs: retention, offsetsRetentionCheckIntervalMs: 10_000 })
  const { members: [a], generation } = await formGroup(h, 'g', 1)
  await h.coordinator.commitOffsets(info(), commitInput('g', [['t', 0, 8n, null]], { generationIdOrMemberEpoch: generation, memberId: a! }))
  for (let t = 0; t < 2 * retention; t += 5000) {
    await advance(h, 5000)
    assert.equal(await heartbeat(h, 'g', a!, generation), GroupError.NONE)
  }
  // Stable and subscribed to the topic: nothing expires, however old the commit.
  assert.equal((await fetchOne(h, 'g', 't', 0)).offset, 8n)
  await h.coordinator.leaveGroup('g', [{ memberId: a!, groupInstanceId: null }])
  await advance(h, retention - 10_000)
  assert.equal((await fetchOne(h, 'g', 't', 0)).offset, 8n, 'not yet expired')
  await advance(h, 20_000)
  assert.equal((await fetchOne(h, 'g', 't', 0)).offset, -1n, 'expired')
  assert.deepEqual(h.coordinator.listGroups().groups, [], 'the Empty group without offsets is gone')
})

test('an explicit retention time (OffsetCommit v2-v4) sets the expiry of a simple group\'s offsets', async () => {
  const h = await startHarness({ offsetsRetentionMs: 10 * 60_000, offsetsRetentionCheckIntervalMs: 1000 })
  await h.coordinator.commitOffsets(info(2), commitInput('g', [['t', 0, 1n, null]], { retentionTimeMs: 5000n }))
  await h.coordinator.commitOffsets(info(2), commitInput('g', [['t', 1, 2n, null]]))
  await advance(h, 6000)
  assert.equal((await fetchOne(h, 'g', 't', 0)).offset, -1n)
  assert.equal((await fetchOne(h, 'g', 't', 1)).offset, 2n)
  await settle()
})

test('a commit keeps the committing member alive (it counts as a heartbeat)', async () => {
  const h = await startHarness()
  const { members: [a], generation } = await formGroup(h, 'g', 1, { sessionTimeoutMs: 10000 })
  for (let i = 0; i < 4; i++) {
    await advance(h, 6000)
    const r = await h.coordinator.commitOffsets(info(), commitInput('g', [['t', 0, BigInt(i), null]], { generationIdOrMemberEpoch: generation, memberId: a! }))
    assert.equal(r.topics[0]!.partitions[0]!.errorCode, GroupError.NONE)
  }
  const [d] = await h.coordinator.describeGroups(['g'])
  assert.equal(d!.groupState, 'Stable')
  assert.equal((await sync(h, 'g', a!, generation)).errorCode, GroupError.NONE)
})
