import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { iterateBatches, batchBaseOffset, hasValidCrc, TIMESTAMP_TYPE_MASK, ATTRIBUTES } from '@brook/protocol'
import { StorageError } from '../../src/types.js'
import { batchOf, memoryLog, readAll, simpleBatch, openManager, testConfig } from '../helpers.js'

const durable = { leaderEpoch: 3, durable: false }

describe('Log append and read', () => {
  it('assigns consecutive offsets, patches epoch, serves whole batches', async () => {
    const { log, manager } = await memoryLog()
    const a = await log.append(simpleBatch(3, 1000), durable)
    const b = await log.append(simpleBatch(2, 2000), durable)
    assert.deepEqual([a.baseOffset, a.lastOffset, b.baseOffset, b.lastOffset], [0, 2, 3, 4])
    assert.equal(a.logAppendTime, -1)
    assert.equal(log.logEndOffset, 5)
    const r = await log.read(4, { maxBytes: 1 << 20, minOneBatch: true })
    const batches = [...iterateBatches(Buffer.concat(r.chunks))]
    assert.equal(batches.length, 1)
    assert.equal(batchBaseOffset(batches[0]!), 3, 'a fetch inside a batch returns that batch')
    assert.equal(batches[0]!.readInt32BE(12), 3)
    assert.ok(hasValidCrc(batches[0]!))
    const all = await readAll(log)
    assert.deepEqual(all.map((x) => x.offset), [0, 1, 2, 3, 4])
    await manager.close()
  })

  it('respects maxBytes (whole batches), minOneBatch and maxOffset', async () => {
    const { log, manager } = await memoryLog()
    const sizes: number[] = []
    for (let i = 0; i < 5; i++) {
      const b = simpleBatch(2, 1000 + i, 100)
      sizes.push(b.length)
      await log.append(b, durable)
    }
    const two = await log.read(0, { maxBytes: sizes[0]! + sizes[1]! + 10, minOneBatch: false })
    assert.equal(two.bytes, sizes[0]! + sizes[1]!)
    const none = await log.read(0, { maxBytes: 10, minOneBatch: false })
    assert.equal(none.bytes, 0)
    const one = await log.read(0, { maxBytes: 10, minOneBatch: true })
    assert.equal(one.bytes, sizes[0])
    const bounded = await log.read(0, { maxBytes: 1 << 20, minOneBatch: true, maxOffset: 4 })
    assert.equal([...iterateBatches(bounded.chunks[0]!)].length, 2)
    const atBound = await log.read(4, { maxBytes: 1 << 20, minOneBatch: true, maxOffset: 4 })
    assert.equal(atBound.bytes, 0)
    await manager.close()
  })

  it('rejects reads outside [logStart, LEO] with OFFSET_OUT_OF_RANGE; LEO itself is empty', async () => {
    const { log, manager } = await memoryLog()
    await log.append(simpleBatch(2, 1), durable)
    assert.equal((await log.read(2, { maxBytes: 100, minOneBatch: true })).bytes, 0)
    await assert.rejects(log.read(3, { maxBytes: 100, minOneBatch: true }), (e: unknown) => e instanceof StorageError && e.kind === 'OFFSET_OUT_OF_RANGE')
    await assert.rejects(log.read(-1, { maxBytes: 100, minOneBatch: true }), (e: unknown) => e instanceof StorageError && e.kind === 'OFFSET_OUT_OF_RANGE')
    await manager.close()
  })

  it('rejects broken framing and oversized appends', async () => {
    const { log, manager } = await memoryLog({ segmentBytes: 1024 })
    const b = simpleBatch(1, 1)
    await assert.rejects(log.append(b.subarray(0, b.length - 1), durable), (e: unknown) => e instanceof StorageError && e.kind === 'CORRUPT_MESSAGE')
    await assert.rejects(log.append(simpleBatch(10, 1, 200), durable), (e: unknown) => e instanceof StorageError && e.kind === 'RECORD_LIST_TOO_LARGE')
    assert.equal(log.logEndOffset, 0)
    await manager.close()
  })

  it('coalesces concurrent appends into one write, in call order', async () => {
    const { fs, log, manager } = await memoryLog()
    await log.append(simpleBatch(1, 1), durable)
    const before = fs.stats.writes
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(simpleBatch(2, 100 + i), durable)))
    assert.deepEqual(results.map((r) => r.baseOffset), Array.from({ length: 20 }, (_, i) => 1 + 2 * i))
    assert.ok(fs.stats.writes - before <= 2, `expected coalesced writes, got ${fs.stats.writes - before}`)
    await manager.close()
  })

  it('group commit: durable appends share one fsync pass', async () => {
    const { fs, log, manager } = await memoryLog()
    await log.append(simpleBatch(1, 1), { leaderEpoch: 0, durable: true })
    const syncs = fs.stats.syncs
    await Promise.all(Array.from({ length: 30 }, (_, i) => log.append(simpleBatch(1, 10 + i), { leaderEpoch: 0, durable: true })))
    assert.ok(fs.stats.syncs - syncs <= 3, `30 durable appends took ${fs.stats.syncs - syncs} fsyncs`)
    assert.equal(log.recoveryPoint, log.logEndOffset)
    await manager.close()
  })

  it('stamps LogAppendTime (attribute bit, maxTimestamp, valid CRC)', async () => {
    const { log, manager } = await memoryLog({ messageTimestampType: 'LogAppendTime' })
    const res = await log.append(simpleBatch(2, 5), { leaderEpoch: 0, durable: false, now: 123_456 })
    assert.equal(res.logAppendTime, 123_456)
    const chunk = (await log.read(0, { maxBytes: 1 << 16, minOneBatch: true })).chunks[0]!
    assert.ok((chunk.readInt16BE(ATTRIBUTES) & TIMESTAMP_TYPE_MASK) !== 0)
    assert.equal(Number(chunk.readBigInt64BE(35)), 123_456)
    assert.ok(hasValidCrc(chunk))
    const all = await readAll(log)
    assert.deepEqual(all.map((r) => r.timestamp), [123_456, 123_456])
    await manager.close()
  })

  it('rolls segments at segment.bytes and reads across them', async () => {
    const { log, manager } = await memoryLog({ segmentBytes: 2048 })
    for (let i = 0; i < 40; i++) await log.append(simpleBatch(2, 1000 + i, 100), durable)
    assert.ok(log.segments.length > 5)
    for (const seg of log.segments.slice(0, -1)) assert.ok(seg.size <= 2048)
    const all = await readAll(log, 0, 300)
    assert.deepEqual(all.map((r) => r.offset), Array.from({ length: 80 }, (_, i) => i))
    await manager.close()
  })

  it('rolls at segment.ms measured from the first batch timestamp', async () => {
    const { log, manager } = await memoryLog({ segmentMs: 1000 })
    await log.append(batchOf([{ key: 'a', value: 'x', timestamp: 10_000 }]), durable)
    await log.append(batchOf([{ key: 'a', value: 'x', timestamp: 10_500 }]), durable)
    assert.equal(log.segments.length, 1)
    await log.append(batchOf([{ key: 'a', value: 'x', timestamp: 11_001 }]), durable)
    assert.equal(log.segments.length, 2)
    assert.equal(log.activeSegment.baseOffset, 2)
    await manager.close()
  })

  it('onAppend listeners see the new log end offset', async () => {
    const { log, manager } = await memoryLog()
    const seen: number[] = []
    const off = log.onAppend((leo) => seen.push(leo))
    await log.append(simpleBatch(2, 1), durable)
    off()
    await log.append(simpleBatch(2, 1), durable)
    assert.deepEqual(seen, [2])
    await manager.close()
  })

  it('keeps offsets ordered: high watermark clamps, deleteRecordsBefore needs offset <= HW', async () => {
    const { log, manager } = await memoryLog({ segmentBytes: 1024 })
    for (let i = 0; i < 20; i++) await log.append(simpleBatch(2, i, 60), durable)
    log.setHighWatermark(1000)
    assert.equal(log.highWatermark, 40)
    log.setHighWatermark(30)
    await assert.rejects(log.deleteRecordsBefore(31), (e: unknown) => e instanceof StorageError && e.kind === 'OFFSET_OUT_OF_RANGE')
    const segsBefore = log.segments.length
    assert.equal(await log.deleteRecordsBefore(25), 25)
    assert.equal(log.logStartOffset, 25)
    assert.ok(log.segments.length < segsBefore)
    assert.ok(log.segments[0]!.baseOffset <= 25)
    await assert.rejects(log.read(24, { maxBytes: 100, minOneBatch: true }), (e: unknown) => e instanceof StorageError && e.kind === 'OFFSET_OUT_OF_RANGE')
    const rest = await readAll(log)
    assert.equal(rest[0]!.offset, 25)
    await manager.close()
  })

  it('truncateTo removes the tail; appends continue from there', async () => {
    const { log, manager } = await memoryLog({ segmentBytes: 1024 })
    for (let i = 0; i < 20; i++) await log.append(simpleBatch(2, i, 60), durable)
    log.setHighWatermark(40)
    await log.truncateTo(11)
    assert.equal(log.logEndOffset, 11)
    assert.equal(log.highWatermark, 11)
    const r = await log.append(simpleBatch(1, 99), durable)
    assert.equal(r.baseOffset, 11)
    const all = await readAll(log)
    assert.deepEqual(all.map((x) => x.offset), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11])
    await manager.close()
  })

  it('truncateTo below the log start empties the log and restarts it there', async () => {
    const { log, manager } = await memoryLog()
    for (let i = 0; i < 5; i++) await log.append(simpleBatch(2, i), durable)
    log.setHighWatermark(10)
    await log.deleteRecordsBefore(6)
    await log.truncateTo(3)
    assert.deepEqual(log.offsets, { logStartOffset: 3, lastStableOffset: 3, highWatermark: 3, logEndOffset: 3 })
    assert.equal((await log.append(simpleBatch(1, 1), durable)).baseOffset, 3)
    await manager.close()
  })

  it('survives close and reopen with the same content and offsets', async () => {
    const { fs, log, manager } = await memoryLog({ segmentBytes: 2048 })
    for (let i = 0; i < 30; i++) await log.append(simpleBatch(3, 1000 + i * 10, 50), durable)
    log.setHighWatermark(90)
    await log.deleteRecordsBefore(7)
    const before = await readAll(log)
    await manager.close()
    const again = await openManager(fs, testConfig({ segmentBytes: 2048 }))
    const log2 = again.getLog('t', 0)!
    assert.equal(log2.logEndOffset, 90)
    assert.equal(log2.logStartOffset, 7)
    assert.equal(log2.highWatermark, 90)
    assert.deepEqual(await readAll(log2), before)
    assert.equal((await log2.append(simpleBatch(1, 1), durable)).baseOffset, 90)
    await again.close()
  })
})

describe('Log timestamps', () => {
  it('offsetForTimestamp: first record with timestamp >= target, record-level', async () => {
    const { log, manager } = await memoryLog({ segmentBytes: 2048 })
    for (let i = 0; i < 30; i++) {
      await log.append(batchOf([0, 1, 2].map((j) => ({ key: 'k', value: 'v'.repeat(40), timestamp: 1000 + i * 30 + j * 10 }))), durable)
    }
    assert.deepEqual(await log.offsetForTimestamp(0), { offset: 0, timestamp: 1000, leaderEpoch: 3 })
    assert.deepEqual(await log.offsetForTimestamp(1011), { offset: 2, timestamp: 1020, leaderEpoch: 3 })
    assert.deepEqual(await log.offsetForTimestamp(1600), { offset: 60, timestamp: 1600, leaderEpoch: 3 })
    assert.equal(await log.offsetForTimestamp(5000), null)
    assert.deepEqual(log.maxTimestampOffset(), { timestamp: 1000 + 29 * 30 + 20, offset: 89 })
    assert.deepEqual(await log.findMaxTimestampOffset(), { timestamp: 1000 + 29 * 30 + 20, offset: 89, leaderEpoch: 3 })
    await manager.close()
  })

  it('maxTimestampOffset: null on an empty log; findMaxTimestampOffset finds the exact record', async () => {
    const { log, manager } = await memoryLog()
    assert.equal(log.maxTimestampOffset(), null)
    await log.append(batchOf([{ key: 'a', value: 'b', timestamp: 50 }, { key: 'a', value: 'b', timestamp: 90 }, { key: 'a', value: 'b', timestamp: 70 }]), durable)
    assert.deepEqual(log.maxTimestampOffset(), { timestamp: 90, offset: 2 })
    assert.deepEqual(await log.findMaxTimestampOffset(), { timestamp: 90, offset: 1, leaderEpoch: 3 })
    await manager.close()
  })
})

describe('Log config', () => {
  it('flush.messages makes appends wait for an fsync', async () => {
    const { fs, log, manager } = await memoryLog({ flushMessages: 1 })
    const syncs = fs.stats.syncs
    await log.append(simpleBatch(1, 1), durable)
    assert.ok(fs.stats.syncs > syncs)
    assert.equal(log.recoveryPoint, 1)
    await manager.close()
  })

  it('rejects a config-less second open on the same manager', async () => {
    const { manager } = await memoryLog()
    await assert.rejects(manager.open(), /BROOK_STORAGE_STATE/)
    await manager.close()
  })
})

describe('Log rolls and flushes', () => {
  it('rolls when the offset index is full (segment.index.bytes)', async () => {
    const { log, manager } = await memoryLog({ segmentIndexBytes: 24, indexIntervalBytes: 1 })
    for (let i = 0; i < 12; i++) await log.append(simpleBatch(1, i, 20), durable)
    assert.ok(log.segments.length >= 3)
    for (const seg of log.segments) assert.ok((await seg.offsetIndex()).entries <= 3)
    assert.deepEqual((await readAll(log)).map((r) => r.offset), Array.from({ length: 12 }, (_, i) => i))
    await manager.close()
  })

  it('flush.ms fsyncs data and indexes in the background', async () => {
    const { fs, log, manager } = await memoryLog({ flushMs: 20 })
    await log.append(simpleBatch(2, 1), durable)
    assert.equal(log.recoveryPoint, 0)
    const syncs = fs.stats.syncs
    const deadline = Date.now() + 2000
    while (log.recoveryPoint < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
    assert.equal(log.recoveryPoint, 2)
    assert.ok(fs.stats.syncs > syncs)
    await manager.close()
  })

  it('a rolled segment is fsynced in the background; the recovery point passes it only with its indexes', async () => {
    const { fs, log, manager } = await memoryLog({ segmentBytes: 1024 })
    for (let i = 0; i < 12; i++) await log.append(simpleBatch(1, i, 100), durable)
    await log.exclusive(async () => {})
    assert.ok(log.segments.length > 1)
    const firstActive = log.activeSegment.baseOffset
    assert.equal(log.recoveryPoint, firstActive)
    for (const seg of log.segments.slice(0, -1)) assert.equal(seg.indexesDurable, true)
    await manager.abandon()
    fs.powerCut()
    const again = await openManager(fs, testConfig({ segmentBytes: 1024 }))
    assert.ok(again.getLog('t', 0)!.logEndOffset >= firstActive, 'everything before the roll survived')
    await again.close()
  })
})
