import { test } from 'node:test'
import assert from 'node:assert/strict'
import { defaultLogConfig, MemoryFileSystem, LogManager, type LogConfig } from '@brook/storage'
import type { TxnOffsetCommitRequest } from '@brook/protocol'
import { OFFSETS_TOPIC } from '../../src/group/config.js'
import { GroupCoordinator } from '../../src/group/coordinator.js'
import { GroupError } from '../../src/group/errors.js'
import { PartitionCoordinatorLog, partitionLogAsLeader } from '../../src/coordinator/partition-log.js'
import { recordCodec } from '../../src/group/record-codec.js'
import { GroupCoordinatorRuntime } from '../../src/group/runtime.js'
import { ManualTime } from '@brook/common'
import { TEST_CONFIG, advance, formGroup, heartbeat, type Harness } from '../group/harness.js'

const COMPACTED: LogConfig = { ...defaultLogConfig, cleanupPolicy: ['compact'], segmentBytes: 4096, minCleanableDirtyRatio: 0.01 }

async function openStack (fs: MemoryFileSystem, time: ManualTime): Promise<{ h: Harness, logs: LogManager }> {
  const logs = new LogManager({ fs, logDirs: ['/data'], defaults: COMPACTED, scheduler: false, clock: () => time.now() })
  await logs.open()
  const runtime = new GroupCoordinatorRuntime({
    // Retention far beyond the week the compaction test moves the clock by.
    config: { ...TEST_CONFIG, offsetsRetentionMs: 365 * 24 * 3600 * 1000 },
    clock: time,
    timer: time,
    openLog: async (p) => new PartitionCoordinatorLog(partitionLogAsLeader(await logs.createOrGetLog(OFFSETS_TOPIC, p, COMPACTED)))
  })
  await runtime.start()
  return { h: { time, logs: new Map(), runtime, coordinator: new GroupCoordinator(runtime) }, logs }
}

const info = { clientId: 'c', clientHost: '/127.0.0.1', apiVersion: 8 }

test('groups and offsets survive a restart on real partition logs', async () => {
  const fs = new MemoryFileSystem()
  const time = new ManualTime()
  const first = await openStack(fs, time)
  const { members: [a, b], generation } = await formGroup(first.h, 'g', 2)
  const commit = await first.h.coordinator.commitOffsets(info, {
    groupId: 'g', generationIdOrMemberEpoch: generation, memberId: a!, groupInstanceId: null, retentionTimeMs: -1n,
    topics: [{ name: 'orders', partitions: [{ partitionIndex: 2, committedOffset: 12345n, committedLeaderEpoch: 4, commitTimestamp: -1n, committedMetadata: 'ünïcode' }] }]
  })
  assert.equal(commit.topics[0]!.partitions[0]!.errorCode, GroupError.NONE)
  first.h.runtime.close()
  await first.logs.close()

  const second = await openStack(fs, time)
  const [fetched] = await second.h.coordinator.fetchOffsets([{ groupId: 'g', topics: null }])
  assert.deepEqual(fetched!.topics, [{ name: 'orders', partitions: [{ partitionIndex: 2, committedOffset: 12345n, committedLeaderEpoch: 4, metadata: 'ünïcode', errorCode: 0 }] }])
  const [d] = await second.h.coordinator.describeGroups(['g'])
  assert.equal(d!.groupState, 'Stable')
  assert.deepEqual(d!.members.map((m) => m.memberId).sort(), [a, b].sort())
  await advance(second.h, 1000)
  assert.equal(await heartbeat(second.h, 'g', b!, generation), GroupError.NONE)
  second.h.runtime.close()
  await second.logs.close()
})

test('compaction keeps only the latest value per key and loading gives the same state', async () => {
  const fs = new MemoryFileSystem()
  const time = new ManualTime()
  const first = await openStack(fs, time)
  for (let i = 0; i < 300; i++) {
    await first.h.coordinator.commitOffsets(info, {
      groupId: 'busy', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n,
      topics: [{ name: 't', partitions: [{ partitionIndex: i % 3, committedOffset: BigInt(i), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: 'x'.repeat(50) }] }]
    })
    time.advance(10)
  }
  await first.h.coordinator.commitOffsets(info, {
    groupId: 'gone', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }]
  })
  await first.h.coordinator.deleteGroups(['gone'])
  const before = first.h.runtime.activeShards().map((s) => s.durableState())
  const partition = first.h.runtime.partitionFor('busy')
  const log = first.logs.getLog(OFFSETS_TOPIC, partition)!
  const sizeBefore = log.size
  // Roll the active segment so that the dirty part can be cleaned.
  time.advance(COMPACTED.segmentMs + 1)
  let cleaned = 0
  for (let i = 0; i < 5; i++) if ((await first.logs.runCleaner(time.now())) !== null) cleaned++
  assert.ok(cleaned > 0, 'the cleaner ran')
  assert.ok(log.size < sizeBefore, `compacted (${sizeBefore} -> ${log.size} bytes)`)
  // Only the latest commit of each partition remains (plus group records).
  const keys: string[] = []
  await new PartitionCoordinatorLog(partitionLogAsLeader(log)).replay((entry) => {
    const r = entry.type === 'record' ? recordCodec.decode(entry.record) : null
    if (r?.type === 'offset' && r.groupId === 'busy') keys.push(`${r.partition}=${r.value?.committedOffset}`)
  })
  assert.deepEqual(keys.slice(-3).sort(), ['0=297', '1=298', '2=299'])
  assert.ok(keys.length < 300)
  first.h.runtime.close()
  await first.logs.close()

  const second = await openStack(fs, time)
  assert.deepEqual(second.h.runtime.activeShards().map((s) => s.durableState()), before)
  second.h.runtime.close()
  await second.logs.close()
})

test('transactional offsets on a real partition: a transactional batch, pending across a restart, completed by the marker', async () => {
  const fs = new MemoryFileSystem()
  const time = new ManualTime()
  const txn = (offset: bigint, producerEpoch: number): TxnOffsetCommitRequest => ({
    transactionalId: 'tx', groupId: 'g', producerId: 4000n, producerEpoch, generationId: -1, memberId: '', groupInstanceId: null,
    topics: [{ name: 'in', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' }] }]
  })
  const fetch = async (h: Harness): Promise<[bigint, number] | undefined> => {
    const [g] = await h.coordinator.fetchOffsets([{ groupId: 'g', topics: [{ name: 'in', partitionIndexes: [0] }], requireStable: true }])
    const p = g?.topics[0]?.partitions[0]
    return p === undefined ? undefined : [p.committedOffset, p.errorCode]
  }
  const first = await openStack(fs, time)
  const partition = first.h.runtime.partitionFor('g')
  assert.equal((await first.h.coordinator.commitTransactionalOffsets(txn(42n, 3), 3))[0]?.partitions[0]?.errorCode, GroupError.NONE)
  // The partition's producer state fences an older epoch of the same producer.
  assert.equal((await first.h.coordinator.commitTransactionalOffsets(txn(41n, 2), 3))[0]?.partitions[0]?.errorCode, GroupError.INVALID_PRODUCER_EPOCH)
  const log = first.logs.getLog(OFFSETS_TOPIC, partition)!
  assert.equal(log.lastStableOffset, 0, 'the open transaction holds the LSO')
  first.h.runtime.close()
  await first.logs.close()

  const second = await openStack(fs, time)
  assert.deepEqual(await fetch(second.h), [-1n, GroupError.UNSTABLE_OFFSET_COMMIT])
  assert.equal(await second.h.coordinator.completeTransaction(partition, 4000n, 2, 0, true), GroupError.INVALID_PRODUCER_EPOCH, 'a stale marker is refused')
  assert.equal(await second.h.coordinator.completeTransaction(partition, 4000n, 3, 0, true), GroupError.NONE)
  assert.deepEqual(await fetch(second.h), [42n, GroupError.NONE])
  const reopened = second.logs.getLog(OFFSETS_TOPIC, partition)!
  assert.equal(reopened.lastStableOffset, reopened.logEndOffset, 'the marker ended the transaction on the partition')
  second.h.runtime.close()
  await second.logs.close()

  const third = await openStack(fs, time)
  assert.deepEqual(await fetch(third.h), [42n, GroupError.NONE])
  third.h.runtime.close()
  await third.logs.close()
})

test('a full disk fails an offset commit with NOT_COORDINATOR and nothing else; commits work again once space is back', { timeout: 30_000 }, async () => {
  const fs = new MemoryFileSystem()
  const time = new ManualTime()
  const first = await openStack(fs, time)
  const { members: [a], generation } = await formGroup(first.h, 'g', 1)
  const commit = async (h: Harness, offset: bigint): Promise<number> => {
    const response = await h.coordinator.commitOffsets(info, {
      groupId: 'g', generationIdOrMemberEpoch: generation, memberId: a!, groupInstanceId: null, retentionTimeMs: -1n,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }]
    })
    return response.topics[0]!.partitions[0]!.errorCode
  }
  const committed = async (h: Harness): Promise<bigint | undefined> => {
    const [fetched] = await h.coordinator.fetchOffsets([{ groupId: 'g', topics: null }])
    return fetched!.topics[0]?.partitions[0]?.committedOffset
  }
  assert.equal(await commit(first.h, 10n), GroupError.NONE)
  fs.failNextWrite({ code: 'ENOSPC', path: /__consumer_offsets-\d+\/\d+\.log$/, times: Infinity })
  assert.equal(await commit(first.h, 20n), GroupError.NOT_COORDINATOR)
  assert.equal(await committed(first.h), 10n, 'the refused commit is not visible')
  fs.clearFaults()
  await advance(first.h, 1000)
  assert.equal(await commit(first.h, 30n), GroupError.NONE, 'the partition log takes writes again after its full-disk backoff')
  assert.equal(await committed(first.h), 30n)
  first.h.runtime.close()
  await first.logs.close()
  const second = await openStack(fs, time)
  assert.equal(await committed(second.h), 30n)
  second.h.runtime.close()
  await second.logs.close()
})
