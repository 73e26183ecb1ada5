import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TailCache } from '../../src/segment/tail-cache.js'
import { prng } from '@brook/common'
import { memoryLog, randInt, readAll, simpleBatch } from '../helpers.js'
import type { Log } from '../../src/log/partition-log.js'
import type { ReadOptions } from '../../src/types.js'

/** A read with an allocator that counts file reads (the tail cache never allocates). */
async function counted (log: Log, offset: number, options: Omit<ReadOptions, 'allocate'>): Promise<{ bytes: Buffer, fileReads: number }> {
  let fileReads = 0
  const r = await log.read(offset, { ...options, allocate: (size) => { fileReads++; return Buffer.alloc(size) } })
  return { bytes: Buffer.concat(r.chunks), fileReads }
}

test('a reader waiting at the end is answered from memory, exactly as the file would answer', { timeout: 30_000 }, async () => {
  const { log, manager } = await memoryLog({ segmentBytes: 8 << 20 })
  await log.append(simpleBatch(3, 1000, 50), { leaderEpoch: 0, durable: false })
  // Nothing is kept until someone reads at the end.
  assert.equal(log.activeSegment.tail.enabled, false)
  assert.equal((await log.read(3, { maxBytes: 1 << 20, minOneBatch: true })).bytes, 0)
  assert.equal(log.activeSegment.tail.enabled, true)
  const random = prng(16)
  for (let i = 0; i < 40; i++) {
    await log.append(simpleBatch(randInt(random, 1, 5), 2000 + i, randInt(random, 1, 300)), { leaderEpoch: 0, durable: false })
  }
  const leo = log.logEndOffset
  const reads: Array<[number, Omit<ReadOptions, 'allocate'>]> = []
  for (let offset = 3; offset < leo; offset++) {
    for (const maxBytes of [0, 100, 700, 5000, 1 << 20]) {
      for (const minOneBatch of [true, false]) reads.push([offset, { maxBytes, minOneBatch, maxOffset: randInt(random, offset, leo + 1) }])
    }
  }
  const fromMemory: Buffer[] = []
  for (const [offset, options] of reads) {
    const r = await counted(log, offset, options)
    assert.equal(r.fileReads, 0, `offset ${offset} is answered from memory`)
    fromMemory.push(r.bytes)
  }
  // The same reads from the file: they may stop earlier, at an indexed batch boundary, so each
  // is a prefix of the answer from memory, which holds whole batches within the same limits.
  log.activeSegment.tail.clear()
  for (const [i, [offset, options]] of reads.entries()) {
    const r = await counted(log, offset, options)
    const cached = fromMemory[i]!
    const what = `read ${i} at ${offset} ${JSON.stringify(options)}`
    assert.deepEqual(cached.subarray(0, r.bytes.length), r.bytes, what)
    assert.equal(cached.length === 0, r.bytes.length === 0, what)
    let at = 0
    while (at < cached.length) {
      assert.ok(Number(cached.readBigInt64BE(at)) < (options.maxOffset ?? leo), what)
      at += 12 + cached.readInt32BE(at + 8)
    }
    assert.equal(at, cached.length, `${what}: whole batches`)
    const first = cached.length === 0 ? 0 : 12 + cached.readInt32BE(8)
    assert.ok(cached.length <= (options.minOneBatch ? Math.max(options.maxBytes, first) : options.maxBytes), what)
  }
  // Below what the cache holds, the file answers.
  assert.equal((await counted(log, 0, { maxBytes: 1 << 20, minOneBatch: true })).fileReads > 0, true)
  await manager.close()
})

test('the cache is bounded, and let go when nobody reads from it, on truncation and on a roll', { timeout: 30_000 }, async () => {
  const { log, manager } = await memoryLog({ segmentBytes: 8 << 20 })
  await log.read(0, { maxBytes: 100, minOneBatch: true })
  const tail = log.activeSegment.tail
  assert.equal(tail.enabled, true)
  // 1 KiB batches: the cache keeps at most its capacity while a reader follows.
  for (let i = 0; i < 400; i++) {
    await log.append(simpleBatch(1, 1000 + i, 1000), { leaderEpoch: 0, durable: false })
    if (i % 50 === 0) assert.equal((await counted(log, log.logEndOffset - 1, { maxBytes: 1 << 20, minOneBatch: true })).fileReads, 0)
    assert.ok(tail.bytes <= 256 * 1024)
  }
  // Without reads, it stops after a cache's worth of writes.
  for (let i = 0; i < 600 && tail.enabled; i++) await log.append(simpleBatch(1, 5000 + i, 1000), { leaderEpoch: 0, durable: false })
  assert.equal(tail.enabled, false)
  assert.equal(tail.bytes, 0)
  // Truncation forgets it.
  await log.read(log.logEndOffset, { maxBytes: 100, minOneBatch: true })
  await log.append(simpleBatch(2, 9000, 10), { leaderEpoch: 0, durable: false })
  assert.ok(tail.bytes > 0)
  await log.truncateTo(log.logEndOffset - 1)
  assert.equal(tail.bytes, 0)
  // A roll leaves the old segment without one.
  await log.read(log.logEndOffset, { maxBytes: 100, minOneBatch: true })
  await log.append(simpleBatch(2, 9100, 10), { leaderEpoch: 0, durable: false })
  await log.roll()
  assert.equal(tail.bytes, 0)
  assert.equal(tail.enabled, false)
  // ... and the new one keeps writes for the reader that followed.
  assert.notEqual(log.activeSegment.tail, tail)
  assert.equal(log.activeSegment.tail.enabled, true)
  assert.equal((await readAll(log)).at(-1)?.offset, log.logEndOffset - 1)
  await manager.close()
})

test('a write larger than the cache, or one that does not follow the last, starts it over', { timeout: 30_000 }, () => {
  const cache = new TailCache(1000)
  cache.enable()
  const a = simpleBatch(1, 1000, 100)
  const b = simpleBatch(1, 1000, 100)
  b.writeBigInt64BE(1n, 0)
  cache.add([a], a.length, 0)
  cache.add([b], b.length, a.length)
  assert.equal(cache.read(1, 1 << 20, 10, true)?.firstOffset, 1)
  // A gap: only the new write is kept.
  const c = simpleBatch(1, 1000, 100)
  c.writeBigInt64BE(5n, 0)
  cache.add([c], c.length, 10_000)
  assert.equal(cache.read(1, 1 << 20, 10, true), undefined)
  assert.equal(cache.read(5, 1 << 20, 10, true)?.chunk?.length, c.length)
  cache.add([Buffer.alloc(2000)], 2000, 10_000 + c.length)
  assert.equal(cache.bytes, 0)
  assert.equal(cache.read(5, 1 << 20, 10, true), undefined)
})
