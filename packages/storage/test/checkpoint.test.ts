import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { decodeCheckpoint, encodeCheckpoint, readCheckpoint, writeCheckpoint } from '../src/checkpoint.js'
import { MemoryFileSystem } from '../src/fs/memory-fs.js'

const entries = [
  { topic: 'orders', partition: 0, offset: 12345 },
  { topic: 'a.b_c-d', partition: 17, offset: 2 ** 40 },
  { topic: 'ü', partition: 3, offset: 0 }
]

describe('checkpoint files', () => {
  it('round-trip', () => {
    assert.deepEqual(decodeCheckpoint(encodeCheckpoint(entries)), entries)
    assert.deepEqual(decodeCheckpoint(encodeCheckpoint([])), [])
  })

  it('detect every single-byte corruption and every truncation', () => {
    const good = encodeCheckpoint(entries)
    for (let i = 0; i < good.length; i++) {
      const bad = Buffer.from(good)
      bad[i] = bad[i]! ^ 0x40
      assert.equal(typeof decodeCheckpoint(bad), 'string', `flip at ${i}`)
      assert.equal(typeof decodeCheckpoint(good.subarray(0, i)), 'string', `cut at ${i}`)
    }
  })

  it('are replaced atomically and survive a power cut once written', async () => {
    const fs = new MemoryFileSystem()
    await fs.mkdir('/d')
    await fs.syncDir('/')
    await writeCheckpoint(fs, '/d', 'cp', entries)
    fs.powerCut()
    assert.deepEqual(await readCheckpoint(fs, '/d', 'cp'), entries)
    assert.equal(await readCheckpoint(fs, '/d', 'missing'), null)
    assert.deepEqual(await fs.readdir('/d'), ['cp'])
  })
})
