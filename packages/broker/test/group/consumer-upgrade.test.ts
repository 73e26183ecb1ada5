// The online upgrade of a classic group on hand-driven time: members carried over with their
// assignments, the classic members served through JoinGroup/SyncGroup/Heartbeat inside the
// consumer group, the records replaying to the same state, and the refusals.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ConsumerGroupHeartbeatRequest } from '@brook/protocol'
import { decodeAssignment, encodeAssignment } from '../../src/group/consumer-protocol.js'
import { GroupError } from '../../src/group/errors.js'
import { fixedTopics } from '../../src/group/consumer/topics.js'
import { type Harness, advance, formGroup, heartbeat, join, settle, startHarness, sync } from './harness.js'

const T = '6d1b9a3e-0c3f-4e39-9a57-0f6a3e8d0001'
const topics = fixedTopics([{ name: 't', id: T, partitions: 6 }])
const info = { clientId: 'c', clientHost: '/127.0.0.1', apiVersion: 1 }

async function consumerJoin (h: Harness, groupId: string, memberId: string): Promise<Awaited<ReturnType<Harness['coordinator']['consumerGroupHeartbeat']>>> {
  const req: ConsumerGroupHeartbeatRequest = {
    groupId, memberId, memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 10_000,
    subscribedTopicNames: ['t'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: []
  }
  return await h.coordinator.consumerGroupHeartbeat(info, req)
}

async function classicGroup (h: Harness, groupId: string): Promise<{ ids: string[], generation: number }> {
  const ids = [(await join(h, groupId)).memberId, (await join(h, groupId)).memberId]
  const joins = ids.map((memberId) => join(h, groupId, { memberId }))
  await advance(h, 0)
  const results = await Promise.all(joins)
  const generation = results[0]!.generationId
  const leader = results[0]!.leader
  const assignments = ids.map((memberId, i) => ({ memberId, assignment: encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: i === 0 ? [0, 1, 2] : [3, 4, 5] }] }) }))
  await Promise.all(ids.map((memberId) => sync(h, groupId, memberId, generation, memberId === leader ? assignments : [])))
  return { ids, generation }
}

test('a Stable classic group with members is upgraded when a consumer member joins', { timeout: 20_000 }, async () => {
  const h = await startHarness({}, { topics })
  const { ids: [m1, m2], generation } = await classicGroup(h, 'g')
  const k = await consumerJoin(h, 'g', 'k')
  assert.equal(k.errorCode, 0)
  assert.equal(k.memberEpoch, generation + 1)
  assert.deepEqual(k.assignment?.topicPartitions ?? [], [], 'the classic members still own everything')
  assert.deepEqual(h.coordinator.listGroups().groups.map((g) => g.groupType), ['consumer'])
  const [d] = await h.coordinator.consumerGroupDescribe(['g'])
  assert.deepEqual(d!.members.map((m) => m.memberType).sort(), [0, 0, 1])

  // A classic member learns about the new target through its heartbeat and rejoins.
  assert.equal(await heartbeat(h, 'g', m1!, generation), GroupError.REBALANCE_IN_PROGRESS)
  const rejoined = await join(h, 'g', { memberId: m1! })
  assert.equal(rejoined.errorCode, 0)
  assert.equal(rejoined.generationId, generation + 1)
  const synced = await sync(h, 'g', m1!, rejoined.generationId)
  const assigned = decodeAssignment(synced.assignment)?.assignedPartitions.flatMap((tp) => tp.partitions) ?? []
  assert.equal(assigned.length, 2)
  assert.equal(await heartbeat(h, 'g', m1!, rejoined.generationId), GroupError.NONE)
  assert.equal(await heartbeat(h, 'g', m1!, generation), GroupError.ILLEGAL_GENERATION)

  await settle()
  const before = h.runtime.activeShards().map((s) => s.durableState())
  h.runtime.close()
  const again = await startHarness({}, { time: h.time, logs: h.logs, topics })
  assert.deepEqual(again.runtime.activeShards().map((s) => s.durableState()), before, 'the upgrade replays to the same state')
  assert.equal(await heartbeat(again, 'g', m2!, generation), GroupError.REBALANCE_IN_PROGRESS)
  again.runtime.close()
})

test('groups that cannot be upgraded answer GROUP_ID_NOT_FOUND and stay classic', { timeout: 20_000 }, async () => {
  const h = await startHarness({}, { topics })
  // Assignments that are not consumer-protocol bytes.
  const { members, generation } = await formGroup(h, 'opaque', 2)
  assert.equal((await consumerJoin(h, 'opaque', 'k')).errorCode, GroupError.GROUP_ID_NOT_FOUND)
  assert.equal(await heartbeat(h, 'opaque', members[0]!, generation), GroupError.NONE)
  // A group of another protocol type.
  await formGroup(h, 'connect', 1, { protocolType: 'connect' })
  assert.equal((await consumerJoin(h, 'connect', 'k')).errorCode, GroupError.GROUP_ID_NOT_FOUND)
  assert.deepEqual(h.coordinator.listGroups().groups.map((g) => g.groupType).sort(), ['classic', 'classic'])
  h.runtime.close()
})

async function consumerLeave (h: Harness, groupId: string, memberId: string): Promise<number> {
  const req: ConsumerGroupHeartbeatRequest = {
    groupId, memberId, memberEpoch: -1, instanceId: null, rackId: null, rebalanceTimeoutMs: 10_000,
    subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null
  }
  return (await h.coordinator.consumerGroupHeartbeat(info, req)).errorCode
}

test('group.consumer.migration.policy: downgrade and disabled refuse the upgrade; upgrade and bidirectional allow it', { timeout: 20_000 }, async () => {
  for (const policy of ['downgrade', 'disabled'] as const) {
    const h = await startHarness({ consumerMigrationPolicy: policy }, { topics })
    const { ids, generation } = await classicGroup(h, 'g')
    assert.equal((await consumerJoin(h, 'g', 'k')).errorCode, GroupError.GROUP_ID_NOT_FOUND, policy)
    assert.deepEqual(h.coordinator.listGroups().groups.map((g) => g.groupType), ['classic'], policy)
    assert.equal(await heartbeat(h, 'g', ids[0]!, generation), GroupError.NONE, `${policy}: the classic group goes on`)
    h.runtime.close()
  }
  for (const policy of ['upgrade', 'bidirectional'] as const) {
    const h = await startHarness({ consumerMigrationPolicy: policy }, { topics })
    await classicGroup(h, 'g')
    assert.equal((await consumerJoin(h, 'g', 'k')).errorCode, GroupError.NONE, policy)
    assert.deepEqual(h.coordinator.listGroups().groups.map((g) => g.groupType), ['consumer'], policy)
    h.runtime.close()
  }
})

test('when the last consumer-protocol member leaves, bidirectional downgrades to classic and upgrade keeps the consumer group', { timeout: 20_000 }, async () => {
  for (const [policy, expected] of [['bidirectional', 'classic'], ['upgrade', 'consumer']] as const) {
    const h = await startHarness({ consumerMigrationPolicy: policy }, { topics })
    await classicGroup(h, 'g')
    assert.equal((await consumerJoin(h, 'g', 'k')).errorCode, GroupError.NONE)
    assert.equal(await consumerLeave(h, 'g', 'k'), GroupError.NONE)
    assert.deepEqual(h.coordinator.listGroups().groups.map((g) => g.groupType), [expected], policy)
    h.runtime.close()
  }
})
