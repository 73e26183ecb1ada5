// Transactional offsets in the group coordinator (in-memory logs): TxnOffsetCommit appends the
// producer's transactional batch and keeps the offsets pending (invisible; UNSTABLE_OFFSET_COMMIT
// with requireStable), the marker commits or drops them, a reload keeps them pending until a
// marker, and deletes/expiry treat them as Kafka does.
import { silentLogger } from '@brook/common'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { TxnOffsetCommitRequest } from '@brook/protocol'
import { NO_PRODUCER_ID } from '../../src/coordinator/log.js'
import { GroupError } from '../../src/group/errors.js'
import { recordCodec } from '../../src/group/record-codec.js'
import { GroupShard } from '../../src/group/shard.js'
import { type Harness, TEST_CONFIG, advance, formGroup, startHarness } from './harness.js'

function txnCommit (groupId: string, producerId: bigint, offsets: Array<[number, bigint]>, extra: Partial<TxnOffsetCommitRequest> = {}): TxnOffsetCommitRequest {
  return {
    transactionalId: 'tx', groupId, producerId, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null,
    topics: [{ name: 'in', partitions: offsets.map(([partitionIndex, committedOffset]) => ({ partitionIndex, committedOffset, committedLeaderEpoch: 2, committedMetadata: 'm' })) }],
    ...extra
  }
}

/** OffsetFetch of partitions of topic "in": [offset, error] per partition. */
async function fetchIn (h: Harness, groupId: string, partitions: number[], requireStable = false): Promise<Array<[bigint, number]>> {
  const [g] = await h.coordinator.fetchOffsets([{ groupId, topics: [{ name: 'in', partitionIndexes: partitions }], requireStable }])
  return g!.topics[0]!.partitions.map((p) => [p.committedOffset, p.errorCode])
}

async function plainCommit (h: Harness, groupId: string, partition: number, offset: bigint): Promise<void> {
  const r = await h.coordinator.commitOffsets({ clientId: 'c', clientHost: '/127.0.0.1', apiVersion: 8 }, {
    groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n,
    topics: [{ name: 'in', partitions: [{ partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }]
  })
  assert.equal(r.topics[0]!.partitions[0]!.errorCode, GroupError.NONE)
}

const NONE = GroupError.NONE
const UNSTABLE = GroupError.UNSTABLE_OFFSET_COMMIT

test('pending offsets are invisible, UNSTABLE with requireStable; COMMIT makes them committed, ABORT drops them', async () => {
  const h = await startHarness()
  const p = h.runtime.partitionFor('g')
  await plainCommit(h, 'g', 1, 5n)
  const answer = await h.coordinator.commitTransactionalOffsets(txnCommit('g', 7n, [[0, 42n], [1, 43n]]), 2)
  assert.deepEqual(answer, [{ name: 'in', partitions: [{ partitionIndex: 0, errorCode: NONE }, { partitionIndex: 1, errorCode: NONE }] }])
  // Durable at once: the batch is in the log, flagged with the producer.
  assert.deepEqual(h.logs.get(p)!.records.map((r) => r.producerId), [NO_PRODUCER_ID, 7n, 7n])

  assert.deepEqual(await fetchIn(h, 'g', [0, 1, 2]), [[-1n, NONE], [5n, NONE], [-1n, NONE]], 'not visible before the marker')
  assert.deepEqual(await fetchIn(h, 'g', [0, 1, 2], true), [[-1n, UNSTABLE], [-1n, UNSTABLE], [-1n, NONE]])
  const [all] = await h.coordinator.fetchOffsets([{ groupId: 'g', topics: null, requireStable: true }])
  assert.deepEqual(all!.topics, [{ name: 'in', partitions: [{ partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: UNSTABLE }] }])

  assert.equal(await h.coordinator.completeTransaction(p, 7n, 0, 0, true), NONE)
  assert.deepEqual(await fetchIn(h, 'g', [0, 1], true), [[42n, NONE], [43n, NONE]])
  assert.equal(h.logs.get(p)!.entries.at(-1)?.type, 'marker')

  await h.coordinator.commitTransactionalOffsets(txnCommit('g', 7n, [[0, 99n]], { producerEpoch: 1 }), 2)
  assert.equal(await h.coordinator.completeTransaction(p, 7n, 1, 0, false), NONE)
  assert.deepEqual(await fetchIn(h, 'g', [0], true), [[42n, NONE]], 'the aborted offset never shows')
})

test('markers are per producer; a second marker of a finished transaction changes nothing', async () => {
  const h = await startHarness()
  const p = h.runtime.partitionFor('g')
  await h.coordinator.commitTransactionalOffsets(txnCommit('g', 7n, [[0, 10n]]), 2)
  await h.coordinator.commitTransactionalOffsets(txnCommit('g', 8n, [[1, 20n]]), 2)
  assert.equal(await h.coordinator.completeTransaction(p, 8n, 0, 0, true), NONE)
  assert.deepEqual(await fetchIn(h, 'g', [0, 1], true), [[-1n, UNSTABLE], [20n, NONE]])
  assert.equal(await h.coordinator.completeTransaction(p, 7n, 0, 0, false), NONE)
  assert.equal(await h.coordinator.completeTransaction(p, 7n, 0, 0, true), NONE, 'a repeated marker (restart after Prepare) is harmless')
  assert.deepEqual(await fetchIn(h, 'g', [0, 1], true), [[-1n, NONE], [20n, NONE]])
})

test('restart mid-transaction: the offsets load pending; the marker after the restart completes them', async () => {
  const h = await startHarness()
  const p = h.runtime.partitionFor('g')
  await h.coordinator.commitTransactionalOffsets(txnCommit('g', 7n, [[0, 42n]]), 2)
  await h.coordinator.commitTransactionalOffsets(txnCommit('g', 9n, [[1, 77n]]), 2)
  h.runtime.close()

  const r1 = await startHarness({}, { time: h.time, logs: h.logs })
  assert.deepEqual(await fetchIn(r1, 'g', [0, 1], true), [[-1n, UNSTABLE], [-1n, UNSTABLE]])
  assert.equal(await r1.coordinator.completeTransaction(p, 7n, 0, 0, true), NONE)
  assert.equal(await r1.coordinator.completeTransaction(p, 9n, 0, 0, false), NONE)
  assert.deepEqual(await fetchIn(r1, 'g', [0, 1], true), [[42n, NONE], [-1n, NONE]])
  r1.runtime.close()

  const r2 = await startHarness({}, { time: h.time, logs: h.logs })
  assert.deepEqual(await fetchIn(r2, 'g', [0, 1], true), [[42n, NONE], [-1n, NONE]], 'markers replay on load too')
})

test('a newer plain commit wins over an older transactional one; a tombstone drops pending offsets', async () => {
  const h = await startHarness()
  const p = h.runtime.partitionFor('g')
  await h.coordinator.commitTransactionalOffsets(txnCommit('g', 7n, [[0, 10n], [1, 11n]]), 2)
  await plainCommit(h, 'g', 0, 500n)
  assert.equal(await h.coordinator.completeTransaction(p, 7n, 0, 0, true), NONE)
  assert.deepEqual(await fetchIn(h, 'g', [0, 1]), [[500n, NONE], [11n, NONE]])

  await h.coordinator.commitTransactionalOffsets(txnCommit('g', 8n, [[0, 600n], [2, 3n]]), 2)
  const deleted = await h.coordinator.deleteOffsets({ groupId: 'g', topics: [{ name: 'in', partitions: [{ partitionIndex: 0 }, { partitionIndex: 2 }] }] })
  assert.equal(deleted.errorCode, NONE)
  assert.deepEqual(await fetchIn(h, 'g', [0, 2], true), [[-1n, NONE], [-1n, NONE]], 'nothing pending is left behind the tombstones')
  assert.equal(await h.coordinator.completeTransaction(p, 8n, 0, 0, true), NONE)
  assert.deepEqual(await fetchIn(h, 'g', [0, 2]), [[-1n, NONE], [-1n, NONE]])
})

test('DeleteGroups writes tombstones for pending-only partitions; expiry keeps a group with pending offsets', async () => {
  const h = await startHarness({ offsetsRetentionMs: 1000, offsetsRetentionCheckIntervalMs: 500 })
  const p = h.runtime.partitionFor('g')
  await plainCommit(h, 'g', 0, 1n)
  await plainCommit(h, 'g', 1, 1n)
  await h.coordinator.commitTransactionalOffsets(txnCommit('g', 7n, [[0, 2n], [5, 6n]]), 2)
  await h.coordinator.commitTransactionalOffsets(txnCommit('only-pending', 9n, [[0, 2n]]), 2)
  await plainCommit(h, 'gone', 0, 1n)
  for (let i = 0; i < 6; i++) await advance(h, 600)
  // The committed offset of a partition with a pending one does not expire, nor does a group with
  // pending offsets; the others do.
  assert.deepEqual(await fetchIn(h, 'g', [0, 1]), [[1n, NONE], [-1n, NONE]])
  assert.deepEqual(h.coordinator.listGroups().groups.map((g) => g.groupId).sort(), ['g', 'only-pending'])

  const before = h.logs.get(p)!.records.length
  assert.deepEqual(await h.coordinator.deleteGroups(['g']), [{ groupId: 'g', errorCode: NONE }])
  const tombstones = h.logs.get(p)!.records.slice(before).map((r) => recordCodec.decode(r))
  assert.deepEqual(tombstones.map((r) => r?.type === 'offset' ? `${r.partition}:${r.value === null ? 'null' : 'value'}` : `group:${r?.value === null ? 'null' : 'value'}`), ['0:null', '5:null', 'group:null'])
  assert.equal(await h.coordinator.completeTransaction(p, 7n, 0, 0, true), NONE)
  assert.deepEqual(await fetchIn(h, 'g', [0, 5]), [[-1n, NONE], [-1n, NONE]])
})

test('a marker waits for the operations queued on its partition, so it ends the batch sent before it', async () => {
  const h = await startHarness()
  const p = h.runtime.partitionFor('g')
  const other = ['a', 'b', 'c', 'd', 'e', 'f'].find((g) => h.runtime.partitionFor(g) === p)!
  // Not awaited: all are queued before the marker; the transactional commit of g waits behind a
  // plain commit of g, so it has not started when the marker is queued.
  const commits = [
    plainCommit(h, 'g', 3, 1n),
    h.coordinator.commitTransactionalOffsets(txnCommit('g', 7n, [[0, 42n]]), 2),
    h.coordinator.commitTransactionalOffsets(txnCommit(other, 7n, [[0, 43n]]), 2)
  ]
  const marker = h.coordinator.completeTransaction(p, 7n, 0, 0, true)
  const after = h.coordinator.commitTransactionalOffsets(txnCommit('g', 7n, [[1, 44n]]), 2)
  await Promise.all([...commits, marker, after])
  assert.deepEqual(h.logs.get(p)!.entries.map((e) => e.type), ['record', 'record', 'record', 'marker', 'record'])
  assert.deepEqual(await fetchIn(h, 'g', [0, 1], true), [[42n, NONE], [-1n, UNSTABLE]])
  assert.deepEqual(await fetchIn(h, other, [0], true), [[43n, NONE]])
})

test('replaying the log entries into a fresh shard gives the live state, pending offsets included', async () => {
  const h = await startHarness()
  const p = h.runtime.partitionFor('g')
  await plainCommit(h, 'g', 0, 1n)
  await h.coordinator.commitTransactionalOffsets(txnCommit('g', 7n, [[0, 2n], [1, 3n]]), 2)
  await h.coordinator.commitTransactionalOffsets(txnCommit('g', 8n, [[1, 4n]]), 2)
  await h.coordinator.completeTransaction(p, 7n, 0, 0, true)
  await h.coordinator.commitTransactionalOffsets(txnCommit('g', 7n, [[2, 5n]], { producerEpoch: 1 }), 2)
  const live = h.runtime.activeShards().find((s) => s.partition === p)!
  const fresh = new GroupShard({
    partition: p, config: TEST_CONFIG, clock: h.time, logger: silentLogger,
    scheduler: { schedule: () => {}, cancel: () => {}, isScheduled: () => false }
  })
  for (const entry of h.logs.get(p)!.entries) {
    if (entry.type === 'marker') fresh.replayEndTransaction(entry.producerId, entry.commit)
    else fresh.replay(recordCodec.decode(entry.record)!, entry)
  }
  const state = fresh.durableState()
  assert.deepEqual(state, live.durableState())
  assert.deepEqual(Object.keys(state.pending).sort(), ['7/g/in/2', '8/g/in/1'])
  assert.deepEqual(Object.entries(state.offsets).map(([k, o]) => [k, o.committedOffset]), [['g/in/0', '2'], ['g/in/1', '3']])
})

test('TxnOffsetCommit v3 checks member and generation only when given; "" is not a group', async () => {
  const h = await startHarness()
  const { members, generation } = await formGroup(h, 'live', 1)
  const member = members[0] as string
  const code = async (extra: Partial<TxnOffsetCommitRequest>, version = 3, groupId = 'live'): Promise<number | undefined> =>
    (await h.coordinator.commitTransactionalOffsets(txnCommit(groupId, 3n, [[0, 1n]], extra), version))[0]?.partitions[0]?.errorCode
  assert.equal(await code({ memberId: member, generationId: generation }), NONE)
  assert.equal(await code({}), NONE, 'no membership fields: accepted although the group has members')
  assert.equal(await code({ memberId: member, generationId: generation + 1 }), GroupError.ILLEGAL_GENERATION)
  assert.equal(await code({ memberId: 'stranger', generationId: generation }), GroupError.UNKNOWN_MEMBER_ID)
  assert.equal(await code({ memberId: 'stranger', generationId: generation }, 2), NONE, 'v0-2 carry no membership')
  assert.equal(await code({ memberId: '', generationId: 5 }), GroupError.UNKNOWN_MEMBER_ID, 'the member is checked first, as Kafka')
  assert.equal(await code({ generationId: 1 }, 3, 'unknown'), GroupError.ILLEGAL_GENERATION)
  assert.equal(await code({}, 3, ''), GroupError.INVALID_GROUP_ID)
  assert.equal(await code({ topics: [{ name: 'in', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: 'x'.repeat(5000) }] }] }),
    GroupError.OFFSET_METADATA_TOO_LARGE)
})

test('marker failures: loading and storage errors are retried by the caller; producer-state refusals pass through', async () => {
  const h = await startHarness()
  const p = h.runtime.partitionFor('g')
  assert.equal(await h.coordinator.completeTransaction(99, 7n, 0, 0, true), GroupError.UNKNOWN_TOPIC_OR_PARTITION)
  await h.coordinator.commitTransactionalOffsets(txnCommit('g', 7n, [[0, 42n]]), 2)
  const log = h.logs.get(p)!
  log.failNextAppend = Object.assign(new Error('disk on fire'), { kind: 'KAFKA_STORAGE_ERROR' })
  assert.equal(await h.coordinator.completeTransaction(p, 7n, 0, 0, true), GroupError.NOT_COORDINATOR)
  assert.deepEqual(await fetchIn(h, 'g', [0], true), [[-1n, UNSTABLE]], 'still pending')
  log.failNextAppend = Object.assign(new Error('old epoch'), { kind: 'INVALID_PRODUCER_EPOCH' })
  assert.equal(await h.coordinator.completeTransaction(p, 7n, 0, 0, true), GroupError.INVALID_PRODUCER_EPOCH)
  log.failNextAppend = Object.assign(new Error('old epoch'), { kind: 'INVALID_PRODUCER_EPOCH' })
  const fenced = await h.coordinator.commitTransactionalOffsets(txnCommit('g', 7n, [[1, 1n]]), 2)
  assert.equal(fenced[0]?.partitions[0]?.errorCode, GroupError.INVALID_PRODUCER_EPOCH)
  assert.equal(await h.coordinator.completeTransaction(p, 7n, 0, 0, true), NONE)
  assert.deepEqual(await fetchIn(h, 'g', [0, 1], true), [[42n, NONE], [-1n, NONE]])
})
