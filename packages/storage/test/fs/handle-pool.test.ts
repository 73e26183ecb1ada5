import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { HandlePool, type PooledFile } from '../../src/fs/handle-pool.js'
import { MemoryFileSystem } from '../../src/fs/memory-fs.js'

async function files (fs: MemoryFileSystem, n: number): Promise<Array<PooledFile & { evicted: number }>> {
  await fs.mkdir('/p')
  const out: Array<PooledFile & { evicted: number }> = []
  for (let i = 0; i < n; i++) {
    const fh = await fs.open(`/p/${i}`, 'w+')
    await fh.write(Buffer.from(String(i)), 0)
    await fh.close()
    const f = { path: `/p/${i}`, evicted: 0, onEvict () { f.evicted++ } }
    out.push(f)
  }
  return out
}

describe('HandlePool', () => {
  it('openNow gives the open handle for a synchronous call, none before it is open or once it is closing', { timeout: 10_000 }, async () => {
    const fs = new MemoryFileSystem()
    const [f] = await files(fs, 1)
    const pool = new HandlePool(fs, 5)
    assert.equal(pool.openNow(f!), null)
    let release = (): void => {}
    const held = pool.use(f!, async () => { await new Promise<void>((resolve) => { release = resolve }) })
    await new Promise((resolve) => setImmediate(resolve))
    const fh = pool.openNow(f!)
    assert.notEqual(fh, null)
    fh!.writevSync([Buffer.from('xy')], 1)
    // Closing waits for the use in progress; meanwhile no new synchronous use starts.
    const closing = pool.close(f!)
    assert.equal(pool.openNow(f!), null)
    release()
    await held
    await closing
    assert.equal(pool.openNow(f!), null)
    const check = await fs.open(f!.path, 'r')
    const buf = Buffer.alloc(3)
    await check.read(buf, 0, 3, 0)
    assert.equal(buf.toString(), '0xy')
    await check.close()
  })

  it('keeps at most maxOpen idle handles, closing the least recently used', async () => {
    const fs = new MemoryFileSystem()
    const fsFiles = await files(fs, 20)
    const baseline = fs.stats.openHandles
    const pool = new HandlePool(fs, 5)
    for (let round = 0; round < 3; round++) {
      for (const f of fsFiles) {
        const b = Buffer.alloc(4)
        const n = await pool.use(f, async (fh) => await fh.read(b, 0, 4, 0))
        assert.equal(b.subarray(0, n).toString(), f.path.slice(3))
        assert.ok(pool.openCount <= 5)
      }
    }
    await new Promise((resolve) => setImmediate(resolve))
    assert.ok(fs.stats.openHandles - baseline <= 5)
    assert.ok(fsFiles[0]!.evicted > 0)
    await pool.use(fsFiles[19]!, async () => {})
    const opens = fs.stats.opens
    await pool.use(fsFiles[19]!, async () => {})
    assert.equal(fs.stats.opens, opens, 'a recent handle is reused')
    await pool.closeAll()
    assert.equal(pool.openCount, 0)
  })

  it('never closes a handle in use; goes over the bound meanwhile', async () => {
    const fs = new MemoryFileSystem()
    const fsFiles = await files(fs, 4)
    const pool = new HandlePool(fs, 2)
    let release!: () => void
    const gate = new Promise<void>((resolve) => { release = resolve })
    const holders = fsFiles.map(async (f) => await pool.use(f, async (fh) => {
      await gate
      return await fh.size()
    }))
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(pool.openCount, 4)
    release()
    assert.deepEqual(await Promise.all(holders), [1, 1, 1, 1])
    await new Promise((resolve) => setImmediate(resolve))
    assert.ok(pool.openCount <= 2)
  })

  it('close() waits for users and makes the next use reopen', async () => {
    const fs = new MemoryFileSystem()
    const [f] = await files(fs, 1)
    const pool = new HandlePool(fs, 4)
    await pool.use(f!, async () => {})
    await pool.close(f!)
    assert.equal(pool.openCount, 0)
    assert.equal(await pool.use(f!, async (fh) => await fh.size()), 1)
  })
})
