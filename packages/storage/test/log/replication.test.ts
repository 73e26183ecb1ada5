// The storage side of replication: a follower log copying a leader log through reads and
// appendAsFollower, leader epochs, divergence and truncation, and the durability of all of it
// under crashes, power cuts and injected write faults (in-memory file systems).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { buildBatchSync, buildEndTxnMarker, Compression } from '@brook/protocol'
import { MemoryFileSystem } from '../../src/fs/memory-fs.js'
import type { LogManager } from '../../src/log-manager.js'
import type { Log } from '../../src/log/partition-log.js'
import { type LogConfig, StorageError, UnexpectedAppendOffsetError } from '../../src/types.js'
import { prng } from '@brook/common'
import { openManager, randInt, testConfig } from '../helpers.js'

const T = { timeout: 60_000 }
/** Producer state expires producers by their batches' timestamps: keep them recent. */
const NOW = Date.now()

interface Node {
  fs: MemoryFileSystem
  manager: LogManager
  log: Log
  config: LogConfig
}

async function node (overrides: Partial<LogConfig> = {}): Promise<Node> {
  const fs = new MemoryFileSystem()
  const config = testConfig({ segmentBytes: 2500, ...overrides })
  const manager = await openManager(fs, config)
  const log = await manager.createLog('t', 0, config)
  return { fs, manager, log, config }
}

/** Reopens a node's log: 'clean' close, 'crash' (process killed), or a power cut of either kind. */
async function restart (n: Node, how: 'clean' | 'crash' | 'drop' | 'torn', random = prng(7)): Promise<void> {
  if (how === 'clean') await n.manager.close()
  else await n.manager.abandon()
  if (how === 'drop' || how === 'torn') n.fs.powerCut({ mode: how, random })
  n.manager = await openManager(n.fs, n.config, { topicConfig: () => n.config })
  n.log = n.manager.getLog('t', 0)!
}

function data (pid: bigint, seq: number, count: number, txn = false, tag = 'x'): Buffer {
  return buildBatchSync({
    ...(pid < 0n ? {} : { producerId: pid, producerEpoch: 0, baseSequence: seq, transactional: txn }),
    compression: seq % 3 === 1 ? Compression.Gzip : Compression.None,
    records: Array.from({ length: count }, (_v, i) => ({ key: `k${i}`, value: Buffer.from(`${tag}${pid}-${seq + i}`), timestamp: BigInt(NOW + seq + i) }))
  })
}

function marker (pid: bigint, commit: boolean): Buffer {
  return buildEndTxnMarker({ producerId: pid, producerEpoch: 0, commit, coordinatorEpoch: 0, timestamp: BigInt(NOW + 1000) })
}

/** What a follower fetches: whole batches from its log end, up to the leader's log end. */
async function replicate (leader: Log, follower: Log, random: () => number, durable = false): Promise<void> {
  while (follower.logEndOffset < leader.logEndOffset) {
    const { chunks } = await leader.read(follower.logEndOffset, { maxBytes: randInt(random, 50, 3000), minOneBatch: true, maxOffset: leader.fetchUpperBound('LOG_END') })
    assert.ok(chunks.length > 0, 'the leader has data past the follower')
    await follower.appendAsFollower(Buffer.concat(chunks), { durable })
  }
}

async function bytesOf (log: Log, from = log.logStartOffset): Promise<Buffer> {
  if (from >= log.logEndOffset) return Buffer.alloc(0)
  const { chunks } = await log.read(from, { maxBytes: 1 << 24, minOneBatch: true })
  return Buffer.concat(chunks)
}

/** Everything replication must reproduce, the HW set alike on both sides. */
async function stateOf (log: Log, hw: number): Promise<unknown> {
  log.setHighWatermark(hw)
  return {
    offsets: { start: log.logStartOffset, leo: log.logEndOffset, hw: log.highWatermark, lso: log.lastStableOffset },
    producers: log.activeProducers().sort((a, b) => Number(a.producerId - b.producerId)),
    aborted: await log.abortedTransactions(log.logStartOffset, log.logEndOffset),
    epochs: log.leaderEpochEntries(),
    latestEpoch: log.latestEpoch
  }
}

async function checkpointText (n: Node): Promise<string> {
  return (await n.fs.readFile(`${n.log.dir}/leader-epoch-checkpoint`)).toString()
}

/** A leader workload: plain, idempotent and transactional batches (committed, aborted, open) over epochs 1, 2, 4. */
interface Producers { seq: Map<bigint, number>, open: Set<bigint> }

async function leaderWorkload (log: Log, steps: number, random: () => number, producers: Producers): Promise<void> {
  let epoch = 1
  const { seq, open } = producers
  for (let step = 0; step < steps; step++) {
    if (step === Math.floor(steps / 3)) epoch = 2
    if (step === Math.floor(2 * steps / 3)) epoch = 4
    const r = random()
    const opts = { leaderEpoch: epoch, durable: random() < 0.3 }
    if (r < 0.25) {
      await log.append(data(-1n, step, randInt(random, 1, 4)), opts)
    } else if (r < 0.5) {
      const s = seq.get(1n) ?? 0
      const n = randInt(random, 1, 3)
      await log.append(data(1n, s, n), opts)
      seq.set(1n, s + n)
    } else if (r < 0.8) {
      const pid = random() < 0.5 ? 2n : 3n
      const s = seq.get(pid) ?? 0
      const n = randInt(random, 1, 3)
      await log.append(data(pid, s, n, true), opts)
      seq.set(pid, s + n)
      open.add(pid)
    } else {
      for (const pid of open) {
        await log.append(marker(pid, random() < 0.5), { ...opts, origin: 'coordinator' })
        open.delete(pid)
        break
      }
    }
  }
}

describe('follower append', () => {
  it('rebuilds the leader\'s log byte for byte, with its producer state, aborted transactions and epochs', T, async () => {
    const random = prng(11)
    const leader = await node()
    const follower = await node({ messageTimestampType: 'LogAppendTime' })
    const producers: Producers = { seq: new Map(), open: new Set() }
    await leaderWorkload(leader.log, 40, random, producers)
    await replicate(leader.log, follower.log, random)
    // Mid-stream, with transactions open: same state at the same HW.
    assert.deepEqual(await stateOf(follower.log, 17), await stateOf(leader.log, 17))
    await leaderWorkload(leader.log, 80, random, producers)
    await replicate(leader.log, follower.log, random, true)
    const hw = leader.log.logEndOffset
    assert.ok(leader.log.segments.length > 3 && follower.log.segments.length > 3, 'several segments on both sides')
    assert.ok((await leader.log.abortedTransactions(0, hw)).length > 0, 'the workload aborted some transaction')
    assert.deepEqual(leader.log.leaderEpochEntries().map((e) => e.epoch), [1, 2, 4])
    assert.ok((await bytesOf(follower.log)).equals(await bytesOf(leader.log)), 'byte-equal logs (leader timestamps kept)')
    assert.deepEqual(await stateOf(follower.log, hw), await stateOf(leader.log, hw))
    assert.equal(await checkpointText(follower), await checkpointText(leader))
    for (const how of ['crash', 'clean', 'torn'] as const) {
      await restart(follower, how)
      // A power cut may lose the unsynced tail; the follower then fetches it again.
      await replicate(leader.log, follower.log, random)
      assert.ok((await bytesOf(follower.log)).equals(await bytesOf(leader.log)), `byte-equal after ${how}`)
      assert.deepEqual(await stateOf(follower.log, hw), await stateOf(leader.log, hw), `same state after ${how}`)
    }
    await leader.manager.close()
    await follower.manager.close()
  })

  it('keeps the leader\'s offsets: a gap after the log end is accepted, the high watermark does not move', T, async () => {
    const f = await node()
    const batch = buildBatchSync({ baseOffset: 40n, partitionLeaderEpoch: 3, records: [{ key: 'a', value: 'b', timestamp: 5n }, { key: 'c', value: 'd', timestamp: 6n }] })
    const r = await f.log.appendAsFollower(batch)
    assert.deepEqual([r.baseOffset, r.lastOffset, f.log.logEndOffset, f.log.highWatermark], [40, 41, 42, 0])
    assert.deepEqual(f.log.leaderEpochEntries(), [{ epoch: 3, startOffset: 40 }])
    assert.ok((await bytesOf(f.log, 40)).equals(batch), 'written as fetched')
    await f.manager.close()
  })

  it('refuses batches below the log end, offsets going back, bad CRCs and negative truncation offsets, writing nothing', T, async () => {
    const f = await node()
    const at = (base: number, n = 1): Buffer => buildBatchSync({ baseOffset: BigInt(base), partitionLeaderEpoch: 1, records: Array.from({ length: n }, () => ({ key: null, value: 'v', timestamp: 1n })) })
    await f.log.appendAsFollower(at(0, 5))
    await assert.rejects(f.log.appendAsFollower(at(3)), (e: unknown) => e instanceof UnexpectedAppendOffsetError && e.firstOffset === 3 && e.logEndOffset === 5 && e.kind === 'OFFSET_OUT_OF_RANGE')
    await assert.rejects(f.log.appendAsFollower(Buffer.concat([at(10, 3), at(11)])), (e: unknown) => e instanceof StorageError && e.kind === 'CORRUPT_MESSAGE')
    const flipped = at(5)
    flipped[flipped.length - 1]! ^= 1
    await assert.rejects(f.log.appendAsFollower(flipped), (e: unknown) => e instanceof StorageError && e.kind === 'CORRUPT_MESSAGE')
    await assert.rejects(f.log.truncateTo(-1), (e: unknown) => e instanceof StorageError && e.kind === 'OFFSET_OUT_OF_RANGE', 'an UNDEFINED end offset')
    await assert.rejects(f.log.truncateFullyAndStartAt(-1), (e: unknown) => e instanceof StorageError && e.kind === 'OFFSET_OUT_OF_RANGE')
    assert.equal(f.log.logEndOffset, 5)
    assert.equal(f.log.writeError, null, 'refusals do not poison the log')
    await f.log.appendAsFollower(at(5))
    assert.equal(f.log.logEndOffset, 6)
    await f.manager.close()
  })
})

describe('follower append under faults', () => {
  for (const partialBytes of [0, 100]) {
    it(`a failed write (${partialBytes} bytes landed) poisons the follower; after a reopen it fetches again and converges`, T, async () => {
      const random = prng(5 + partialBytes)
      const leader = await node()
      const follower = await node()
      const producers: Producers = { seq: new Map(), open: new Set() }
      await leaderWorkload(leader.log, 30, random, producers)
      await replicate(leader.log, follower.log, random, true)
      await leaderWorkload(leader.log, 30, random, producers)
      const end = follower.log.logEndOffset
      follower.fs.failNextWrite({ path: '.log', partialBytes, code: 'EIO' })
      await assert.rejects(replicate(leader.log, follower.log, random), (e: unknown) => e instanceof StorageError && e.kind === 'KAFKA_STORAGE_ERROR')
      assert.equal(follower.log.logEndOffset, end, 'nothing of the failed write is visible')
      await assert.rejects(replicate(leader.log, follower.log, random), 'sticky until reopened')
      await restart(follower, 'crash')
      await replicate(leader.log, follower.log, random)
      const hw = leader.log.logEndOffset
      assert.ok((await bytesOf(follower.log)).equals(await bytesOf(leader.log)))
      assert.deepEqual(await stateOf(follower.log, hw), await stateOf(leader.log, hw))
      await leader.manager.close()
      await follower.manager.close()
    })
  }
})

describe('leader epochs', () => {
  it('are recorded from each new partitionLeaderEpoch in Kafka\'s checkpoint format, answer OffsetForLeaderEpoch and follow the log start', T, async () => {
    const n = await node({ segmentBytes: 600 })
    const append = async (epoch: number): Promise<number> => (await n.log.append(data(-1n, 0, 3), { leaderEpoch: epoch, durable: false })).baseOffset
    await append(0)
    await append(0)
    const two = await append(2)
    await append(2)
    const five = await append(5)
    await append(5)
    assert.equal(await checkpointText(n), `0\n3\n0 0\n2 ${two}\n5 ${five}\n`)
    assert.deepEqual(n.log.endOffsetForEpoch(0), { leaderEpoch: 0, endOffset: two })
    assert.deepEqual(n.log.endOffsetForEpoch(3), { leaderEpoch: 2, endOffset: five })
    assert.deepEqual(n.log.endOffsetForEpoch(5), { leaderEpoch: 5, endOffset: n.log.logEndOffset })
    assert.deepEqual(n.log.endOffsetForEpoch(6), { leaderEpoch: -1, endOffset: -1 })
    assert.equal(n.log.epochForOffset(two + 1), 2)
    // A new leader records its epoch at the log end before it appends anything.
    await n.log.assignEpochStartOffset(7)
    assert.deepEqual(n.log.endOffsetForEpoch(5), { leaderEpoch: 5, endOffset: n.log.logEndOffset })
    await append(7)
    n.log.setHighWatermark(n.log.logEndOffset)
    await n.log.deleteRecordsBefore(two + 1)
    assert.deepEqual(n.log.leaderEpochEntries().slice(0, 1), [{ epoch: 2, startOffset: two + 1 }], 'DeleteRecords moves the covering epoch up')
    assert.match(await checkpointText(n), new RegExp(`^0\\n3\\n2 ${two + 1}\\n`))
    await n.log.roll()
    n.log.updateConfig({ ...n.config, retentionBytes: 0 })
    await n.log.deleteOldSegments()
    assert.equal(n.log.logStartOffset, n.log.logEndOffset)
    assert.deepEqual(n.log.leaderEpochEntries(), [{ epoch: 7, startOffset: n.log.logEndOffset }], 'retention too')
    await n.manager.close()
  })

  it('survive restarts, are rebuilt from the batches when the file is missing or corrupt, and are cut on truncation', T, async () => {
    const n = await node({ segmentBytes: 700 })
    for (const epoch of [1, 1, 1, 3, 3, 4, 4, 4, 9]) await n.log.append(data(-1n, epoch, 2), { leaderEpoch: epoch, durable: false })
    const expected = n.log.leaderEpochEntries()
    assert.deepEqual(expected.map((e) => e.epoch), [1, 3, 4, 9])
    const text = await checkpointText(n)
    await restart(n, 'clean')
    assert.deepEqual(n.log.leaderEpochEntries(), expected)
    await n.fs.unlink(`${n.log.dir}/leader-epoch-checkpoint`)
    await restart(n, 'crash')
    assert.deepEqual(n.log.leaderEpochEntries(), expected, 'rebuilt when missing')
    assert.equal(await checkpointText(n), text, 'and written back')
    const fh = await n.fs.open(`${n.log.dir}/leader-epoch-checkpoint`, 'w+')
    await fh.write(Buffer.from('0\n4\n1 0\n'), 0)
    await fh.close()
    await restart(n, 'clean')
    assert.deepEqual(n.log.leaderEpochEntries(), expected, 'rebuilt when corrupt')
    const cut = expected[2]!.startOffset
    await n.log.truncateTo(cut)
    assert.deepEqual(n.log.leaderEpochEntries(), expected.slice(0, 2))
    assert.equal(await checkpointText(n), `0\n2\n1 0\n3 ${expected[1]!.startOffset}\n`)
    await n.log.truncateFullyAndStartAt(100)
    assert.deepEqual(n.log.leaderEpochEntries(), [])
    await restart(n, 'drop')
    assert.deepEqual([n.log.logStartOffset, n.log.logEndOffset, n.log.latestEpoch], [100, 100, null], 'full truncation survives a power cut')
    await n.manager.close()
  })

  it('a failed checkpoint or data write poisons the log without leaving an epoch past the log end', T, async () => {
    const n = await node()
    await n.log.append(data(-1n, 0, 2), { leaderEpoch: 1, durable: true })
    n.fs.failNextWrite({ path: 'leader-epoch-checkpoint' })
    await assert.rejects(n.log.append(data(-1n, 1, 2), { leaderEpoch: 2, durable: false }), (e: unknown) => e instanceof StorageError && e.kind === 'KAFKA_STORAGE_ERROR')
    assert.deepEqual([n.log.logEndOffset, n.log.latestEpoch], [2, 1])
    await assert.rejects(n.log.append(data(-1n, 2, 1), { leaderEpoch: 1, durable: false }), 'sticky until reopened')
    await restart(n, 'crash')
    assert.deepEqual([n.log.logEndOffset, n.log.latestEpoch], [2, 1])
    // The checkpoint is written, then the data write fails: the entry is dropped, in memory and at load.
    n.fs.failNextWrite({ path: '.log' })
    await assert.rejects(n.log.append(data(-1n, 3, 2), { leaderEpoch: 3, durable: false }))
    assert.deepEqual([n.log.logEndOffset, n.log.latestEpoch], [2, 1])
    assert.match(await checkpointText(n), /\n3 2\n$/, 'the entry reached the file before the data')
    await restart(n, 'drop')
    assert.deepEqual(n.log.leaderEpochEntries(), [{ epoch: 1, startOffset: 0 }])
    assert.deepEqual(n.log.endOffsetForEpoch(3), { leaderEpoch: -1, endOffset: -1 })
    await n.log.append(data(-1n, 4, 1), { leaderEpoch: 3, durable: true })
    assert.deepEqual(n.log.leaderEpochEntries(), [{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 2 }])
    await n.manager.close()
  })
})

describe('divergence and truncation', () => {
  for (const how of ['none', 'drop', 'torn'] as const) {
    it(`an old leader truncates its divergent tail to the new leader's epoch end offset and converges (power cut: ${how})`, T, async () => {
      const random = prng(how.length * 31)
      const a = await node({ segmentBytes: 900 })
      const b = await node({ segmentBytes: 900 })
      // Epoch 1 on A, replicated to B, with a transaction committed.
      await a.log.append(data(1n, 0, 3), { leaderEpoch: 1, durable: true })
      await a.log.append(data(5n, 0, 2, true), { leaderEpoch: 1, durable: true })
      await a.log.append(marker(5n, true), { leaderEpoch: 1, durable: true, origin: 'coordinator' })
      for (let i = 0; i < 6; i++) await a.log.append(data(-1n, i, 2), { leaderEpoch: 1, durable: true })
      await replicate(a.log, b.log, random, true)
      const common = a.log.logEndOffset
      const before = await stateOf(b.log, common)
      // A's tail that no follower got: an aborted transaction, an open one, idempotent data.
      await a.log.append(data(7n, 0, 2, true), { leaderEpoch: 1, durable: true })
      await a.log.append(marker(7n, false), { leaderEpoch: 1, durable: true, origin: 'coordinator' })
      await a.log.append(data(8n, 0, 3, true), { leaderEpoch: 1, durable: true })
      await a.log.append(data(1n, 3, 4), { leaderEpoch: 1, durable: true })
      for (let i = 0; i < 5; i++) await a.log.append(data(-1n, 10 + i, 3, false, 'a'), { leaderEpoch: 1, durable: true })
      assert.ok((await a.log.abortedTransactions(common, a.log.logEndOffset)).length === 1)
      a.log.setHighWatermark(common)
      await a.manager.checkpoint()
      // B is elected with epoch 2 and writes its own data.
      await b.log.assignEpochStartOffset(2)
      await b.log.append(data(9n, 0, 2, true), { leaderEpoch: 2, durable: true })
      await b.log.append(marker(9n, true), { leaderEpoch: 2, durable: true, origin: 'coordinator' })
      for (let i = 0; i < 4; i++) await b.log.append(data(-1n, 20 + i, 2, false, 'b'), { leaderEpoch: 2, durable: true })
      // A becomes follower: OffsetForLeaderEpoch(its latest epoch) on B gives the truncation point.
      const answer = b.log.endOffsetForEpoch(a.log.latestEpoch!)
      assert.deepEqual(answer, { leaderEpoch: 1, endOffset: common })
      await a.log.truncateTo(Math.min(answer.endOffset, a.log.logEndOffset))
      if (how !== 'none') await restart(a, how, random)
      assert.equal(a.log.logEndOffset, common, 'nothing of the divergent tail came back')
      assert.ok(a.log.highWatermark <= common, 'the checkpointed high watermark is not past the truncation')
      assert.deepEqual(await stateOf(a.log, common), before, 'producer state, aborted transactions and epochs as before the tail')
      await replicate(b.log, a.log, random)
      const hw = b.log.logEndOffset
      assert.ok((await bytesOf(a.log)).equals(await bytesOf(b.log)), 'byte-equal after catching up')
      assert.deepEqual(await stateOf(a.log, hw), await stateOf(b.log, hw))
      assert.deepEqual(a.log.leaderEpochEntries(), [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: common }])
      await restart(a, 'crash')
      assert.deepEqual(await stateOf(a.log, hw), await stateOf(b.log, hw), 'and after a crash')
      await a.manager.close()
      await b.manager.close()
    })
  }
})

describe('high watermark', () => {
  it('is the caller\'s unless the log is told it is the only replica', T, async () => {
    const n = await node()
    await n.log.append(data(-1n, 0, 4), { leaderEpoch: 0, durable: false })
    assert.deepEqual([n.log.highWatermark, n.log.logEndOffset], [0, 4], 'a replicated log waits for the leader\'s HW')
    assert.equal(n.log.maybeIncrementHighWatermark(2), true)
    assert.equal(n.log.maybeIncrementHighWatermark(1), false, 'never backwards')
    assert.equal(n.log.maybeIncrementHighWatermark(99), true)
    assert.equal(n.log.highWatermark, 4, 'capped at the log end')
    n.log.setHighWatermark(1)
    const seen: number[] = []
    n.log.onAppend(() => { seen.push(n.log.highWatermark) })
    n.log.setSingleReplica(true)
    assert.equal(n.log.highWatermark, 4)
    await n.log.append(data(-1n, 1, 3), { leaderEpoch: 0, durable: false })
    assert.deepEqual(seen, [7], 'moved before the append listeners run')
    await n.log.truncateTo(5)
    assert.equal(n.log.highWatermark, 5)
    n.log.setSingleReplica(false)
    await n.log.appendAsFollower(buildBatchSync({ baseOffset: 5n, partitionLeaderEpoch: 0, records: [{ key: null, value: 'f', timestamp: 1n }] }))
    assert.deepEqual([n.log.highWatermark, n.log.logEndOffset], [5, 6])
    await n.manager.close()
  })

  it('bounds consumer reads and the last stable offset, while followers read to the log end', T, async () => {
    const n = await node()
    await n.log.append(data(4n, 0, 3, true), { leaderEpoch: 0, durable: false })
    await n.log.append(marker(4n, true), { leaderEpoch: 0, durable: false, origin: 'coordinator' })
    await n.log.append(data(-1n, 0, 2), { leaderEpoch: 0, durable: false })
    n.log.setHighWatermark(3)
    assert.equal(n.log.lastStableOffset, 0, 'the marker is not below the HW yet')
    const read = async (isolation: 'LOG_END' | 'HIGH_WATERMARK' | 'TXN_COMMITTED'): Promise<number> =>
      (await n.log.read(0, { maxBytes: 1 << 20, minOneBatch: true, maxOffset: n.log.fetchUpperBound(isolation) })).bytes
    assert.equal(await read('TXN_COMMITTED'), 0)
    const firstBatch = data(4n, 0, 3, true).length
    assert.equal(await read('HIGH_WATERMARK'), firstBatch)
    assert.equal(await read('LOG_END'), (await bytesOf(n.log)).length)
    n.log.setHighWatermark(4)
    assert.equal(n.log.lastStableOffset, 4)
    await n.manager.close()
  })

  it('is checkpointed, restored capped at the log end, and never restored past a truncation', T, async () => {
    const n = await node()
    await n.log.append(data(-1n, 0, 8), { leaderEpoch: 0, durable: true })
    n.log.setHighWatermark(5)
    await restart(n, 'clean')
    assert.equal(n.log.highWatermark, 5, 'restored from replication-offset-checkpoint')
    n.log.setHighWatermark(8)
    await n.manager.checkpoint()
    await n.log.truncateTo(0)
    await n.log.appendAsFollower(buildBatchSync({ baseOffset: 0n, partitionLeaderEpoch: 1, records: Array.from({ length: 9 }, () => ({ key: null, value: 'new', timestamp: 1n })) }), { durable: true })
    await restart(n, 'crash')
    assert.equal(n.log.highWatermark, 0, 'the HW of the truncated data does not cover what was written after it')
    await n.log.append(data(-1n, 1, 3), { leaderEpoch: 1, durable: false })
    n.log.setHighWatermark(12)
    await n.manager.checkpoint()
    await restart(n, 'drop')
    assert.deepEqual([n.log.logEndOffset, n.log.highWatermark], [9, 9], 'capped at what survived the power cut')
    await n.manager.close()
  })
})

describe('transaction index durability', () => {
  for (const mode of ['drop', 'torn'] as const) {
    it(`an aborted transaction acknowledged as durable keeps its .txnindex entry through a power cut (${mode})`, T, async () => {
      const n = await node({ segmentBytes: 600 })
      await n.log.append(data(6n, 0, 2, true), { leaderEpoch: 0, durable: true })
      const abort = (await n.log.append(marker(6n, false), { leaderEpoch: 0, durable: true, origin: 'coordinator' })).baseOffset
      // Rolls move the producer snapshot past the marker: recovery no longer replays its segment.
      while (n.log.segments.length < 4) await n.log.append(data(-1n, 1, 3), { leaderEpoch: 0, durable: true })
      await n.log.append(data(-1n, 2, 1), { leaderEpoch: 0, durable: true })
      const end = n.log.logEndOffset
      await restart(n, mode, prng(3))
      assert.equal(n.log.logEndOffset, end, 'every append was durable')
      assert.deepEqual(await n.log.abortedTransactions(0, end), [{ producerId: 6n, firstOffset: 0, lastOffset: abort, lastStableOffset: abort + 1 }])
      await n.manager.close()
    })
  }
})
