import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MemoryFileSystem } from '../../src/fs/memory-fs.js'
import { openManager, readAll, simpleBatch, testConfig } from '../helpers.js'
import { LOG_EXT } from '../../src/segment/segment-files.js'

test('file reads go into the buffers the caller allocates; the answer is a view of them', async () => {
  const manager = await openManager(new MemoryFileSystem(), testConfig())
  const log = await manager.createOrGetLog('t', 0)
  for (let i = 0; i < 20; i++) await log.append(simpleBatch(5, 1000 + i, 100), { leaderEpoch: 0, durable: false })
  const given: Buffer[] = []
  const allocate = (size: number): Buffer => {
    const buf = Buffer.alloc(size + 100, 0xee).subarray(0, size)
    given.push(buf)
    return buf
  }
  // Batch starts (the index names them: one read), and an offset inside a batch with more wanted
  // than the header walk read (a second read).
  for (const [offset, maxBytes] of [[0, 4096], [50, 4096], [12, 16384]] as const) {
    const before = given.length
    const r = await log.read(offset, { maxBytes, minOneBatch: true, allocate })
    assert.ok(r.bytes > 0)
    assert.ok(given.length > before, `a file read at ${offset} used the allocator`)
    for (const chunk of r.chunks) assert.ok(given.some((b) => b.buffer === chunk.buffer), 'the chunk is a view of an allocated buffer')
  }
  // A first batch larger than maxBytes (minOneBatch) is read whole, into an allocated buffer too.
  const big = await log.read(0, { maxBytes: 10, minOneBatch: true, allocate })
  assert.equal(big.chunks.length, 1)
  assert.ok(given.some((b) => b.buffer === big.chunks[0]!.buffer))
  assert.deepEqual((await readAll(log)).map((x) => x.offset), Array.from({ length: 100 }, (_v, i) => i))
  await manager.close()
})

test('a flush beside one whose fsync is still in flight syncs too: it never trusts an fsync that then fails', { timeout: 10_000 }, async () => {
  const fs = new MemoryFileSystem()
  const manager = await openManager(fs, testConfig())
  const log = await manager.createOrGetLog('t', 0)
  await log.append(simpleBatch(3, 1000, 50), { leaderEpoch: 0, durable: true })
  await log.append(simpleBatch(3, 1001, 50), { leaderEpoch: 0, durable: false })
  const seg = log.activeSegment
  const written = seg.size
  // A roll's flush and a group commit's pass run together; the roll's fsync fails.
  fs.failNextSync({ path: /\.log$/ })
  const first = seg.flush(false)
  const second = seg.flush(false)
  await assert.rejects(first, /injected sync failure/)
  await second
  fs.powerCut()
  fs.powerOn()
  assert.equal((await fs.stat(seg.filePath(LOG_EXT))).size, written, 'the second flush resolved, so every written byte is on disk')
  await manager.abandon()
})
