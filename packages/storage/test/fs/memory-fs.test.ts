import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { errorCode } from '../../src/fs/file-system.js'
import { MemoryFileSystem } from '../../src/fs/memory-fs.js'
import { conformance } from './conformance.js'

conformance('memory', async () => {
  const fs = new MemoryFileSystem()
  await fs.mkdir('/t')
  return { fs, dir: '/t', cleanup: async () => {} }
})

async function setup (): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem()
  await fs.mkdir('/d')
  await fs.syncDir('/')
  return fs
}

describe('MemoryFileSystem power cuts', () => {
  it('keeps synced data and drops unsynced writes', async () => {
    const fs = await setup()
    const fh = await fs.open('/d/f', 'w+')
    await fs.syncDir('/d')
    await fh.write(Buffer.from('durable'), 0)
    await fh.datasync()
    await fh.write(Buffer.from('-lost'), 7)
    fs.powerCut()
    assert.equal((await fs.readFile('/d/f')).toString(), 'durable')
    await assert.rejects(fh.write(Buffer.from('x'), 0), (e: unknown) => errorCode(e) === 'EBADF')
  })

  it('a file whose directory entry was never synced vanishes', async () => {
    const fs = await setup()
    const fh = await fs.open('/d/f', 'w+')
    await fh.write(Buffer.from('data'), 0)
    await fh.sync()
    fs.powerCut()
    assert.equal(await fs.exists('/d/f'), false)
  })

  it('an unsynced rename is undone; a synced one stays', async () => {
    const fs = await setup()
    const fh = await fs.open('/d/a', 'w+')
    await fh.write(Buffer.from('A'), 0)
    await fh.sync()
    await fh.close()
    await fs.syncDir('/d')
    await fs.rename('/d/a', '/d/b')
    fs.powerCut()
    assert.deepEqual(await fs.readdir('/d'), ['a'])
    await fs.rename('/d/a', '/d/b')
    await fs.syncDir('/d')
    fs.powerCut()
    assert.deepEqual(await fs.readdir('/d'), ['b'])
    assert.equal((await fs.readFile('/d/b')).toString(), 'A')
  })

  it('an unsynced truncate is undone', async () => {
    const fs = await setup()
    const fh = await fs.open('/d/f', 'w+')
    await fs.syncDir('/d')
    await fh.write(Buffer.from('abcdef'), 0)
    await fh.sync()
    await fh.truncate(2)
    fs.powerCut()
    assert.equal((await fs.readFile('/d/f')).toString(), 'abcdef')
  })

  it('torn mode keeps a prefix of the unsynced writes, the last one possibly cut', async () => {
    const fs = await setup()
    const fh = await fs.open('/d/f', 'w+')
    await fs.syncDir('/d')
    await fh.write(Buffer.from('base'), 0)
    await fh.sync()
    await fh.write(Buffer.from('1111'), 4)
    await fh.write(Buffer.from('2222'), 8)
    const values = [0.99, 0.5] // keep both pending ops... then no op left to cut
    fs.powerCut({ mode: 'torn', random: () => values.shift() ?? 0 })
    assert.equal((await fs.readFile('/d/f')).toString(), 'base11112222')
    const g = await fs.open('/d/f', 'r+')
    await g.write(Buffer.from('3333'), 12)
    const cuts = [0, 0.5] // keep no whole op, cut the first write in half
    fs.powerCut({ mode: 'torn', random: () => cuts.shift() ?? 0 })
    assert.equal((await fs.readFile('/d/f')).toString(), 'base11112222' + '33')
  })
})

describe('MemoryFileSystem power cuts: reordered writeback and the directory journal', () => {
  it('reorder mode keeps random pieces of unsynced writes: zeros or old bytes between them', async () => {
    const fs = await setup()
    const fh = await fs.open('/d/f', 'w+')
    await fs.syncDir('/d')
    await fh.write(Buffer.from('oooooooo'), 0)
    await fh.sync()
    await fh.write(Buffer.from('abcdefgh'), 0)
    await fh.write(Buffer.from('XY'), 10)
    await fh.truncate(12)
    // Pieces: [a..d] kept, [e..h] dropped; XY dropped; the truncate kept (size 12, zeros in the gap).
    const values = [0.4, 0.1, 0.9, 0.9, 0.99, 0.9, 0.1]
    fs.powerCut({ mode: 'reorder', random: () => values.shift() ?? 0 })
    assert.deepEqual(await fs.readFile('/d/f'), Buffer.concat([Buffer.from('abcdoooo'), Buffer.alloc(4)]))
  })

  it('directories prefix keeps the first unsynced changes in order, never a later one alone', async () => {
    for (const [r, expected] of [[0, ['a']], [0.5, ['b']], [0.99, ['c']]] as const) {
      const fs = await setup()
      const fh = await fs.open('/d/a', 'w+')
      await fh.write(Buffer.from('A'), 0)
      await fh.sync()
      await fs.syncDir('/d')
      await fs.rename('/d/a', '/d/b')
      await fs.rename('/d/b', '/d/c')
      fs.powerCut({ directories: 'prefix', random: () => r })
      assert.deepEqual(await fs.readdir('/d'), expected, `random ${r}`)
      assert.equal((await fs.readFile(`/d/${expected[0]}`)).toString(), 'A')
    }
  })

  it('a created file can survive without its unsynced data; an unlink or rm can survive without a syncDir', async () => {
    const fs = await setup()
    const keep = await fs.open('/d/keep', 'w+')
    await keep.close()
    await fs.mkdir('/d/sub')
    await fs.syncDir('/d')
    const fh = await fs.open('/d/new', 'w+')
    await fh.write(Buffer.from('unsynced'), 0)
    await fs.unlink('/d/keep')
    await fs.rm('/d/sub')
    await fs.rm('/d/never-there')
    fs.powerCut({ directories: 'prefix', random: () => 0.99 })
    assert.deepEqual(await fs.readdir('/d'), ['new'])
    assert.equal((await fs.readFile('/d/new')).length, 0)
  })

  it('a syncDir makes that directory\'s journal durable and leaves the others\' pending', async () => {
    const fs = await setup()
    await fs.mkdir('/e')
    await fs.syncDir('/')
    await (await fs.open('/e/x', 'w+')).close()
    await (await fs.open('/d/y', 'w+')).close()
    await fs.syncDir('/d')
    fs.powerCut({ directories: 'prefix', random: () => 0 })
    assert.deepEqual(await fs.readdir('/d'), ['y'])
    assert.deepEqual(await fs.readdir('/e'), [])
  })

  it('cutPowerAfter cuts at the n-th mutating operation; everything fails until powerOn', async () => {
    const fs = await setup()
    const fh = await fs.open('/d/f', 'w+')
    await fs.syncDir('/d')
    await fh.write(Buffer.from('one'), 0)
    await fh.sync()
    fs.cutPowerAfter(2)
    await fh.write(Buffer.from('two'), 3)
    assert.equal(await fs.exists('/d/f'), true, 'reads do not count')
    await assert.rejects(fh.sync(), (e: unknown) => errorCode(e) === 'EIO')
    assert.equal(fs.powerIsOff, true)
    await assert.rejects(fs.readFile('/d/f'), (e: unknown) => errorCode(e) === 'EIO')
    await assert.rejects(fs.open('/d/g', 'w+'), (e: unknown) => errorCode(e) === 'EIO')
    await fh.close()
    fs.powerOn()
    assert.equal(fs.powerIsOff, false)
    assert.equal((await fs.readFile('/d/f')).toString(), 'one')
    await assert.rejects(fh.write(Buffer.from('x'), 0), (e: unknown) => errorCode(e) === 'EBADF')
  })
})

describe('MemoryFileSystem process crashes', () => {
  it('crashAfter stops the process at the n-th mutating operation and keeps every write', async () => {
    const fs = await setup()
    const fh = await fs.open('/d/f', 'w+')
    await fh.write(Buffer.from('one'), 0)
    fs.crashAfter(2)
    await fh.write(Buffer.from('two'), 3)
    await assert.rejects(fs.rename('/d/f', '/d/g'), (e: unknown) => errorCode(e) === 'EIO')
    assert.equal(fs.powerIsOff, true)
    fs.powerOn()
    assert.equal((await fs.readFile('/d/f')).toString(), 'onetwo', 'unsynced data and entries outlive a process crash')
    await assert.rejects(fh.write(Buffer.from('x'), 0), (e: unknown) => errorCode(e) === 'EBADF')
  })
})

describe('MemoryFileSystem fault injection', () => {
  it('failNextWrite rejects one write with the code, optionally after a partial write', async () => {
    const fs = await setup()
    const fh = await fs.open('/d/f', 'w+')
    fs.failNextWrite({ code: 'ENOSPC', partialBytes: 3 })
    await assert.rejects(fh.write(Buffer.from('abcdef'), 0), (e: unknown) => errorCode(e) === 'ENOSPC')
    assert.equal((await fs.readFile('/d/f')).toString(), 'abc')
    await fh.write(Buffer.from('ok'), 0)
    assert.equal((await fs.readFile('/d/f')).toString(), 'okc')
  })

  it('faults can target a path and repeat', async () => {
    const fs = await setup()
    const a = await fs.open('/d/a.log', 'w+')
    const b = await fs.open('/d/b.index', 'w+')
    fs.failNextWrite({ code: 'EIO', path: /\.log$/, times: 2 })
    await b.write(Buffer.from('fine'), 0)
    await assert.rejects(a.write(Buffer.from('x'), 0), (e: unknown) => errorCode(e) === 'EIO')
    await assert.rejects(a.writev([Buffer.from('x')], 0), (e: unknown) => errorCode(e) === 'EIO')
    await a.write(Buffer.from('y'), 0)
    assert.equal((await fs.readFile('/d/a.log')).toString(), 'y')
  })

  it('failNextSync rejects and leaves the data not durable', async () => {
    const fs = await setup()
    const fh = await fs.open('/d/f', 'w+')
    await fs.syncDir('/d')
    await fh.write(Buffer.from('data'), 0)
    fs.failNextSync({ code: 'EIO' })
    await assert.rejects(fh.sync(), (e: unknown) => errorCode(e) === 'EIO')
    fs.powerCut()
    assert.equal((await fs.readFile('/d/f')).length, 0)
  })
})
