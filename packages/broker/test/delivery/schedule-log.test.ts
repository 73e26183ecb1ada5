// The schedule log (delivery/schedule-log.ts) on both FileSystem implementations, node's and the
// in-memory one, with the same cases: buckets by delivery time, reading back without what was
// marked done, unfinished intents, cascading a coarse bucket, held transactions, counts after a
// reopen, and (in memory) a power cut that keeps only what acks=all fsynced.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@brook/common'
import { MemoryFileSystem, NodeFileSystem, type FileSystem } from '@brook/storage'
import { COARSE_BUCKET_MS, FINE_BUCKET_MS, ScheduleLog } from '../../src/delivery/schedule-log.js'
import type { ScheduledRecord } from '../../src/delivery/scheduled-record.js'

const NOW = 1_800_000_000_000

function record (id: string, deliverAt: number, topic = 't', partition = 0): ScheduledRecord {
  return { id, deliverAt, topic, partition, key: Buffer.from(`k-${id}`), value: id === 'null' ? null : Buffer.from(`v-${id}`), headers: [{ key: 'h', value: Buffer.from('x') }, { key: 'n', value: null }] }
}

const pendingOf = (log: ScheduleLog): number => log.buckets().reduce((n, b) => n + [...b.pending.values()].reduce((a, c) => a + c, 0), 0)

async function conformance (name: string, fs: () => Promise<{ fs: FileSystem, dir: string, done: () => Promise<void> }>): Promise<void> {
  await test(`${name}: records land in fine or coarse buckets and read back whole`, { timeout: 30_000 }, async () => {
    const { fs: files, dir, done } = await fs()
    try {
      const log = await ScheduleLog.open(files, dir, silentLogger)
      await log.append([record('a', NOW + 1000), record('b', NOW + 1500), record('null', NOW + 12_000), record('far', NOW + 2 * COARSE_BUCKET_MS)], true, NOW)
      const buckets = log.buckets()
      assert.deepEqual(buckets.map((b) => b.name), [`f-${Math.floor((NOW + 1000) / FINE_BUCKET_MS) * FINE_BUCKET_MS}`, `f-${Math.floor((NOW + 12_000) / FINE_BUCKET_MS) * FINE_BUCKET_MS}`, `c-${Math.floor((NOW + 2 * COARSE_BUCKET_MS) / COARSE_BUCKET_MS) * COARSE_BUCKET_MS}`])
      const first = await log.read(buckets[0]?.name ?? '')
      assert.deepEqual(first.records, [record('a', NOW + 1000), record('b', NOW + 1500)])
      assert.deepEqual((await log.read(buckets[1]?.name ?? '')).records, [record('null', NOW + 12_000)])
      assert.equal(pendingOf(log), 4)
      await log.close()
    } finally {
      await done()
    }
  })

  await test(`${name}: done and intents survive a reopen; counts are rebuilt`, { timeout: 30_000 }, async () => {
    const { fs: files, dir, done } = await fs()
    try {
      let log = await ScheduleLog.open(files, dir, silentLogger)
      await log.append([record('a', NOW + 1000), record('b', NOW + 1001), record('c', NOW + 1002, 'u')], true, NOW)
      const bucket = log.buckets()[0]?.name ?? ''
      await log.markDone(bucket, 't', ['a'])
      await log.writeIntent(bucket, { topic: 't', partition: 0, producerEpoch: 0, baseSequence: 7, ids: ['b'] })
      await log.close()
      log = await ScheduleLog.open(files, dir, silentLogger)
      assert.deepEqual(Object.fromEntries(log.buckets()[0]?.pending ?? []), { t: 1, u: 1 })
      const read = await log.read(bucket)
      assert.deepEqual(read.records.map((r) => r.id), ['b', 'c'])
      assert.deepEqual(read.intents, [{ topic: 't', partition: 0, producerEpoch: 0, baseSequence: 7, ids: ['b'] }])
      await log.markDone(bucket, 't', ['b'])
      assert.deepEqual((await log.read(bucket)).intents, [], 'an intent with its done line is finished')
      await log.drop(bucket)
      assert.deepEqual(log.buckets(), [])
      await log.close()
      assert.deepEqual((await ScheduleLog.open(files, dir, silentLogger)).buckets(), [], 'dropped files are gone')
    } finally {
      await done()
    }
  })

  await test(`${name}: a coarse bucket cascades into fine buckets; a repeated cascade keeps one copy`, { timeout: 30_000 }, async () => {
    const { fs: files, dir, done } = await fs()
    try {
      const log = await ScheduleLog.open(files, dir, silentLogger)
      const at = NOW + 3 * COARSE_BUCKET_MS
      await log.append([record('x', at + 5), record('y', at + 20_000)], true, NOW)
      const coarse = log.buckets()[0]?.name ?? ''
      assert.match(coarse, /^c-/)
      // A crash after the fine copies were written but before the coarse bucket went away.
      await log.append([record('x', at + 5)], true, at, true)
      const written = await log.cascade(coarse, at - COARSE_BUCKET_MS)
      assert.equal(written.size, 2)
      assert.ok(log.buckets().every((b) => b.level === 'fine'))
      const all = (await Promise.all(log.buckets().map(async (b) => await log.read(b.name)))).flatMap((c) => c.records.map((r) => r.id))
      assert.deepEqual(all.sort(), ['x', 'y'])
      await log.close()
    } finally {
      await done()
    }
  })

  await test(`${name}: held records of a transaction: released into buckets on commit, gone on abort`, { timeout: 30_000 }, async () => {
    const { fs: files, dir, done } = await fs()
    try {
      const log = await ScheduleLog.open(files, dir, silentLogger)
      await log.hold(42n, [record('c1', NOW + 1000, 't', 0), record('c2', NOW + 1000, 't', 1)], true)
      assert.deepEqual(log.buckets(), [], 'held records are not pending')
      const released = await log.release(42n, 't', 0, true, NOW)
      assert.deepEqual([...released.values()].flat().map((r) => r.id), ['c1'])
      assert.equal((await log.release(42n, 't', 0, true, NOW)).size, 0, 'a retried marker finds nothing held')
      assert.equal((await log.release(42n, 't', 1, false, NOW)).size, 0, 'an abort releases nothing')
      assert.equal(pendingOf(log), 1)
      await log.close()
    } finally {
      await done()
    }
  })
}

await conformance('node fs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brook-schedule-log-'))
  return { fs: new NodeFileSystem(), dir, done: async () => { await rm(dir, { recursive: true, force: true }) } }
})
await conformance('memory fs', async () => ({ fs: new MemoryFileSystem(), dir: '/schedule', done: async () => {} }))

test('memory fs: a power cut keeps the fsynced (acks=all) records and a torn tail is skipped', { timeout: 30_000 }, async () => {
  const files = new MemoryFileSystem()
  let log = await ScheduleLog.open(files, '/s', silentLogger)
  await files.syncDir('/')
  await log.append([record('durable', NOW + 1000)], true, NOW)
  await log.append([record('volatile', NOW + 1000)], false, NOW)
  files.powerCut({ mode: 'torn', random: () => 0.5 })
  log = await ScheduleLog.open(files, '/s', silentLogger)
  const ids = (await log.read(log.buckets()[0]?.name ?? '')).records.map((r) => r.id)
  assert.equal(ids[0], 'durable')
  assert.ok(ids.length <= 2)
  await log.append([record('after', NOW + 1000)], true, NOW)
  const after = (await log.read(log.buckets()[0]?.name ?? '')).records.map((r) => r.id)
  assert.equal(after.at(-1), 'after', 'an append after a torn line is read back')
})
