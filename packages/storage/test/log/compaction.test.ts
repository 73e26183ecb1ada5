import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { decodeBatchSync, iterateBatches, Compression, DELETE_HORIZON_MASK, hasValidCrc } from '@brook/protocol'
import { MemoryFileSystem } from '../../src/fs/memory-fs.js'
import type { Log } from '../../src/log/partition-log.js'
import { batchOf, openManager, readAll, testConfig } from '../helpers.js'

const config = testConfig({
  segmentBytes: 1024,
  cleanupPolicy: ['compact'],
  minCleanableDirtyRatio: 0.5,
  deleteRetentionMs: 10_000
})

async function put (log: Log, key: string | null, value: string | null, ts: number, opts: { producerId?: bigint, baseSequence?: number, compression?: Compression } = {}): Promise<number> {
  const r = await log.append(batchOf([{ key, value, timestamp: ts }], opts), { leaderEpoch: 0, durable: false })
  log.setHighWatermark(log.logEndOffset)
  return r.baseOffset
}

async function rawBatches (log: Log): Promise<Buffer[]> {
  const out: Buffer[] = []
  let offset = log.logStartOffset
  while (offset < log.logEndOffset) {
    const r = await log.read(offset, { maxBytes: 1 << 20, minOneBatch: true })
    if (r.bytes === 0) break
    for (const b of iterateBatches(r.chunks[0]!)) {
      out.push(b)
      offset = Number(b.readBigInt64BE(0)) + b.readInt32BE(23) + 1
    }
  }
  return out
}

describe('log cleaner', () => {
  it('keeps the last record per key, never touches the active segment, keeps offsets', async () => {
    const fs = new MemoryFileSystem()
    const manager = await openManager(fs, config)
    const log = await manager.createOrGetLog('c', 0, config)
    for (let i = 0; i < 60; i++) await put(log, `k${i % 4}`, `v${i}-${'x'.repeat(30)}`, 1000 + i, { compression: i % 3 === 0 ? Compression.Gzip : Compression.None })
    const activeBase = log.activeSegment.baseOffset
    const activeBefore = (await readAll(log)).filter((r) => r.offset >= activeBase)
    const sizeBefore = log.size
    const stats = await manager.runCleaner(2000)
    assert.ok(stats !== null && stats.segmentsCleaned > 0)
    assert.equal(stats.nextDirtyOffset, activeBase)
    assert.ok(log.size < sizeBefore)
    const after = await readAll(log)
    const cleaned = after.filter((r) => r.offset < activeBase)
    // Below the active segment, only each key's last record before it survives (unless the key reappears later).
    const lastBefore = new Map<string, number>()
    for (let i = 0; i < activeBase; i++) lastBefore.set(`k${i % 4}`, i)
    assert.deepEqual(cleaned.map((r) => r.offset), [...lastBefore.values()].sort((a, b) => a - b))
    for (const r of cleaned) assert.equal(r.value?.split('-')[0], `v${r.offset}`)
    assert.deepEqual(after.filter((r) => r.offset >= activeBase), activeBefore)
    for (const b of await rawBatches(log)) assert.ok(hasValidCrc(b))
    assert.equal(log.logEndOffset, 60)
    await manager.close()
    // The cleaned log reopens identically.
    const again = await openManager(fs, config, { topicConfig: () => config })
    assert.deepEqual(await readAll(again.getLog('c', 0)!), after)
    await again.close()
  })

  it('runs only past min.cleanable.dirty.ratio, and resumes from its checkpoint', async () => {
    const fs = new MemoryFileSystem()
    const manager = await openManager(fs, config)
    const log = await manager.createOrGetLog('c', 0, config)
    for (let i = 0; i < 40; i++) await put(log, `k${i % 2}`, 'x'.repeat(40), i)
    assert.notEqual(await manager.runCleaner(100), null)
    assert.equal(await manager.runCleaner(100), null, 'nothing dirty right after a pass')
    await put(log, 'k0', 'y'.repeat(40), 50)
    assert.equal(await manager.runCleaner(100), null, 'a little new data is below the ratio')
    await manager.close()
  })

  it('keeps tombstones until delete.retention.ms after their first cleaning, then drops them', async () => {
    const fs = new MemoryFileSystem()
    const cfg = { ...config, minCleanableDirtyRatio: 0 }
    const manager = await openManager(fs, cfg)
    const log = await manager.createOrGetLog('c', 0, cfg)
    await put(log, 'gone', 'value', 1)
    const tomb = await put(log, 'gone', null, 2)
    for (let i = 0; i < 30; i++) await put(log, `k${i % 3}`, 'x'.repeat(40), 10 + i)
    await manager.runCleaner(1_000)
    let records = await readAll(log)
    assert.ok(records.some((r) => r.offset === tomb && r.value === null), 'the tombstone stays for now')
    assert.ok(!records.some((r) => r.key === 'gone' && r.value !== null), 'the deleted value is gone')
    const tombBatch = (await rawBatches(log)).find((b) => decodeBatchSync(b).records.some((r) => Number(r.offset) === tomb))!
    assert.ok((tombBatch.readInt16BE(21) & DELETE_HORIZON_MASK) !== 0)
    assert.equal(Number(tombBatch.readBigInt64BE(27)), 1_000 + 10_000)
    // More dirty data, then a pass after the horizon.
    for (let i = 0; i < 30; i++) await put(log, `k${i % 3}`, 'z'.repeat(40), 100 + i)
    await manager.runCleaner(20_000)
    records = await readAll(log)
    assert.ok(!records.some((r) => r.key === 'gone'), 'the tombstone is gone after the horizon')
    await manager.close()
  })

  it('keeps an emptied batch when it is its producer\'s last (sequence state survives)', async () => {
    const fs = new MemoryFileSystem()
    const cfg = { ...config, minCleanableDirtyRatio: 0 }
    const manager = await openManager(fs, cfg)
    const log = await manager.createOrGetLog('c', 0, cfg)
    const producerOffset = await put(log, 'dup', 'old', 1, { producerId: 77n, baseSequence: 5 })
    for (let i = 0; i < 40; i++) await put(log, i % 2 === 0 ? 'dup' : `k${i}`, 'x'.repeat(40), 10 + i)
    await manager.runCleaner(1000)
    const kept = (await rawBatches(log)).find((b) => b.readBigInt64BE(43) === 77n)
    assert.ok(kept !== undefined, 'the producer batch is kept')
    const d = decodeBatchSync(kept)
    assert.equal(d.records.length, 0)
    assert.equal(Number(d.header.baseOffset), producerOffset)
    assert.equal(d.header.baseSequence, 5)
    assert.ok(hasValidCrc(kept))
    await manager.close()
  })

  it('drops keyless records from a compacted log, like Kafka', async () => {
    const fs = new MemoryFileSystem()
    const cfg = { ...config, minCleanableDirtyRatio: 0 }
    const manager = await openManager(fs, cfg)
    const log = await manager.createOrGetLog('c', 0, cfg)
    await put(log, null, 'no key', 1)
    for (let i = 0; i < 30; i++) await put(log, `k${i % 3}`, 'x'.repeat(40), 10 + i)
    await manager.runCleaner(1000)
    assert.ok(!(await readAll(log)).some((r) => r.key === null))
    await manager.close()
  })

  it('compact,delete: retention still deletes old segments', async () => {
    const fs = new MemoryFileSystem()
    const cfg = { ...config, cleanupPolicy: ['compact', 'delete'] as Array<'compact' | 'delete'>, retentionMs: 100 }
    const manager = await openManager(fs, cfg)
    const log = await manager.createOrGetLog('c', 0, cfg)
    for (let i = 0; i < 40; i++) await put(log, `k${i}`, 'x'.repeat(40), 1000 + i)
    assert.ok(await manager.runRetention(1000 + 39 + 101) > 0)
    assert.ok(log.logStartOffset > 0)
    await manager.close()
  })
})
