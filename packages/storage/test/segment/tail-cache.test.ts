import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { decodeBatchSync, iterateBatches } from '@brook/protocol/records/read-batches'
import { batchBaseOffset } from '@brook/protocol/records/record-batch'
import { MemoryFileSystem } from '../../src/fs/memory-fs.js'
import type { FileHandle, FileSystem, OpenMode } from '../../src/fs/file-system.js'
import type { Log } from '../../src/log/partition-log.js'
import type { LogManagerOptions } from '../../src/log-manager.js'
import { type ReadRecord, openManager, prng, randInt, readAll, simpleBatch, testConfig } from '../helpers.js'

const append = { leaderEpoch: 0, durable: false }

/** A MemoryFileSystem that counts reads of .log files (what the tail cache saves). */
class CountingFs extends MemoryFileSystem {
  logReads = 0
  override async open (path: string, mode: OpenMode): Promise<FileHandle> {
    const fh = await super.open(path, mode)
    if (!path.endsWith('.log')) return fh
    return {
      ...fh,
      read: async (buffer, offset, length, position) => {
        this.logReads++
        return await fh.read(buffer, offset, length, position)
      },
      write: async (buffer, position) => { await fh.write(buffer, position) },
      writev: async (buffers, position) => { await fh.writev(buffers, position) },
      truncate: async (length) => { await fh.truncate(length) },
      sync: async () => { await fh.sync() },
      datasync: async () => { await fh.datasync() },
      size: async () => await fh.size(),
      close: async () => { await fh.close() }
    }
  }
}

async function openLog (fs: FileSystem, options: Partial<LogManagerOptions> = {}, topic = 't'): Promise<{ log: Log, close: () => Promise<void> }> {
  const manager = await openManager(fs, testConfig({ segmentBytes: 32 * 1024 }), options)
  const log = await manager.createOrGetLog(topic, 0)
  return { log, close: async () => { await manager.close() } }
}

function recordsOf (chunks: readonly Buffer[], from: number): ReadRecord[] {
  const out: ReadRecord[] = []
  for (const chunk of chunks) {
    for (const batch of iterateBatches(chunk)) {
      for (const rec of decodeBatchSync(batch).records) {
        if (Number(rec.offset) >= from) out.push({ offset: Number(rec.offset), key: rec.key?.toString() ?? null, value: rec.value?.toString() ?? null, timestamp: Number(rec.timestamp) })
      }
    }
  }
  return out
}

describe('tail cache', () => {
  it('answers a read at the log end without reading the file; with the cache off it reads', async () => {
    for (const cacheOn of [true, false]) {
      const fs = new CountingFs()
      const { log, close } = await openLog(fs, cacheOn ? {} : { tailCacheBytes: 0 })
      await log.append(simpleBatch(3, 1000), append)
      const second = await log.append(simpleBatch(2, 2000), append)
      const before = fs.logReads
      const r = await log.read(second.baseOffset, { maxBytes: 1 << 20, minOneBatch: true })
      assert.deepEqual(recordsOf(r.chunks, second.baseOffset).map((x) => x.offset), [3, 4])
      assert.equal(fs.logReads > before, !cacheOn)
      await close()
    }
  })

  it('serves the same records as the file, across rolls, truncations and evictions (seeded)', async () => {
    const random = prng(20261124)
    const fs = new CountingFs()
    // Small bounds so that entries are evicted by both the segment and the shared budget.
    const { log, close } = await openLog(fs, { tailCacheBytes: 6000, tailCacheSegmentBytes: 4000 })
    const other = await openLog(new MemoryFileSystem(), { tailCacheBytes: 0 }, 'u')
    const model: ReadRecord[] = []
    let starts: number[] = []
    let hits = 0
    for (let step = 0; step < 600; step++) {
      const roll = random()
      if (roll < 0.45) {
        const group = randInt(random, 1, 4)
        const batches = Array.from({ length: group }, () => simpleBatch(randInt(random, 1, 5), step * 10, randInt(random, 1, 400), `s${step}`))
        const results = await Promise.all(batches.map(async (b) => await log.append(b, append)))
        await Promise.all(batches.map(async (b) => await other.log.append(Buffer.from(b), append)))
        results.forEach((res, i) => {
          starts.push(res.baseOffset)
          const decoded = decodeBatchSync(batches[i]!)
          decoded.records.forEach((rec, j) => model.push({ offset: res.baseOffset + j, key: rec.key?.toString() ?? null, value: rec.value?.toString() ?? null, timestamp: Number(rec.timestamp) }))
        })
        log.setHighWatermark(log.logEndOffset)
      } else if (roll < 0.95) {
        // Half near the end, where fetches usually are.
        const from = random() < 0.5 ? Math.max(log.logStartOffset, log.logEndOffset - 10) : log.logStartOffset
        const offset = randInt(random, from, log.logEndOffset)
        const maxBytes = randInt(random, 30, 5000)
        const minOneBatch = random() < 0.7
        const maxOffset = random() < 0.2 ? randInt(random, offset, log.logEndOffset) : undefined
        const options = { maxBytes, minOneBatch, ...(maxOffset === undefined ? {} : { maxOffset }) }
        const before = fs.logReads
        const r = await log.read(offset, options)
        if (fs.logReads === before && r.bytes > 0) hits++
        const batches = r.chunks.flatMap((c) => [...iterateBatches(c)])
        if (batches.length > 1 || !minOneBatch) assert.ok(r.bytes <= maxBytes, `step ${step}: maxBytes`)
        if (maxOffset !== undefined) for (const b of batches) assert.ok(batchBaseOffset(b) < maxOffset, `step ${step}: maxOffset`)
        const got = recordsOf(r.chunks, offset)
        const bound = maxOffset ?? Number.MAX_SAFE_INTEGER
        assert.deepEqual(got, model.filter((x) => x.offset >= offset).slice(0, got.length), `step ${step}: content`)
        if (minOneBatch && got.length === 0) assert.ok(!model.some((x) => x.offset >= offset && x.offset < bound) || batches.length > 0, `step ${step}: minOneBatch`)
        // The file alone (a log without cache, same batches) starts its answer at the same batch.
        const plain = await other.log.read(offset, options)
        const plainBatches = plain.chunks.flatMap((c) => [...iterateBatches(c)])
        assert.equal(batches.length > 0 ? batchBaseOffset(batches[0]!) : -1, plainBatches.length > 0 ? batchBaseOffset(plainBatches[0]!) : -1, `step ${step}: first batch`)
      } else {
        const candidates = [...starts.filter((o) => o >= log.logStartOffset), log.logEndOffset]
        const to = candidates[randInt(random, 0, candidates.length - 1)]!
        await log.truncateTo(to)
        await other.log.truncateTo(to)
        starts = starts.filter((o) => o < to)
        model.splice(0, model.length, ...model.filter((x) => x.offset < to))
        assert.equal(log.logEndOffset, to)
        assert.equal(other.log.logEndOffset, to)
      }
    }
    assert.ok(hits > 50, `reads answered from memory: ${hits}`)
    assert.deepEqual(await readAll(log), model)
    await close()
    await other.close()
  })

  it('does not serve a buffer the caller patched again by appending it twice', async () => {
    const fs = new CountingFs()
    const { log, close } = await openLog(fs)
    const batch = simpleBatch(2, 1000)
    await log.append(batch, append)
    await log.append(batch, append)
    const first = await log.read(0, { maxBytes: 1 << 20, minOneBatch: true })
    const batches = first.chunks.flatMap((c) => [...iterateBatches(c)])
    assert.deepEqual(batches.map((b) => batchBaseOffset(b)), [0, 2])
    assert.deepEqual((await readAll(log)).map((x) => x.offset), [0, 1, 2, 3])
    await close()
  })

  it('drops a segment tail at truncation, so rewritten offsets are read back as written', async () => {
    const { log, close } = await openLog(new CountingFs())
    await log.append(simpleBatch(3, 1000, 10, 'old'), append)
    await log.append(simpleBatch(3, 1000, 10, 'old'), append)
    await log.truncateTo(3)
    await log.append(simpleBatch(2, 5000, 10, 'new'), append)
    const r = await log.read(3, { maxBytes: 1 << 20, minOneBatch: true })
    assert.deepEqual(recordsOf(r.chunks, 3).map((x) => [x.offset, x.value?.slice(0, 3)]), [[3, 'new'], [4, 'new']])
    await close()
  })
})
