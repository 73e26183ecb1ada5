import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryFileSystem } from '../src/fs/memory-fs.js'
import { NodeFileSystem } from '../src/fs/node-fs.js'
import { LogManager } from '../src/log-manager.js'
import type { Log } from '../src/log/partition-log.js'
import { defaultLogConfig } from '../src/config.js'
import { openManager, readAll, simpleBatch, testConfig } from './helpers.js'

const ack = { leaderEpoch: 0, durable: false }

describe('LogManager', () => {
  it('exports Kafka\'s topic defaults', () => {
    assert.equal(defaultLogConfig.segmentBytes, 1073741824)
    assert.equal(defaultLogConfig.retentionMs, 604800000)
    assert.equal(defaultLogConfig.indexIntervalBytes, 4096)
    assert.equal(defaultLogConfig.segmentIndexBytes, 10485760)
    assert.deepEqual(defaultLogConfig.cleanupPolicy, ['delete'])
    assert.equal(defaultLogConfig.deleteRetentionMs, 86400000)
    assert.equal(defaultLogConfig.minCleanableDirtyRatio, 0.5)
    assert.equal(defaultLogConfig.fileDeleteDelayMs, 60000)
  })

  it('spreads partitions over log dirs and finds them all again', async () => {
    const fs = new MemoryFileSystem()
    const config = testConfig()
    const manager = await openManager(fs, config, { logDirs: ['/a', '/b'] })
    for (let p = 0; p < 6; p++) await (await manager.createLog('t', p, config)).append(simpleBatch(p + 1, 1), ack)
    assert.equal((await fs.readdir('/a')).filter((n) => n.startsWith('t-')).length, 3)
    assert.equal((await fs.readdir('/b')).filter((n) => n.startsWith('t-')).length, 3)
    assert.equal(await manager.createLog('t', 0, config), manager.getLog('t', 0), 'createLog returns the existing log')
    await manager.close()
    assert.ok(await fs.exists('/a/.brook_cleanshutdown'))
    const again = await openManager(fs, config, { logDirs: ['/a', '/b'] })
    assert.equal(await fs.exists('/a/.brook_cleanshutdown'), false, 'the marker is consumed at open')
    assert.deepEqual(again.logs().map((l) => [l.partition, l.logEndOffset]).sort((x, y) => x[0]! - y[0]!), [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6]])
    await again.close()
  })

  it('deleteLog renames the directory to -delete at once and removes it later', async () => {
    const fs = new MemoryFileSystem()
    const config = testConfig({ fileDeleteDelayMs: 60_000 })
    const manager = await openManager(fs, config)
    const log = await manager.createLog('gone', 0, config)
    await log.append(simpleBatch(1, 1), ack)
    await manager.deleteLog('gone', 0)
    assert.equal(manager.getLog('gone', 0), undefined)
    const names = await fs.readdir('/data')
    assert.ok(names.some((n) => /^gone-0\.[0-9a-f]{32}-delete$/.test(n)))
    await assert.rejects(log.append(simpleBatch(1, 1), ack), (e: unknown) => (e as { kind?: string }).kind === 'KAFKA_STORAGE_ERROR')
    await manager.close()
    assert.ok(!(await fs.readdir('/data')).some((n) => n.startsWith('gone')))
    // A leftover -delete directory (crash before removal) is removed at open.
    await fs.mkdir('/data/x-1.0123456789abcdef0123456789abcdef-delete')
    const again = await openManager(fs, config)
    assert.ok(!(await fs.readdir('/data')).some((n) => n.endsWith('-delete')))
    await again.close()
  })

  it('refuses topic names that could escape the log dir', async () => {
    const manager = await openManager(new MemoryFileSystem(), testConfig())
    for (const bad of ['../x', 'a/b', '', '..', 'x'.repeat(250)]) {
      await assert.rejects(manager.createLog(bad, 0), /BROOK_STORAGE_NAME/)
    }
    await assert.rejects(manager.createLog('ok', -1), /BROOK_STORAGE_NAME/)
    await manager.close()
  })

  it('scheduler: retention runs in the background', async () => {
    const fs = new MemoryFileSystem()
    const config = testConfig({ segmentBytes: 1024, retentionBytes: 2048 })
    const manager = new LogManager({ fs, logDirs: ['/data'], defaults: config, scheduler: { retentionCheckMs: 5 } })
    await manager.open()
    const log = await manager.createLog('r', 0, config)
    for (let i = 0; i < 60; i++) await log.append(simpleBatch(1, i, 100), ack)
    log.setHighWatermark(log.logEndOffset)
    const deadline = Date.now() + 2000
    while (log.logStartOffset === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.ok(log.logStartOffset > 0)
    assert.ok(log.size <= 2048 + 1024)
    await manager.close()
  })

  it('retention.ms deletes expired segments, the active one included (after a roll), never past the high watermark', async () => {
    const fs = new MemoryFileSystem()
    const config = testConfig({ segmentBytes: 1024, retentionMs: 1000 })
    const manager = await openManager(fs, config)
    const log = await manager.createLog('r', 0, config)
    for (let i = 0; i < 20; i++) await log.append(simpleBatch(1, 5000 + i, 100), ack)
    log.setHighWatermark(10)
    assert.ok(await manager.runRetention(100_000) > 0)
    assert.ok(log.logStartOffset <= 10 && log.logStartOffset > 0, 'stops at the high watermark')
    log.setHighWatermark(20)
    await manager.runRetention(100_000)
    assert.equal(log.logStartOffset, 20)
    assert.equal(log.segments.length, 1)
    assert.equal(log.activeSegment.size, 0)
    assert.equal((await log.append(simpleBatch(1, 1), ack)).baseOffset, 20)
    await manager.close()
  })

  it('bounds open files across thousands of partitions (LRU of handles)', async () => {
    const fs = new MemoryFileSystem()
    const config = testConfig()
    const manager = await openManager(fs, config, { maxOpenFiles: 32 })
    const n = 1500
    for (let p = 0; p < n; p++) await (await manager.createLog('many', p, config)).append(simpleBatch(1, p, 20), ack)
    for (let p = 0; p < n; p += 7) assert.equal((await readAll(manager.getLog('many', p)!)).length, 1)
    await new Promise((resolve) => setImmediate(resolve))
    assert.ok(manager.openFiles <= 32, `open handles ${manager.openFiles}`)
    assert.ok(fs.stats.openHandles <= 40, `fs handles ${fs.stats.openHandles}`)
    await manager.close()
    assert.equal(fs.stats.openHandles, 0)
  })

  it('works on the real file system: append, close, reopen, recover after an abandoned run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'brook-log-'))
    try {
      const config = testConfig({ segmentBytes: 4096 })
      const fs = new NodeFileSystem()
      const manager = await openManager(fs, config, { logDirs: [dir] })
      const log = await manager.createLog('real', 0, config)
      for (let i = 0; i < 50; i++) await log.append(simpleBatch(2, i, 50), { leaderEpoch: 0, durable: i % 10 === 0 })
      await manager.close()
      assert.ok((await readdir(join(dir, 'real-0'))).some((n) => n.endsWith('.timeindex')))
      const second = await openManager(fs, config, { logDirs: [dir] })
      const log2 = second.getLog('real', 0)!
      assert.equal(log2.logEndOffset, 100)
      for (let i = 0; i < 10; i++) await log2.append(simpleBatch(1, i, 50), ack)
      await second.abandon()
      const third = await openManager(fs, config, { logDirs: [dir] })
      const records = await readAll(third.getLog('real', 0)!)
      assert.equal(records.length, 110)
      records.forEach((r, i) => assert.equal(r.offset, i))
      await third.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
  it('moveLog moves a partition to another log dir with its offsets, durably', async () => {
    const fs = new MemoryFileSystem()
    const config = testConfig()
    const manager = await openManager(fs, config, { logDirs: ['/a', '/b'] })
    const log = await manager.createLog('m', 0, config)
    for (let i = 0; i < 5; i++) await log.append(simpleBatch(2, 1, 10, `r${i}`), ack)
    log.setHighWatermark(log.logEndOffset)
    await log.deleteRecordsBefore(4)
    const from = manager.logDirOf('m', 0)
    const to = from === '/a' ? '/b' : '/a'
    await assert.rejects(manager.moveLog('m', 0, '/elsewhere'), /not a configured log dir/)
    const moved = await manager.moveLog('m', 0, to)
    assert.equal(manager.logDirOf('m', 0), to)
    assert.equal(manager.getLog('m', 0), moved)
    assert.notEqual(moved, log)
    assert.deepEqual([moved.logStartOffset, moved.logEndOffset], [4, 10])
    assert.ok(!(await fs.readdir(from as string)).some((n) => n.startsWith('m-0')), 'the old copy is gone')
    await assert.rejects(log.append(simpleBatch(1, 1), ack), (e: unknown) => (e as { kind?: string }).kind === 'KAFKA_STORAGE_ERROR')
    await moved.append(simpleBatch(1, 1, 10, 'after'), ack)
    assert.equal(await manager.moveLog('m', 0, to), moved, 'already there: nothing to do')
    // Everything synced by the move survives a power cut, log start offset included.
    fs.powerCut()
    const again = await openManager(fs, config, { logDirs: ['/a', '/b'] })
    assert.equal(again.logDirOf('m', 0), to)
    assert.equal(again.getLog('m', 0)?.logStartOffset, 4)
    assert.deepEqual((await readAll(again.getLog('m', 0) as Log)).map((r) => r.offset).slice(0, 6), [4, 5, 6, 7, 8, 9])
    await again.close()
  })

  it('a failed copy leaves the partition where it was, and a leftover -future dir goes at open', async () => {
    const fs = new MemoryFileSystem()
    const config = testConfig()
    const manager = await openManager(fs, config, { logDirs: ['/a', '/b'] })
    const log = await manager.createLog('f', 0, config)
    await log.append(simpleBatch(3, 1), ack)
    const from = manager.logDirOf('f', 0) as string
    const to = from === '/a' ? '/b' : '/a'
    fs.failNextWrite({ path: /-future\// })
    await assert.rejects(manager.moveLog('f', 0, to))
    assert.equal(manager.logDirOf('f', 0), from)
    assert.ok(!(await fs.readdir(to)).some((n) => n.endsWith('-future')))
    const reopened = manager.getLog('f', 0) as Log
    assert.equal(reopened.logEndOffset, 3)
    await reopened.append(simpleBatch(1, 1), ack)
    await manager.close()
    await fs.mkdir(`${to}/f-0.0123456789abcdef0123456789abcdef-future`)
    const again = await openManager(fs, config, { logDirs: ['/a', '/b'] })
    assert.ok(!(await fs.readdir(to)).some((n) => n.endsWith('-future')))
    assert.equal(again.getLog('f', 0)?.logEndOffset, 4)
    await again.close()
  })
})
