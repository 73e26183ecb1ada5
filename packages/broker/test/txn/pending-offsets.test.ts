// Transactional offsets over the group coordinator's runtime (in-memory logs): pending until the
// marker, committed as ordinary offset records on COMMIT (so they survive a reload), dropped on
// ABORT, and TxnOffsetCommit v3 checks membership as Kafka does.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, type TxnOffsetCommitRequest } from '@brook/protocol'
import { PendingTransactionalOffsets } from '../../src/txn/pending-offsets.js'
import { formGroup, startHarness } from '../group/harness.js'
import { silent } from './harness.js'

function request (groupId: string, producerId: bigint, offset: bigint, extra: Partial<TxnOffsetCommitRequest> = {}): TxnOffsetCommitRequest {
  return {
    transactionalId: 'tx', groupId, producerId, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null,
    topics: [{ name: 'in', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: 'm' }] }],
    ...extra
  }
}

async function committed (h: Awaited<ReturnType<typeof startHarness>>, groupId: string): Promise<bigint | undefined> {
  const [g] = await h.coordinator.fetchOffsets([{ groupId, topics: [{ name: 'in', partitionIndexes: [0] }] }])
  return g?.topics[0]?.partitions[0]?.committedOffset
}

test('pending until the COMMIT marker, dropped by ABORT, durable once committed', async () => {
  const h = await startHarness()
  const offsets = new PendingTransactionalOffsets(h.coordinator, silent)
  const partition = h.runtime.partitionFor('g')
  const answer = await offsets.commitTransactionalOffsets(request('g', 7n, 42n), 2)
  assert.deepEqual(answer, [{ name: 'in', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }] }])
  assert.equal(offsets.pendingCount(partition, 7n), 1)
  assert.equal(await committed(h, 'g'), -1n, 'not visible before the marker')
  assert.equal(await offsets.completeTransaction(partition, 7n, 0, 0, true), ErrorCode.NONE)
  assert.equal(await committed(h, 'g'), 42n)
  assert.equal(offsets.pendingCount(partition, 7n), 0)

  await offsets.commitTransactionalOffsets(request('g', 7n, 99n), 2)
  assert.equal(await offsets.completeTransaction(partition, 7n, 1, 0, false), ErrorCode.NONE)
  assert.equal(await committed(h, 'g'), 42n, 'the aborted offset never shows')
  // Another producer's marker does not touch this producer's offsets.
  await offsets.commitTransactionalOffsets(request('g', 7n, 50n), 2)
  await offsets.completeTransaction(partition, 8n, 0, 0, true)
  assert.equal(await committed(h, 'g'), 42n)

  const reloaded = await startHarness({}, { logs: h.logs, time: h.time })
  assert.equal(await committed(reloaded, 'g'), 42n, 'committed offsets are ordinary records of the log')
})

test('TxnOffsetCommit v3 checks the member and generation of a live group', async () => {
  const h = await startHarness()
  const offsets = new PendingTransactionalOffsets(h.coordinator, silent)
  const { members, generation } = await formGroup(h, 'live', 1)
  const member = members[0] as string
  const code = async (extra: Partial<TxnOffsetCommitRequest>, version = 3): Promise<number | undefined> =>
    (await offsets.commitTransactionalOffsets(request('live', 3n, 1n, extra), version))[0]?.partitions[0]?.errorCode
  assert.equal(await code({ memberId: member, generationId: generation }), ErrorCode.NONE)
  assert.equal(await code({ memberId: member, generationId: generation + 1 }), ErrorCode.ILLEGAL_GENERATION)
  assert.equal(await code({ memberId: 'stranger', generationId: generation }), ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal(await code({ memberId: 'stranger', generationId: generation }, 2), ErrorCode.NONE, 'v0-2 carry no membership')
  assert.equal(await code({ memberId: '', generationId: 5 }), ErrorCode.UNKNOWN_MEMBER_ID, 'the member is checked first, as Kafka')
  assert.equal(await code({ topics: [{ name: 'in', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: 'x'.repeat(5000) }] }] }),
    ErrorCode.OFFSET_METADATA_TOO_LARGE)
})
