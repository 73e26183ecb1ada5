// The leader's view of its followers over a real partition log (in-memory file system): the high
// watermark is the smallest log end over the ISR, a lagging follower is proposed out of the ISR,
// a caught-up one back in, and acks=all waits end on commit, ISR shrink, timeout or lost
// leadership.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildBatchSync, ErrorCode } from '@brook/protocol'
import { defaultLogConfig, LogManager, MemoryFileSystem } from '@brook/storage'
import { Partition } from '../../src/partition/partition.js'
import { FetchPurgatory } from '../../src/purgatory/delayed-fetch.js'
import { type IsrProposal, LeaderReplication } from '../../src/replication/leader-replication.js'

function batch (value: string): Buffer {
  return buildBatchSync({ records: [{ key: null, value: Buffer.from(value), timestamp: 1000n }] })
}

async function leader (isr: number[]): Promise<{ partition: Partition, replication: LeaderReplication, proposals: IsrProposal[] }> {
  const manager = new LogManager({ fs: new MemoryFileSystem(), logDirs: ['/data'], defaults: defaultLogConfig, scheduler: false })
  await manager.open()
  const partition = new Partition(await manager.createOrGetLog('t', 0), new FetchPurgatory(), { replicated: true })
  const proposals: IsrProposal[] = []
  await partition.log.assignEpochStartOffset(3)
  const replication = new LeaderReplication(() => partition.log, 1, 3, [1, 2, 3], isr, 7, (p) => { proposals.push(p) }, () => {}, 0)
  partition.lead(3, replication)
  return { partition, replication, proposals }
}

test('the high watermark is the smallest log end over the ISR', { timeout: 10_000 }, async () => {
  const { partition, replication } = await leader([1, 2, 3])
  await partition.append(batch('a'), false)
  await partition.append(batch('b'), false)
  assert.equal(partition.log.logEndOffset, 2)
  assert.equal(partition.log.highWatermark, 0, 'no follower has fetched yet')
  replication.recordFetch(2, 2, 10)
  assert.equal(partition.log.highWatermark, 0, 'follower 3 has nothing yet')
  replication.recordFetch(3, 1, 10)
  assert.equal(partition.log.highWatermark, 1)
  replication.recordFetch(3, 2, 20)
  assert.equal(partition.log.highWatermark, 2)
})

test('acks=all waits until the high watermark passes the batch; a shrunk ISR answers NOT_ENOUGH_REPLICAS_AFTER_APPEND', { timeout: 10_000 }, async () => {
  const { partition, replication } = await leader([1, 2, 3])
  const appended = await partition.append(batch('a'), true)
  const waiting = replication.waitForCommit(appended.lastOffset + 1, 2, 5000)
  replication.recordFetch(2, 1, 10)
  replication.recordFetch(3, 1, 10)
  assert.equal(await waiting, ErrorCode.NONE)

  const second = await partition.append(batch('b'), true)
  const shrunk = replication.waitForCommit(second.lastOffset + 1, 2, 5000)
  replication.update([1], 8)
  assert.equal(await shrunk, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, 'the HW moved with the leader alone, below min.insync.replicas')
  assert.throws(() => { replication.checkMinIsr(2) }, (err: { code?: number }) => err.code === ErrorCode.NOT_ENOUGH_REPLICAS)
})

test('a wait times out with REQUEST_TIMED_OUT, and ends with NOT_LEADER_OR_FOLLOWER when leadership moves', { timeout: 10_000 }, async () => {
  const { partition, replication } = await leader([1, 2])
  const a = await partition.append(batch('a'), false)
  assert.equal(await replication.waitForCommit(a.lastOffset + 1, 1, 50), ErrorCode.REQUEST_TIMED_OUT)
  const b = await partition.append(batch('b'), false)
  const waiting = replication.waitForCommit(b.lastOffset + 1, 1, 5000)
  partition.follow(2, 4)
  assert.equal(await waiting, ErrorCode.NOT_LEADER_OR_FOLLOWER)
  await assert.rejects(partition.append(batch('c'), false), (err: { code?: number }) => err.code === ErrorCode.NOT_LEADER_OR_FOLLOWER)
})

test('a follower that has not caught up for replica.lag.time.max.ms is proposed out; caught up, it is proposed back in', { timeout: 10_000 }, async () => {
  const { partition, replication, proposals } = await leader([1, 2, 3])
  await partition.append(batch('a'), false)
  replication.recordFetch(2, 1, 100)
  replication.recordFetch(3, 0, 100)
  replication.checkLag(500, 1000)
  assert.equal(proposals.length, 0, 'within the lag time')
  replication.checkLag(1200, 1000)
  assert.deepEqual(proposals.at(-1), { isr: [1, 2], leaderEpoch: 3, partitionEpoch: 7 })
  replication.update([1, 2], 8)
  assert.equal(partition.log.highWatermark, 1, 'the HW no longer waits for broker 3')
  replication.recordFetch(3, 1, 1300)
  assert.deepEqual(proposals.at(-1), { isr: [1, 2, 3], leaderEpoch: 3, partitionEpoch: 8 })
})
