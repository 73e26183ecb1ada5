import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MemoryFileSystem } from '../../src/fs/memory-fs.js'
import {
  ABORTED_TXN_SIZE, TransactionIndex, collectAbortedTxns, decodeAbortedTxns, encodeAbortedTxn
} from '../../src/producer-state/txn-index.js'

const DIR = '/log/t-0'

test('an aborted transaction entry is 34 bytes in Kafka\'s layout', () => {
  const buf = encodeAbortedTxn({ producerId: 77n, firstOffset: 10, lastOffset: 20, lastStableOffset: 11 })
  assert.equal(buf.length, ABORTED_TXN_SIZE)
  assert.equal(buf.readInt16BE(0), 0)
  assert.equal(buf.readBigInt64BE(2), 77n)
  assert.equal(buf.readBigInt64BE(10), 10n)
  assert.equal(buf.readBigInt64BE(18), 20n)
  assert.equal(buf.readBigInt64BE(26), 11n)
  assert.deepEqual(decodeAbortedTxns(buf), { entries: [{ producerId: 77n, firstOffset: 10, lastOffset: 20, lastStableOffset: 11 }], validBytes: 34 })
})

test('entries persist, a torn tail is cut off at open, truncateTo drops later markers', async () => {
  const fs = new MemoryFileSystem()
  await fs.mkdir(DIR)
  const path = `${DIR}/00000000000000000000.txnindex`
  const index = TransactionIndex.empty(fs, path, 0)
  assert.equal(await fs.exists(path), false, 'no file until the first entry')
  await index.append({ producerId: 1n, firstOffset: 0, lastOffset: 5, lastStableOffset: 6 })
  await index.append({ producerId: 2n, firstOffset: 3, lastOffset: 9, lastStableOffset: 10 })
  await assert.rejects(index.append({ producerId: 3n, firstOffset: 1, lastOffset: 9, lastStableOffset: 10 }), /BROOK_TXN_INDEX_ORDER/)
  await index.flush()
  // Simulate a torn write of a third entry.
  const fh = await fs.open(path, 'r+')
  await fh.write(encodeAbortedTxn({ producerId: 3n, firstOffset: 10, lastOffset: 12, lastStableOffset: 13 }).subarray(0, 20), 68)
  await fh.close()
  const reopened = await TransactionIndex.open(fs, path, 0)
  assert.equal(reopened.entries.length, 2)
  assert.equal((await fs.stat(path)).size, 68)
  await reopened.truncateTo(9)
  assert.deepEqual(reopened.entries.map((t) => t.producerId), [1n])
  assert.equal((await fs.stat(path)).size, 34)
  await reopened.append({ producerId: 4n, firstOffset: 7, lastOffset: 8, lastStableOffset: 9 })
  assert.deepEqual((await TransactionIndex.open(fs, path, 0)).entries.map((t) => t.lastOffset), [5, 8])
  await reopened.delete()
  assert.equal(await fs.exists(path), false)
  assert.equal((await TransactionIndex.open(fs, path, 0)).entries.length, 0)
})

test('collect returns the transactions overlapping the fetch range and stops once the LSO covers it', async () => {
  const fs = new MemoryFileSystem()
  await fs.mkdir(DIR)
  const seg0 = TransactionIndex.empty(fs, `${DIR}/0.txnindex`, 0)
  const seg1 = TransactionIndex.empty(fs, `${DIR}/1.txnindex`, 100)
  const seg2 = TransactionIndex.empty(fs, `${DIR}/2.txnindex`, 200)
  await seg0.append({ producerId: 1n, firstOffset: 10, lastOffset: 20, lastStableOffset: 15 })
  await seg0.append({ producerId: 2n, firstOffset: 15, lastOffset: 40, lastStableOffset: 41 })
  // A transaction that started in segment 0 and was aborted in segment 1.
  await seg1.append({ producerId: 3n, firstOffset: 90, lastOffset: 120, lastStableOffset: 121 })
  await seg2.append({ producerId: 4n, firstOffset: 210, lastOffset: 220, lastStableOffset: 221 })
  const ids = async (fetch: number, upper: number): Promise<bigint[]> => (await collectAbortedTxns([seg0, seg1, seg2], fetch, upper)).map((t) => t.producerId)
  assert.deepEqual(await ids(0, 30), [1n, 2n])
  assert.deepEqual(await ids(21, 30), [2n])
  assert.deepEqual(await ids(41, 95), [3n])
  assert.deepEqual(await ids(0, 300), [1n, 2n, 3n, 4n])
  assert.deepEqual(await ids(121, 205), [])
  assert.deepEqual(seg0.collect(0, 12), { txns: [{ producerId: 1n, firstOffset: 10, lastOffset: 20, lastStableOffset: 15 }], complete: true })
  assert.equal(seg0.collect(0, 100).complete, false)
})
