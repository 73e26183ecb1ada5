// LogProducerState over an in-memory "log" of real batches: what the partition log does with it
// (check before offsets are assigned, index aborts after the write, snapshot at roll, load after
// a crash, truncate), with the files on the fault-injecting memory file system.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildBatchSync, buildEndTxnMarker, batchBaseOffset, batchLastOffset, patchBaseOffset } from '@brook/protocol'
import { MemoryFileSystem } from '../../src/fs/memory-fs.js'
import { silentLogger } from '@brook/common'
import { LogProducerState } from '../../src/producer-state/log-producer-state.js'
import { listSnapshots } from '../../src/producer-state/snapshot-file.js'
import { StorageError } from '../../src/types.js'

const DIR = '/data/t-0'
const config = { producerIdExpirationMs: 86_400_000 }

function dataBatch (pid: bigint, seq: number, count: number, txn = false, epoch = 0): Buffer {
  return buildBatchSync({
    producerId: pid, producerEpoch: epoch, baseSequence: seq, transactional: txn,
    records: Array.from({ length: count }, (_v, i) => ({ key: null, value: Buffer.from(`v${seq + i}`), timestamp: 1000n }))
  })
}

/** A log: batches with assigned offsets, segments by base offset. */
class FakeLog {
  batches: Buffer[] = []
  segments: number[] = [0]
  next = 0
  readonly state: LogProducerState

  constructor (readonly fs: MemoryFileSystem) {
    this.state = new LogProducerState(fs, DIR, config, silentLogger)
  }

  async append (records: Buffer, origin: 'client' | 'coordinator' = 'client'): Promise<{ baseOffset: number, duplicate: boolean } | StorageError> {
    const check = this.state.check(records, this.next, origin)
    if (check.kind === 'rejected') return check.error
    if (check.kind === 'duplicate') return { baseOffset: check.firstOffset, duplicate: true }
    const copy = Buffer.from(records)
    patchBaseOffset(copy, 0, this.next)
    const baseOffset = this.next
    this.batches.push(copy)
    this.next = batchLastOffset(copy) + 1
    await this.state.indexAborted(check.abortedTxns, this.segments)
    return { baseOffset, duplicate: false }
  }

  async roll (): Promise<void> {
    this.segments.push(this.next)
    await this.state.onRoll(this.next)
  }

  read = async (offset: number): Promise<Buffer> => {
    const from = this.batches.findIndex((b) => batchLastOffset(b) >= offset)
    return from < 0 ? Buffer.alloc(0) : Buffer.concat(this.batches.slice(from))
  }

  truncateBatches (offset: number): void {
    this.batches = this.batches.filter((b) => batchBaseOffset(b) < offset)
    this.next = offset
    this.segments = this.segments.filter((s) => s === 0 || s < offset)
  }
}

async function fresh (): Promise<FakeLog> {
  const fs = new MemoryFileSystem()
  await fs.mkdir(DIR)
  return new FakeLog(fs)
}

test('appends are checked before offsets are assigned: duplicates and errors write nothing', async () => {
  const log = await fresh()
  assert.deepEqual(await log.append(dataBatch(1n, 0, 3)), { baseOffset: 0, duplicate: false })
  assert.deepEqual(await log.append(dataBatch(1n, 3, 2)), { baseOffset: 3, duplicate: false })
  assert.deepEqual(await log.append(dataBatch(1n, 0, 3)), { baseOffset: 0, duplicate: true })
  const gap = await log.append(dataBatch(1n, 9, 1))
  assert.ok(gap instanceof StorageError)
  assert.equal(gap.kind, 'OUT_OF_ORDER_SEQUENCE_NUMBER')
  const bumpedBack = await log.append(dataBatch(1n, 0, 1, false, 1))
  assert.deepEqual(bumpedBack, { baseOffset: 5, duplicate: false }, 'a new epoch starts at 0')
  const stale = await log.append(dataBatch(1n, 5, 1, false, 0))
  assert.ok(stale instanceof StorageError)
  assert.equal(stale.kind, 'INVALID_PRODUCER_EPOCH')
  assert.equal(log.next, 6, 'only accepted appends took offsets')
})

test('aborted transactions go to their segment\'s .txnindex and read_committed fetches find them', async () => {
  const log = await fresh()
  await log.append(dataBatch(7n, 0, 2, true)) // 0-1
  await log.append(dataBatch(8n, 0, 1)) // 2
  await log.roll()
  await log.append(dataBatch(7n, 2, 2, true)) // 3-4
  assert.equal(log.state.lastStableOffset(5, 0), 0)
  await log.append(buildEndTxnMarker({ producerId: 7n, producerEpoch: 0, commit: false, coordinatorEpoch: 0 }), 'coordinator') // 5
  assert.equal(log.state.lastStableOffset(6, 0), 6)
  assert.equal(log.state.lastStableOffset(6, 7), 7, 'never below the log start')
  assert.equal(await log.fs.exists(`${DIR}/00000000000000000003.txnindex`), true)
  assert.equal(await log.fs.exists(`${DIR}/00000000000000000000.txnindex`), false)
  assert.deepEqual(await log.state.abortedTransactions(log.segments, 0, 6), [{ producerId: 7n, firstOffset: 0, lastOffset: 5, lastStableOffset: 6 }])
  assert.deepEqual(await log.state.abortedTransactions(log.segments, 6, 7), [])
  // A committed transaction leaves no entry.
  await log.append(dataBatch(7n, 4, 1, true)) // 6
  await log.append(buildEndTxnMarker({ producerId: 7n, producerEpoch: 0, commit: true, coordinatorEpoch: 0 }), 'coordinator') // 7
  assert.equal((await log.state.abortedTransactions(log.segments, 0, 8)).length, 1)
  const markerFromClient = await log.append(buildEndTxnMarker({ producerId: 7n, producerEpoch: 0, commit: true, coordinatorEpoch: -5 }), 'coordinator')
  assert.ok(markerFromClient instanceof StorageError)
  assert.equal(markerFromClient.kind, 'TRANSACTION_COORDINATOR_FENCED')
})

test('after a crash, load replays from the roll snapshot and rebuilds a cut txn index', async () => {
  const log = await fresh()
  await log.append(dataBatch(1n, 0, 5))
  await log.append(dataBatch(2n, 0, 1, true))
  await log.roll() // snapshot at 6
  assert.deepEqual(await listSnapshots(log.fs, DIR), [6])
  for (let seq = 5; seq < 30; seq += 5) await log.append(dataBatch(1n, seq, 5))
  await log.append(buildEndTxnMarker({ producerId: 2n, producerEpoch: 0, commit: false, coordinatorEpoch: 0 }), 'coordinator')
  // The index entry never reached the disk.
  await log.fs.rm(`${DIR}/00000000000000000006.txnindex`)
  const restarted = new LogProducerState(log.fs, DIR, config, silentLogger)
  await restarted.load(log.segments, 0, log.next, log.read, 2000)
  assert.deepEqual(restarted.activeProducers(), log.state.activeProducers())
  assert.deepEqual(await restarted.abortedTransactions(log.segments, 0, log.next), [{ producerId: 2n, firstOffset: 5, lastOffset: 31, lastStableOffset: 32 }])
  // All five retained batches came back through the replay: each retry is still a duplicate.
  for (let seq = 5; seq < 30; seq += 5) assert.equal(restarted.check(dataBatch(1n, seq, 5), log.next).kind, 'duplicate', `seq ${seq}`)
  // Loading again does not duplicate index entries.
  const again = new LogProducerState(log.fs, DIR, config, silentLogger)
  await again.load(log.segments, 0, log.next, log.read, 2000)
  assert.equal((await again.abortedTransactions(log.segments, 0, log.next)).length, 1)
})

test('a recovery with no snapshot replays from the log start: a transaction begun segments earlier keeps its first offset', async () => {
  const log = await fresh()
  await log.append(dataBatch(1n, 0, 3))
  await log.roll()
  await log.append(dataBatch(2n, 0, 2, true)) // the transaction starts at 3
  await log.roll()
  await log.append(dataBatch(1n, 3, 3))
  await log.roll()
  await log.append(dataBatch(2n, 2, 2, true))
  await log.append(buildEndTxnMarker({ producerId: 2n, producerEpoch: 0, commit: false, coordinatorEpoch: 0 }), 'coordinator')
  const expected = [{ producerId: 2n, firstOffset: 3, lastOffset: 10, lastStableOffset: 11 }]
  assert.deepEqual(await log.state.abortedTransactions(log.segments, 0, log.next), expected)
  for (const offset of await listSnapshots(log.fs, DIR)) await log.fs.rm(`${DIR}/${String(offset).padStart(20, '0')}.snapshot`)
  // A crash before the index entry reached the disk; recovery re-read the last two segments.
  await log.fs.rm(`${DIR}/00000000000000000008.txnindex`)
  const restarted = new LogProducerState(log.fs, DIR, config, silentLogger)
  await restarted.load(log.segments, 0, log.next, log.read, 2000, log.segments.at(-2))
  assert.deepEqual(await restarted.abortedTransactions(log.segments, 0, log.next), expected)
})

test('after a crash, snapshots above the re-read segments stay for the next start', async () => {
  const log = await fresh()
  await log.append(dataBatch(1n, 0, 3))
  await log.roll()
  await log.append(dataBatch(1n, 3, 3))
  await log.roll()
  assert.deepEqual(await listSnapshots(log.fs, DIR), [3, 6])
  const restarted = new LogProducerState(log.fs, DIR, config, silentLogger)
  await restarted.load(log.segments, 0, log.next, log.read, 2000, 0)
  assert.deepEqual(await listSnapshots(log.fs, DIR), [3, 6])
  assert.equal(restarted.check(dataBatch(1n, 3, 3), log.next).kind, 'duplicate')
})

test('a clean close snapshots at the log end, so load replays nothing', async () => {
  const log = await fresh()
  await log.append(dataBatch(1n, 0, 2))
  await log.state.close(log.next)
  assert.deepEqual(await listSnapshots(log.fs, DIR), [2])
  const reads: number[] = []
  const restarted = new LogProducerState(log.fs, DIR, config, silentLogger)
  await restarted.load(log.segments, 0, log.next, async (o) => { reads.push(o); return await log.read(o) }, 2000)
  assert.deepEqual(reads, [])
  assert.equal(restarted.check(dataBatch(1n, 0, 2), 2).kind, 'duplicate')
})

test('truncation drops later index entries and state, then replays up to the new end', async () => {
  const log = await fresh()
  await log.append(dataBatch(3n, 0, 1, true)) // 0
  await log.append(buildEndTxnMarker({ producerId: 3n, producerEpoch: 0, commit: false, coordinatorEpoch: 0 }), 'coordinator') // 1
  await log.append(dataBatch(4n, 0, 2)) // 2-3
  await log.append(dataBatch(3n, 1, 1, true)) // 4
  await log.append(buildEndTxnMarker({ producerId: 3n, producerEpoch: 0, commit: false, coordinatorEpoch: 0 }), 'coordinator') // 5
  assert.equal((await log.state.abortedTransactions(log.segments, 0, 6)).length, 2)
  log.truncateBatches(4)
  await log.state.onTruncate(log.segments, 0, 4, log.read, 2000)
  assert.deepEqual((await log.state.abortedTransactions(log.segments, 0, 6)).map((t) => t.lastOffset), [1])
  assert.equal(log.state.manager.mapEndOffset, 4)
  assert.equal(log.state.check(dataBatch(3n, 1, 1, true), 4).kind, 'accepted', 'producer 3 continues where the log now ends')
})
