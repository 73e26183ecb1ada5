import { test } from 'node:test'
import assert from 'node:assert/strict'
import { crc32c } from '@node-rs/crc32'
import { MemoryFileSystem } from '../../src/fs/memory-fs.js'
import { ProducerStateEntry } from '../../src/producer-state/producer-entry.js'
import { ProducerStateManager } from '../../src/producer-state/producer-state-manager.js'
import { CorruptSnapshotError, SNAPSHOT_ENTRY_SIZE, decodeSnapshot, encodeSnapshot } from '../../src/producer-state/snapshot.js'
import { listSnapshots, parseSnapshotFileName, snapshotFileName } from '../../src/producer-state/snapshot-file.js'
import { INT32_MAX } from '../../src/producer-state/sequence.js'
import { data, marker } from './helpers.js'

const config = { producerIdExpirationMs: 60_000 }
const DIR = '/log/topic-0'

test('snapshot bytes follow Kafka\'s version 1 layout', () => {
  const entry = new ProducerStateEntry(0x0102030405060708n, 7, 3, 1_700_000_000_000, 42,
    [{ firstSeq: 10, lastSeq: 14, firstOffset: 40, lastOffset: 44, timestamp: 1_700_000_000_000 }])
  const buf = encodeSnapshot([entry])
  assert.equal(buf.length, 10 + SNAPSHOT_ENTRY_SIZE)
  assert.equal(buf.readInt16BE(0), 1)
  assert.equal(buf.readUInt32BE(2), crc32c(buf.subarray(6)) >>> 0)
  assert.equal(buf.readInt32BE(6), 1)
  assert.equal(buf.readBigInt64BE(10), 0x0102030405060708n)
  assert.equal(buf.readInt16BE(18), 7)
  assert.equal(buf.readInt32BE(20), 14)
  assert.equal(buf.readBigInt64BE(24), 44n)
  assert.equal(buf.readInt32BE(32), 4)
  assert.equal(buf.readBigInt64BE(36), 1_700_000_000_000n)
  assert.equal(buf.readInt32BE(44), 3)
  assert.equal(buf.readBigInt64BE(48), 42n)
})

test('snapshot round trip keeps the last batch of each producer, across a sequence wrap', () => {
  const entries = [
    new ProducerStateEntry(1n, 0, -1, 5, -1, [
      { firstSeq: 0, lastSeq: 1, firstOffset: 0, lastOffset: 1, timestamp: 5 },
      { firstSeq: INT32_MAX - 1, lastSeq: 1, firstOffset: 2, lastOffset: 5, timestamp: 5 }
    ]),
    new ProducerStateEntry(2n, 4, 9, 6, 100, []),
    new ProducerStateEntry(-5n, 0, -1, 7, -1, [{ firstSeq: 3, lastSeq: 3, firstOffset: 8, lastOffset: 8, timestamp: 7 }])
  ]
  const decoded = decodeSnapshot(encodeSnapshot(entries))
  assert.equal(decoded.length, 3)
  assert.deepEqual(decoded[0]?.batches, [{ firstSeq: INT32_MAX - 1, lastSeq: 1, firstOffset: 2, lastOffset: 5, timestamp: 5 }])
  // Spread on purpose: compares the entries' own fields whatever their class.
  // oxlint-disable-next-line typescript/no-misused-spread
  assert.deepEqual({ ...decoded[1] }, { ...entries[1] })
  // oxlint-disable-next-line typescript/no-misused-spread
  assert.deepEqual({ ...decoded[2] }, { ...entries[2] })
})

test('a snapshot with a bad CRC, version or length is corrupt', () => {
  const good = encodeSnapshot([new ProducerStateEntry(1n, 0, -1, 5, -1, [])])
  const flipped = Buffer.from(good)
  flipped[20] = (flipped[20] ?? 0) ^ 1
  assert.throws(() => decodeSnapshot(flipped), CorruptSnapshotError)
  const version = Buffer.from(good)
  version.writeInt16BE(2, 0)
  assert.throws(() => decodeSnapshot(version), CorruptSnapshotError)
  assert.throws(() => decodeSnapshot(good.subarray(0, good.length - 1)), CorruptSnapshotError)
  assert.throws(() => decodeSnapshot(Buffer.alloc(3)), CorruptSnapshotError)
})

test('snapshot file names are the 20-digit offset', () => {
  assert.equal(snapshotFileName(1234), '00000000000000001234.snapshot')
  assert.equal(parseSnapshotFileName('00000000000000001234.snapshot'), 1234)
  assert.equal(parseSnapshotFileName('00000000000000001234.log'), null)
  assert.equal(parseSnapshotFileName('1234.snapshot'), null)
})

async function freshDir (): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem()
  await fs.mkdir(DIR)
  return fs
}

test('takeSnapshot at a roll, then loadSnapshot restores the state and the replay point', async () => {
  const fs = await freshDir()
  const m = new ProducerStateManager(config)
  m.append([data({ pid: 1n, seq: 0, count: 3, offset: 0, ts: 1000 })])
  m.append([data({ pid: 2n, seq: 0, offset: 3, txn: true, ts: 1000 })])
  assert.equal(await m.takeSnapshot(fs, DIR), 4)
  assert.equal(await m.takeSnapshot(fs, DIR), null, 'nothing new since the last snapshot')
  assert.deepEqual(await fs.readdir(DIR), ['00000000000000000004.snapshot'])

  const loaded = new ProducerStateManager(config)
  assert.equal(await loaded.loadSnapshot(fs, DIR, 0, 10, 2000), 4)
  assert.equal(loaded.mapEndOffset, 4)
  assert.deepEqual(loaded.activeProducers(), m.activeProducers())
  assert.equal(loaded.lastStableOffset(10), 3, 'the open transaction is restored')
  // Continues where the original left off.
  assert.equal(loaded.append([data({ pid: 1n, seq: 3, offset: 4 })]).kind, 'appended')
  assert.equal(loaded.append([data({ pid: 1n, seq: 0, count: 3, offset: 5 })]).kind, 'duplicate')
})

test('loadSnapshot skips corrupt and out-of-range snapshots and drops expired producers', async () => {
  const fs = await freshDir()
  const m = new ProducerStateManager(config)
  m.append([data({ pid: 1n, seq: 0, offset: 0, ts: 1000 })])
  await m.takeSnapshot(fs, DIR)
  m.append([data({ pid: 2n, seq: 0, offset: 1, ts: 100_000 })])
  await m.takeSnapshot(fs, DIR)
  m.append([data({ pid: 3n, seq: 0, offset: 2, ts: 100_000 })])
  await m.takeSnapshot(fs, DIR)
  assert.deepEqual(await listSnapshots(fs, DIR), [1, 2, 3])
  // Corrupt the snapshot at 2; the log was truncated to 2, so 3 is past the end.
  const path = `${DIR}/${snapshotFileName(2)}`
  const bytes = await fs.readFile(path)
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff
  const fh = await fs.open(path, 'r+')
  await fh.write(bytes, 0)
  await fh.close()

  const loaded = new ProducerStateManager(config)
  assert.equal(await loaded.loadSnapshot(fs, DIR, 0, 2, 62_000), 1)
  assert.deepEqual(await listSnapshots(fs, DIR), [1])
  assert.equal(loaded.producerCount, 0, 'producer 1 expired at load')

  const again = new ProducerStateManager(config)
  assert.equal(await again.loadSnapshot(fs, DIR, 0, 2, 2000), 1)
  assert.equal(again.producerCount, 1)
  assert.equal(await again.loadSnapshot(fs, DIR, 1, 2, 2000), 1, 'a snapshot at the log start is not used: replay from the start')
  assert.deepEqual(await listSnapshots(fs, DIR), [])
  assert.equal(again.producerCount, 0)
})

test('truncateAndReload reloads only when the state covers another range', async () => {
  const fs = await freshDir()
  const m = new ProducerStateManager(config)
  m.append([data({ seq: 0, offset: 0 })])
  await m.takeSnapshot(fs, DIR)
  m.append([data({ seq: 1, offset: 1 }), data({ seq: 2, offset: 2 })])
  await m.takeSnapshot(fs, DIR)
  assert.equal(await m.truncateAndReload(fs, DIR, 0, 3, 0), null)
  assert.equal(await m.truncateAndReload(fs, DIR, 0, 2, 0), 1)
  assert.deepEqual(await listSnapshots(fs, DIR), [1])
  assert.equal(m.lastEntry(1n)?.lastSeq, 0)
  m.append([data({ seq: 1, offset: 1 })], 'replication')
  assert.equal(m.mapEndOffset, 2)
  await m.deleteSnapshotsBefore(fs, DIR, 2)
  assert.deepEqual(await listSnapshots(fs, DIR), [])
})

test('a snapshot keeps the coordinator epoch so a zombie coordinator stays fenced', async () => {
  const fs = await freshDir()
  const m = new ProducerStateManager(config)
  m.append([data({ seq: 0, offset: 0, txn: true })])
  m.append([marker({ offset: 1, commit: true, coordinatorEpoch: 8 })], 'coordinator')
  await m.takeSnapshot(fs, DIR)
  const loaded = new ProducerStateManager(config)
  await loaded.loadSnapshot(fs, DIR, 0, 2, 0)
  loaded.append([data({ seq: 1, offset: 2, txn: true })])
  const outcome = loaded.append([marker({ offset: 3, commit: true, coordinatorEpoch: 7 })], 'coordinator')
  assert.equal(outcome.kind, 'rejected')
})

test('stray snapshots (no segment at their offset) go, except the newest past every segment', async () => {
  const fs = await freshDir()
  const m = new ProducerStateManager(config)
  for (const [i, offset] of [3, 5, 8, 12].entries()) {
    m.append([data({ seq: i, offset: offset - 1 })])
    await m.takeSnapshot(fs, DIR)
  }
  assert.deepEqual(await listSnapshots(fs, DIR), [3, 5, 8, 12])
  await m.removeStraySnapshots(fs, DIR, [0, 5, 8])
  assert.deepEqual(await listSnapshots(fs, DIR), [5, 8, 12], '12 is the clean-shutdown snapshot; 3 lost its segment')
  await m.removeStraySnapshots(fs, DIR, [0, 5, 8, 20])
  assert.deepEqual(await listSnapshots(fs, DIR), [5, 8], 'a stray below the last segment base goes too')
})
