// Producer state inside the real partition log (LogManager on the memory fs): duplicates answered
// with the original offsets, refusals writing nothing, the LSO and aborted transactions, and all
// of it surviving a clean restart, a power cut, and segment rolls.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildBatchSync, buildEndTxnMarker } from '@brook/protocol'
import { MemoryFileSystem } from '../../src/fs/memory-fs.js'
import type { Log } from '../../src/log/partition-log.js'
import { StorageError } from '../../src/types.js'
import { openManager, readAll, testConfig } from '../helpers.js'

function batch (pid: bigint, seq: number, count: number, txn = false, epoch = 0): Buffer {
  return buildBatchSync({
    producerId: pid, producerEpoch: epoch, baseSequence: seq, transactional: txn,
    records: Array.from({ length: count }, (_v, i) => ({ key: null, value: Buffer.from(`p${pid}-${seq + i}`), timestamp: BigInt(Date.now()) }))
  })
}

const opts = { leaderEpoch: 0, durable: true }

async function append (log: Log, records: Buffer, origin: 'client' | 'coordinator' = 'client'): Promise<number | string> {
  try {
    const r = await log.append(records, { ...opts, origin })
    log.setHighWatermark(log.logEndOffset)
    return r.baseOffset
  } catch (err) {
    if (err instanceof StorageError) return err.kind
    throw err
  }
}

test('the log answers retries with the original offsets and refuses gaps without writing', async () => {
  const fs = new MemoryFileSystem()
  const manager = await openManager(fs, testConfig())
  const log = await manager.createOrGetLog('t', 0)
  assert.equal(await append(log, batch(1n, 0, 3)), 0)
  assert.equal(await append(log, batch(2n, 0, 2)), 3)
  // Retried concurrently with new data: the duplicate writes nothing and keeps its offsets.
  const [dup, fresh] = await Promise.all([log.append(batch(1n, 0, 3), opts), log.append(batch(1n, 3, 1), opts)])
  assert.equal(dup.baseOffset, 0)
  assert.equal(dup.lastOffset, 2)
  assert.equal(fresh.baseOffset, 5)
  assert.equal(await append(log, batch(1n, 9, 1)), 'OUT_OF_ORDER_SEQUENCE_NUMBER')
  assert.equal(await append(log, batch(2n, 2, 1, false, -1)), 'INVALID_PRODUCER_EPOCH')
  assert.equal(log.logEndOffset, 6)
  assert.equal((await readAll(log)).length, 6)
  await manager.close()
})

test('transactions: LSO, aborted transactions, and state across a clean restart and a power cut', async () => {
  const fs = new MemoryFileSystem()
  const config = testConfig({ segmentBytes: 600 })
  let manager = await openManager(fs, config)
  let log = await manager.createOrGetLog('t', 0)
  assert.equal(await append(log, batch(5n, 0, 2, true)), 0)
  for (let seq = 0; seq < 60; seq += 3) await append(log, batch(6n, seq, 3))
  assert.ok(log.segments.length > 2, 'rolled a few times')
  const marker = log.logEndOffset // 62
  assert.equal(log.lastStableOffset, 0, 'the open transaction holds the LSO')
  assert.equal(log.highWatermark, marker)
  await append(log, buildEndTxnMarker({ producerId: 5n, producerEpoch: 0, commit: false, coordinatorEpoch: 0, timestamp: BigInt(Date.now()) }), 'coordinator')
  assert.equal(log.lastStableOffset, marker + 1)
  assert.deepEqual(await log.abortedTransactions(0, marker + 1), [{ producerId: 5n, firstOffset: 0, lastOffset: marker, lastStableOffset: marker + 1 }])
  assert.deepEqual(await log.abortedTransactions(marker + 1, marker + 2), [])
  assert.equal(await append(log, batch(5n, 2, 1, true)), marker + 1)
  assert.equal(log.lastStableOffset, marker + 1)
  await manager.close()

  manager = await openManager(fs, config)
  log = manager.getLog('t', 0)!
  assert.equal(log.lastStableOffset, marker + 1, 'the open transaction came back from the snapshot')
  assert.deepEqual((await log.abortedTransactions(0, marker + 2)).map((t) => t.lastOffset), [marker])
  assert.equal(await append(log, batch(6n, 57, 3)), marker - 3, 'a retry of the last batch is still a duplicate')
  assert.equal(await append(log, batch(6n, 60, 1)), marker + 2)
  assert.deepEqual(log.activeProducers().map((p) => [p.producerId, p.lastSequence, p.currentTxnStartOffset]).sort(),
    [[5n, 2, marker + 1], [6n, 60, -1]])

  fs.powerCut()
  manager = await openManager(fs, config)
  log = manager.getLog('t', 0)!
  assert.equal(log.logEndOffset, marker + 3, 'durable appends survive')
  assert.equal(log.lastStableOffset, marker + 1)
  assert.equal(await append(log, batch(6n, 60, 1)), marker + 2, 'duplicate detection rebuilt from the log tail')
  assert.equal(await append(log, buildEndTxnMarker({ producerId: 5n, producerEpoch: 0, commit: true, coordinatorEpoch: 0, timestamp: BigInt(Date.now()) }), 'coordinator'), marker + 3)
  assert.equal(log.lastStableOffset, marker + 4)
  assert.equal((await log.abortedTransactions(0, marker + 4)).length, 1, 'a commit adds no entry')
  await manager.close()
})

test('truncation forgets producer state past the new end', async () => {
  const fs = new MemoryFileSystem()
  const manager = await openManager(fs, testConfig())
  const log = await manager.createOrGetLog('t', 0)
  await append(log, batch(1n, 0, 2))
  await append(log, batch(1n, 2, 2, true))
  assert.equal(log.lastStableOffset, 2)
  await log.truncateTo(2)
  assert.equal(log.lastStableOffset, 2)
  assert.equal(log.activeProducers()[0]?.lastSequence, 1)
  assert.equal(await append(log, batch(1n, 2, 2)), 2, 'the truncated batch can be written again')
  assert.equal(log.lastStableOffset, 4)
  await manager.close()
})

test('a fetch of one segment learns of an aborted transaction whose marker lies in a later segment', { timeout: 30_000 }, async () => {
  const fs = new MemoryFileSystem()
  const manager = await openManager(fs, testConfig({ segmentBytes: 600 }))
  const log = await manager.createOrGetLog('t', 0)
  for (let seq = 0; seq < 30; seq += 3) await append(log, batch(5n, seq, 3, true))
  await append(log, batch(6n, 0, 3))
  await append(log, batch(6n, 3, 3))
  const marker = await append(log, buildEndTxnMarker({ producerId: 5n, producerEpoch: 0, commit: false, coordinatorEpoch: 0, timestamp: BigInt(Date.now()) }), 'coordinator')
  assert.equal(typeof marker, 'number')
  const bases = log.segments.map((s) => s.baseOffset)
  assert.ok(bases.length >= 3, `the transaction spans segments (${bases.join(', ')})`)
  const want = [{ producerId: 5n, firstOffset: 0, lastOffset: marker as number, lastStableOffset: (marker as number) + 1 }]
  // Each fetch of a segment that holds the transaction's data stops before the marker's segment.
  for (let i = 0; i + 1 < bases.length && bases[i + 1]! <= (marker as number); i++) {
    assert.deepEqual(await log.abortedTransactions(bases[i]!, bases[i + 1]!), bases[i]! < 30 ? want : [], `fetch of [${bases[i]}, ${bases[i + 1]})`)
  }
  assert.equal(await append(log, batch(6n, 6, 3)), (marker as number) + 1)
  assert.deepEqual(await log.abortedTransactions((marker as number) + 1, (marker as number) + 4), [], 'data after the marker is not covered')
  await manager.close()
})
