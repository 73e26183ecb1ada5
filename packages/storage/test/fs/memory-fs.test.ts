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
