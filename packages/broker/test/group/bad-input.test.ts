import { test } from 'node:test'
import assert from 'node:assert/strict'
import { prng } from '@brook/common'
import { GroupError } from '../../src/group/errors.js'
import type { JoinGroupResult } from '../../src/group/types.js'
import { type Harness, advance, consumerProtocols, formGroup, heartbeat, join, settle, startHarness, sync, track } from './harness.js'

async function assertGroupUsable (h: Harness, groupId: string): Promise<void> {
  // Whatever happened before, a well-behaved client can still form the group and consume.
  const { members: [a], generation } = await formGroup(h, groupId, 1, { sessionTimeoutMs: 60000, rebalanceTimeoutMs: 60000 })
  assert.equal(await heartbeat(h, groupId, a!, generation), GroupError.NONE)
  const [d] = await h.coordinator.describeGroups([groupId])
  assert.equal(d!.groupState, 'Stable')
  assert.deepEqual(d!.members.map((m) => m.memberId), [a])
}

test('odd inputs get errors, never exceptions', async () => {
  const h = await startHarness()
  assert.equal((await join(h, '')).errorCode, GroupError.INVALID_GROUP_ID)
  assert.equal((await sync(h, '', 'm', 1)).errorCode, GroupError.INVALID_GROUP_ID)
  assert.equal(await heartbeat(h, '', 'm', 1), GroupError.INVALID_GROUP_ID)
  assert.equal((await h.coordinator.leaveGroup('', [])).errorCode, GroupError.INVALID_GROUP_ID)
  assert.equal((await join(h, 'g', { protocolType: 'x'.repeat(1000), protocols: [] })).errorCode, GroupError.INCONSISTENT_GROUP_PROTOCOL)
  assert.equal((await join(h, 'g', { memberId: 'made-up' })).errorCode, GroupError.UNKNOWN_MEMBER_ID)
  assert.equal((await join(h, 'g', { sessionTimeoutMs: -1 })).errorCode, GroupError.INVALID_SESSION_TIMEOUT)
  // A negative rebalance timeout is floored at the session timeout instead of completing instantly.
  const neg = await join(h, 'neg', { rebalanceTimeoutMs: -1 })
  const parked = track(join(h, 'neg', { memberId: neg.memberId, rebalanceTimeoutMs: -1 }))
  await advance(h, 0)
  assert.equal((await parked.promise).errorCode, GroupError.NONE)
  // Duplicate protocol names count once.
  const dup = consumerProtocols(['t'], ['range', 'range', 'range'])
  const d0 = await join(h, 'dup', { protocols: dup })
  const d1 = track(join(h, 'dup', { memberId: d0.memberId, protocols: dup }))
  await advance(h, 0)
  assert.equal((await d1.promise).protocolName, 'range')
  // Garbage subscription bytes are opaque to the broker: the group still works.
  const junk = [{ name: 'range', metadata: Buffer.from('not a consumer subscription') }]
  const j0 = await join(h, 'junk', { protocols: junk })
  const j1 = track(join(h, 'junk', { memberId: j0.memberId, protocols: junk }))
  await advance(h, 0)
  const rj = await j1.promise
  assert.equal(rj.members[0]!.metadata.toString(), 'not a consumer subscription')
  const [desc] = await h.coordinator.describeGroups(['junk'])
  assert.equal(desc!.groupState, 'CompletingRebalance')
})

test('huge metadata and assignments are carried and persisted', async () => {
  const h = await startHarness()
  const big = Buffer.alloc(1024 * 1024, 7)
  const protocols = [{ name: 'range', metadata: big }]
  const first = await join(h, 'big', { protocols })
  const joined = track(join(h, 'big', { memberId: first.memberId, protocols }))
  await advance(h, 0)
  const r = await joined.promise
  assert.equal(r.members[0]!.metadata.length, big.length)
  const s = await sync(h, 'big', r.memberId, r.generationId, [{ memberId: r.memberId, assignment: big }])
  assert.equal(s.assignment.length, big.length)
  h.runtime.close()
  const reloaded = await startHarness({}, { time: h.time, logs: h.logs })
  const [d] = await reloaded.coordinator.describeGroups(['big'])
  assert.equal(d!.members[0]!.memberAssignment.length, big.length)
})

test('stale generations, unknown members and fenced ids in a stable group change nothing', async () => {
  const h = await startHarness()
  const { members, generation } = await formGroup(h, 'g', 3)
  for (let i = 0; i < 50; i++) {
    assert.equal(await heartbeat(h, 'g', members[i % 3]!, generation - 1 - i), GroupError.ILLEGAL_GENERATION)
    assert.equal((await sync(h, 'g', `ghost-${i}`, generation)).errorCode, GroupError.UNKNOWN_MEMBER_ID)
  }
  const [d] = await h.coordinator.describeGroups(['g'])
  assert.equal(d!.groupState, 'Stable')
  assert.equal(d!.members.length, 3)
})

test('a storm of random joins, syncs, heartbeats and leaves never wedges a group', async () => {
  const h = await startHarness()
  const random = prng(20240601)
  const known: string[] = []
  const pending: Array<Promise<unknown>> = []
  const generations = [0, 1, 2, 3]
  for (let step = 0; step < 600; step++) {
    const pick = random()
    const memberId = known.length > 0 && random() < 0.8 ? known[Math.floor(random() * known.length)]! : ''
    const generation = generations[Math.floor(random() * generations.length)]!
    const apiVersion = Math.floor(random() * 10)
    if (pick < 0.35) {
      const protocols = random() < 0.1 ? consumerProtocols(['t'], ['other']) : consumerProtocols(random() < 0.5 ? ['t'] : ['t', 'u'])
      const p = join(h, 'storm', {
        memberId, apiVersion, protocols,
        groupInstanceId: random() < 0.2 ? `inst-${Math.floor(random() * 3)}` : null,
        sessionTimeoutMs: 1000 + Math.floor(random() * 20000),
        rebalanceTimeoutMs: 1000 + Math.floor(random() * 20000)
      }).then((r: JoinGroupResult) => {
        if (r.memberId !== '' && !known.includes(r.memberId)) known.push(r.memberId)
        if (r.generationId > 0 && !generations.includes(r.generationId)) generations.push(r.generationId)
        return r
      })
      pending.push(p)
    } else if (pick < 0.55) {
      pending.push(sync(h, 'storm', memberId, generation, known.slice(0, 3).map((m) => ({ memberId: m, assignment: Buffer.from('a') }))))
    } else if (pick < 0.8) {
      pending.push(heartbeat(h, 'storm', memberId, generation))
    } else if (pick < 0.9) {
      pending.push(h.coordinator.leaveGroup('storm', [{ memberId, groupInstanceId: random() < 0.3 ? 'inst-1' : null }]))
    } else {
      pending.push(h.coordinator.commitOffsets({ clientId: 'c', clientHost: 'h', apiVersion }, {
        groupId: 'storm', generationIdOrMemberEpoch: generation, memberId, groupInstanceId: null, retentionTimeMs: -1n,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: BigInt(step), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }]
      }))
    }
    if (step % 25 === 0) await advance(h, Math.floor(random() * 3000))
  }
  // Let every timeout run out: each parked request must be answered.
  for (let i = 0; i < 40; i++) await advance(h, 30000)
  const outcomes = await Promise.allSettled(pending)
  assert.ok(outcomes.every((o) => o.status === 'fulfilled'), 'no operation rejected')
  assert.ok(known.length > 20, `the storm got members in (${known.length})`)
  const generation = h.runtime.activeShards().find((s) => s.groups.has('storm'))?.groups.get('storm')?.generationId ?? 0
  assert.ok(generation > 3, `and went through generations (${generation})`)
  await settle()
  const [d] = await h.coordinator.describeGroups(['storm'])
  assert.ok(['Empty', 'Stable', 'Dead'].includes(d!.groupState), `settled in ${d!.groupState}`)
  await h.coordinator.leaveGroup('storm', d!.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId })))
  await advance(h, 30000)
  await assertGroupUsable(h, 'storm')
})

test('many members joining and leaving at once converge to one stable generation', async () => {
  const h = await startHarness()
  const ids: string[] = []
  for (let i = 0; i < 100; i++) ids.push((await join(h, 'crowd')).memberId)
  const joins = ids.map((memberId) => join(h, 'crowd', { memberId }))
  // Half of them leave while the join phase is still open.
  const leaving = ids.filter((_, i) => i % 2 === 1)
  await h.coordinator.leaveGroup('crowd', leaving.map((memberId) => ({ memberId, groupInstanceId: null })))
  await advance(h, 0)
  const results = await Promise.all(joins)
  const stayed = results.filter((r) => r.errorCode === GroupError.NONE)
  assert.equal(stayed.length, 50)
  assert.ok(stayed.every((r) => r.generationId === 1))
  const leader = stayed[0]!.leader
  assert.equal(stayed.find((r) => r.memberId === leader)!.members.length, 50)
  const left = results.filter((r) => r.errorCode !== GroupError.NONE)
  assert.ok(left.every((r) => r.errorCode === GroupError.UNKNOWN_MEMBER_ID))
  const syncs = await Promise.all(stayed.map((r) => sync(h, 'crowd', r.memberId, 1,
    r.memberId === leader ? stayed.map((s) => ({ memberId: s.memberId, assignment: Buffer.from(s.memberId) })) : [])))
  assert.ok(syncs.every((s, i) => s.errorCode === GroupError.NONE && s.assignment.toString() === stayed[i]!.memberId))
})
