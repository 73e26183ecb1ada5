// The FileSystem conformance suite: one set of behaviours every implementation must show.
// node-fs.test.ts and memory-fs.test.ts run it against their implementation.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FileSystem } from '../../src/fs/file-system.js'
import { errorCode, writeFileAtomic } from '../../src/fs/file-system.js'

export interface Subject {
  fs: FileSystem
  /** A fresh empty directory for one test. */
  dir: string
  cleanup: () => Promise<void>
}

async function rejectsWithCode (p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => errorCode(err) === code)
}

export function conformance (name: string, make: () => Promise<Subject>): void {
  describe(`FileSystem conformance: ${name}`, () => {
    const test = (title: string, fn: (s: Subject) => Promise<void>): void => {
      it(title, async () => {
        const s = await make()
        try { await fn(s) } finally { await s.cleanup() }
      })
    }

    test('positional write and read back', async ({ fs, dir }) => {
      const fh = await fs.open(`${dir}/a`, 'w+')
      await fh.write(Buffer.from('hello world'), 0)
      await fh.write(Buffer.from('W'), 6)
      const buf = Buffer.alloc(11)
      assert.equal(await fh.read(buf, 0, 11, 0), 11)
      assert.equal(buf.toString(), 'hello World')
      assert.equal(await fh.size(), 11)
      const part = Buffer.alloc(8)
      assert.equal(await fh.read(part, 2, 5, 6), 5)
      assert.equal(part.subarray(2, 7).toString(), 'World')
      await fh.close()
    })

    test('read past the end returns what exists, then 0', async ({ fs, dir }) => {
      const fh = await fs.open(`${dir}/a`, 'w+')
      await fh.write(Buffer.from('abc'), 0)
      const buf = Buffer.alloc(10)
      assert.equal(await fh.read(buf, 0, 10, 1), 2)
      assert.equal(buf.subarray(0, 2).toString(), 'bc')
      assert.equal(await fh.read(buf, 0, 10, 3), 0)
      assert.equal(await fh.read(buf, 0, 10, 100), 0)
      await fh.close()
    })

    test('writev writes buffers back to back', async ({ fs, dir }) => {
      const fh = await fs.open(`${dir}/a`, 'w+')
      await fh.write(Buffer.from('xx'), 0)
      await fh.writev([Buffer.from('ab'), Buffer.alloc(0), Buffer.from('cde'), Buffer.alloc(100_000, 7)], 2)
      assert.equal(await fh.size(), 2 + 5 + 100_000)
      const buf = Buffer.alloc(7)
      await fh.read(buf, 0, 7, 0)
      assert.equal(buf.toString(), 'xxabcde')
      const tail = Buffer.alloc(100_000)
      assert.equal(await fh.read(tail, 0, 100_000, 7), 100_000)
      assert.ok(tail.every((b) => b === 7))
      await fh.close()
    })

    test('writevSync writes buffers back to back before it returns', async ({ fs, dir }) => {
      const fh = await fs.open(`${dir}/a`, 'w+')
      fh.writevSync([Buffer.from('ab'), Buffer.alloc(0), Buffer.from('cd')], 1)
      fh.writevSync([Buffer.alloc(70_000, 5)], 5)
      assert.equal(await fh.size(), 5 + 70_000)
      const buf = Buffer.alloc(6)
      await fh.read(buf, 0, 6, 0)
      assert.deepEqual([...buf], [0, 97, 98, 99, 100, 5])
      await fh.close()
      assert.throws(() => { fh.writevSync([Buffer.from('x')], 0) })
    })

    test('a write past the end leaves a zero-filled hole', async ({ fs, dir }) => {
      const fh = await fs.open(`${dir}/a`, 'w+')
      await fh.write(Buffer.from('z'), 4)
      const buf = Buffer.alloc(5, 9)
      assert.equal(await fh.read(buf, 0, 5, 0), 5)
      assert.deepEqual([...buf], [0, 0, 0, 0, 'z'.charCodeAt(0)])
      await fh.close()
    })

    test('truncate shrinks and grows with zeros', async ({ fs, dir }) => {
      const fh = await fs.open(`${dir}/a`, 'w+')
      await fh.write(Buffer.from('abcdef'), 0)
      await fh.truncate(2)
      assert.equal(await fh.size(), 2)
      await fh.truncate(4)
      const buf = Buffer.alloc(4)
      await fh.read(buf, 0, 4, 0)
      assert.deepEqual([...buf], [97, 98, 0, 0])
      await fh.sync()
      await fh.datasync()
      await fh.close()
      assert.equal((await fs.stat(`${dir}/a`)).size, 4)
    })

    test('open modes: r+ and r need the file, wx+ refuses an existing one, w+ truncates', async ({ fs, dir }) => {
      await rejectsWithCode(fs.open(`${dir}/missing`, 'r'), 'ENOENT')
      await rejectsWithCode(fs.open(`${dir}/missing`, 'r+'), 'ENOENT')
      const a = await fs.open(`${dir}/a`, 'wx+')
      await a.write(Buffer.from('data'), 0)
      await a.close()
      await rejectsWithCode(fs.open(`${dir}/a`, 'wx+'), 'EEXIST')
      const r = await fs.open(`${dir}/a`, 'r')
      assert.equal(await r.size(), 4)
      await r.close()
      const w = await fs.open(`${dir}/a`, 'w+')
      assert.equal(await w.size(), 0)
      await w.close()
    })

    test('directories: mkdir -p, readdir sorted, stat, exists', async ({ fs, dir }) => {
      await fs.mkdir(`${dir}/x/y/z`)
      await fs.mkdir(`${dir}/x/y`)
      for (const n of ['c', 'a', 'b']) await (await fs.open(`${dir}/x/${n}`, 'w+')).close()
      assert.deepEqual(await fs.readdir(`${dir}/x`), ['a', 'b', 'c', 'y'])
      assert.equal((await fs.stat(`${dir}/x/y`)).isDirectory, true)
      assert.equal((await fs.stat(`${dir}/x/a`)).isDirectory, false)
      assert.equal(await fs.exists(`${dir}/x/y/z`), true)
      assert.equal(await fs.exists(`${dir}/x/q`), false)
      await rejectsWithCode(fs.stat(`${dir}/nope`), 'ENOENT')
      await rejectsWithCode(fs.readdir(`${dir}/nope`), 'ENOENT')
      await fs.syncDir(`${dir}/x`)
    })

    test('rename replaces the target; unlink and rm remove', async ({ fs, dir }) => {
      const a = await fs.open(`${dir}/a`, 'w+')
      await a.write(Buffer.from('new'), 0)
      await a.close()
      const b = await fs.open(`${dir}/b`, 'w+')
      await b.write(Buffer.from('old!'), 0)
      await b.close()
      await fs.rename(`${dir}/a`, `${dir}/b`)
      assert.equal((await fs.readFile(`${dir}/b`)).toString(), 'new')
      assert.equal(await fs.exists(`${dir}/a`), false)
      await rejectsWithCode(fs.rename(`${dir}/a`, `${dir}/c`), 'ENOENT')
      await fs.unlink(`${dir}/b`)
      await rejectsWithCode(fs.unlink(`${dir}/b`), 'ENOENT')
      await fs.mkdir(`${dir}/t/u`)
      await (await fs.open(`${dir}/t/u/f`, 'w+')).close()
      await fs.rename(`${dir}/t`, `${dir}/t2`)
      assert.deepEqual(await fs.readdir(`${dir}/t2/u`), ['f'])
      await fs.rm(`${dir}/t2`)
      await fs.rm(`${dir}/t2`)
      assert.equal(await fs.exists(`${dir}/t2`), false)
    })

    test('a handle keeps working after its file is renamed', async ({ fs, dir }) => {
      const fh = await fs.open(`${dir}/a`, 'w+')
      await fh.write(Buffer.from('one'), 0)
      await fs.rename(`${dir}/a`, `${dir}/b`)
      await fh.write(Buffer.from('two'), 3)
      await fh.close()
      assert.equal((await fs.readFile(`${dir}/b`)).toString(), 'onetwo')
    })

    test('writeFileAtomic replaces content and leaves no temp file', async ({ fs, dir }) => {
      await writeFileAtomic(fs, dir, 'cp', Buffer.from('v1'))
      await writeFileAtomic(fs, dir, 'cp', Buffer.from('v2'))
      assert.equal((await fs.readFile(`${dir}/cp`)).toString(), 'v2')
      assert.deepEqual(await fs.readdir(dir), ['cp'])
    })
  })
}
