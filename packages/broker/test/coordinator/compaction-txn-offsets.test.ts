// __consumer_offsets compaction and transactional offsets, on real partition logs: an aborted
// TxnOffsetCommit written after a committed one must not take the committed offset with it when
// the partition is cleaned and loaded again.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { defaultLogConfig, MemoryFileSystem, LogManager, type LogConfig } from '@brook/storage'
import type { TxnOffsetCommitRequest } from '@brook/protocol'
import { OFFSETS_TOPIC } from '../../src/group/config.js'
import { GroupCoordinator } from '../../src/group/coordinator.js'
import { GroupError } from '../../src/group/errors.js'
import { PartitionCoordinatorLog, partitionLogAsLeader } from '../../src/coordinator/partition-log.js'
import { GroupCoordinatorRuntime } from '../../src/group/runtime.js'
import { ManualTime } from '@brook/common'
import { TEST_CONFIG, type Harness } from '../group/harness.js'

const COMPACTED: LogConfig = { ...defaultLogConfig, cleanupPolicy: ['compact'], segmentBytes: 4096, minCleanableDirtyRatio: 0.01 }

async function openStack (fs: MemoryFileSystem, time: ManualTime): Promise<{ h: Harness, logs: LogManager }> {
  const logs = new LogManager({ fs, logDirs: ['/data'], defaults: COMPACTED, scheduler: false, clock: () => time.now() })
  await logs.open()
  const runtime = new GroupCoordinatorRuntime({
    config: { ...TEST_CONFIG, offsetsRetentionMs: 365 * 24 * 3600 * 1000 },
    clock: time,
    timer: time,
    openLog: async (p) => new PartitionCoordinatorLog(partitionLogAsLeader(await logs.createOrGetLog(OFFSETS_TOPIC, p, COMPACTED)))
  })
  await runtime.start()
  return { h: { time, logs: new Map(), runtime, coordinator: new GroupCoordinator(runtime) }, logs }
}

const txn = (offset: bigint, producerEpoch: number): TxnOffsetCommitRequest => ({
  transactionalId: 'tx', groupId: 'g', producerId: 4000n, producerEpoch, generationId: -1, memberId: '', groupInstanceId: null,
  topics: [{ name: 'in', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' }] }]
})

async function fetchOffset (h: Harness): Promise<[bigint, number] | undefined> {
  const [g] = await h.coordinator.fetchOffsets([{ groupId: 'g', topics: [{ name: 'in', partitionIndexes: [0] }], requireStable: true }])
  const p = g?.topics[0]?.partitions[0]
  return p === undefined ? undefined : [p.committedOffset, p.errorCode]
}

test('an aborted TxnOffsetCommit after a committed one: compaction and a reload keep the committed offset', async () => {
  const fs = new MemoryFileSystem()
  const time = new ManualTime()
  const first = await openStack(fs, time)
  const partition = first.h.runtime.partitionFor('g')
  assert.equal((await first.h.coordinator.commitTransactionalOffsets(txn(42n, 0), 3))[0]?.partitions[0]?.errorCode, GroupError.NONE)
  assert.equal(await first.h.coordinator.completeTransaction(partition, 4000n, 0, 0, true), GroupError.NONE)
  assert.equal((await first.h.coordinator.commitTransactionalOffsets(txn(99n, 1), 3))[0]?.partitions[0]?.errorCode, GroupError.NONE)
  assert.equal(await first.h.coordinator.completeTransaction(partition, 4000n, 1, 0, false), GroupError.NONE)
  assert.deepEqual(await fetchOffset(first.h), [42n, GroupError.NONE])
  // Other groups' commits on the same partition fill segments, so the transactional records get cleaned.
  const other = ['a', 'b', 'c', 'd', 'e', 'f', 'h', 'i', 'j', 'k'].find((g) => first.h.runtime.partitionFor(g) === partition)
  assert.ok(other !== undefined)
  for (let i = 0; i < 120; i++) {
    await first.h.coordinator.commitOffsets({ clientId: 'c', clientHost: '/127.0.0.1', apiVersion: 8 }, {
      groupId: other, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n,
      topics: [{ name: 't', partitions: [{ partitionIndex: i % 2, committedOffset: BigInt(i), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: 'x'.repeat(50) }] }]
    })
    time.advance(10)
  }
  const log = first.logs.getLog(OFFSETS_TOPIC, partition)!
  time.advance(COMPACTED.segmentMs + 1)
  let cleaned = 0
  for (let i = 0; i < 3; i++) if ((await first.logs.runCleaner(time.now())) !== null) cleaned++
  assert.ok(cleaned > 0, 'the cleaner ran')
  assert.ok(log.segments[0]!.baseOffset === 0 && log.activeSegment.baseOffset > 4, 'the transactional records were in the cleaned range')
  first.h.runtime.close()
  await first.logs.close()

  const second = await openStack(fs, time)
  assert.deepEqual(await fetchOffset(second.h), [42n, GroupError.NONE], 'the committed offset survives; the aborted one never shows')
  second.h.runtime.close()
  await second.logs.close()
})
