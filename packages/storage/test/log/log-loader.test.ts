// Recovery: power cuts on the fault-injecting fs, torn and corrupt tails, missing and corrupt
// indexes, unusable checkpoints, interrupted compaction swaps.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { buildBatchSync, buildEndTxnMarker } from '@brook/protocol'
import { MemoryFileSystem } from '../../src/fs/memory-fs.js'
import { LOG_EXT, OFFSET_INDEX_EXT, SWAP_SUFFIX, TIME_INDEX_EXT, TXN_INDEX_EXT, segmentFileName } from '../../src/segment/segment-files.js'
import { decodeAbortedTxns, encodeAbortedTxn } from '../../src/producer-state/txn-index.js'
import { RECOVERY_POINT_CHECKPOINT } from '../../src/checkpoint.js'
import { prng } from '@brook/common'
import { batchOf, openManager, randInt, readAll, simpleBatch, testConfig } from '../helpers.js'

const config = testConfig({ segmentBytes: 4096, indexIntervalBytes: 256 })

interface Acked { baseOffset: number, lastOffset: number, tag: string, durable: boolean }

/** Appends `n` batches with a unique tag each; some durable. Returns what was acknowledged. */
async function fill (fs: MemoryFileSystem, n: number, random: () => number, durableShare: number): Promise<{ acked: Acked[], manager: Awaited<ReturnType<typeof openManager>> }> {
  const manager = await openManager(fs, config)
  const log = await manager.createOrGetLog('t', 0)
  const acked: Acked[] = []
  const inFlight: Array<Promise<void>> = []
  for (let i = 0; i < n; i++) {
    const tag = `b${i}-`
    const durable = random() < durableShare
    const p = log.append(simpleBatch(randInt(random, 1, 4), 1000 + i, randInt(random, 5, 120), tag), { leaderEpoch: 0, durable })
      .then((r) => { acked.push({ baseOffset: r.baseOffset, lastOffset: r.lastOffset, tag, durable }) })
    inFlight.push(p)
    if (random() < 0.3) await Promise.all(inFlight.splice(0))
  }
  await Promise.all(inFlight)
  return { acked, manager }
}

/** The recovered log must be a gap-free prefix of the acknowledged appends, with their content. */
async function checkPrefix (fs: MemoryFileSystem, acked: Acked[]): Promise<number> {
  const manager = await openManager(fs, config)
  const log = manager.getLog('t', 0)
  const records = log === undefined ? [] : await readAll(log)
  const byOffset = new Map(records.map((r) => [r.offset, r]))
  const sorted = [...acked].sort((a, b) => a.baseOffset - b.baseOffset)
  let prefix = 0
  for (const a of sorted) {
    const present = byOffset.has(a.baseOffset)
    if (!present) break
    for (let o = a.baseOffset; o <= a.lastOffset; o++) {
      assert.ok(byOffset.get(o)?.value?.startsWith(a.tag), `offset ${o} should hold ${a.tag}`)
    }
    prefix = a.lastOffset + 1
  }
  assert.equal(log?.logEndOffset ?? 0, prefix, 'nothing beyond the surviving prefix')
  assert.equal(records.length, prefix)
  const lastDurable = sorted.filter((a) => a.durable).pop()
  if (lastDurable !== undefined) assert.ok(prefix > lastDurable.lastOffset, `durable ${lastDurable.lastOffset} lost (prefix ${prefix})`)
  if (log !== undefined) {
    const more = await log.append(simpleBatch(1, 1), { leaderEpoch: 0, durable: true })
    assert.equal(more.baseOffset, prefix)
  }
  await manager.close()
  return prefix
}

describe('recovery after power cuts', () => {
  for (const mode of ['drop', 'torn'] as const) {
    it(`keeps every durable-acknowledged append (${mode}, several seeds)`, async () => {
      for (let seed = 1; seed <= 12; seed++) {
        const random = prng(seed)
        const fs = new MemoryFileSystem()
        const { acked, manager } = await fill(fs, randInt(random, 10, 60), random, 0.3)
        await manager.abandon()
        fs.powerCut({ mode, random })
        await checkPrefix(fs, acked)
      }
    })
  }

  it('loses no acknowledged append at all when only the process dies', async () => {
    const random = prng(99)
    const fs = new MemoryFileSystem()
    const { acked, manager } = await fill(fs, 50, random, 0)
    await manager.abandon()
    const prefix = await checkPrefix(fs, acked)
    assert.equal(prefix, Math.max(...acked.map((a) => a.lastOffset)) + 1)
  })

  it('non-durable loss is bounded by the last fsync (flush.messages, roll, durable)', async () => {
    const fs = new MemoryFileSystem()
    const manager = await openManager(fs, testConfig({ segmentBytes: 1 << 20, flushMessages: 10 }))
    const log = await manager.createOrGetLog('t', 0)
    for (let i = 0; i < 25; i++) await log.append(simpleBatch(1, i, 10, `b${i}-`), { leaderEpoch: 0, durable: false })
    await manager.abandon()
    fs.powerCut()
    const again = await openManager(fs, testConfig({ segmentBytes: 1 << 20, flushMessages: 10 }))
    assert.equal(again.getLog('t', 0)!.logEndOffset, 20, 'flush.messages=10 fsynced through offset 19')
    await again.close()
  })

  it('a roll makes the old segment durable first: no gap of offsets before a surviving next segment', { timeout: 30_000 }, async () => {
    // A cut at each file-system operation of a roll and of the background flush after it.
    for (let cutAt = 1; cutAt <= 12; cutAt++) {
      const fs = new MemoryFileSystem()
      const manager = await openManager(fs, config)
      const log = await manager.createOrGetLog('t', 0)
      for (let i = 0; i < 3; i++) await log.append(simpleBatch(1, i, 10, `b${i}-`), { leaderEpoch: 0, durable: false })
      fs.cutPowerAfter(cutAt)
      await log.roll().catch(() => { /* the cut may fail the roll: what matters is what recovery finds */ })
      await manager.abandon()
      fs.powerOn()
      const again = await openManager(fs, config)
      const recovered = again.getLog('t', 0)!
      const offsets = (await readAll(recovered)).map((r) => r.offset)
      assert.equal(recovered.logEndOffset, offsets.length, `cut at ${cutAt}: offsets ${offsets.join(',')} then a log end of ${recovered.logEndOffset}`)
      await again.close()
    }
  })

  it('DeleteRecords cut by the power: the first leader epoch never starts above the recovered log start', { timeout: 30_000 }, async () => {
    for (let cutAt = 1; cutAt <= 8; cutAt++) {
      const fs = new MemoryFileSystem()
      const manager = await openManager(fs, config)
      const log = await manager.createOrGetLog('t', 0)
      for (let i = 0; i < 6; i++) await log.append(simpleBatch(1, i, 10, `b${i}-`), { leaderEpoch: 3, durable: true })
      log.setHighWatermark(log.logEndOffset)
      fs.cutPowerAfter(cutAt)
      await log.deleteRecordsBefore(4).catch(() => { /* the cut may fail it: what matters is what recovery finds */ })
      await manager.abandon()
      fs.powerOn()
      const again = await openManager(fs, config)
      const recovered = again.getLog('t', 0)!
      assert.deepEqual(recovered.leaderEpochEntries(), [{ epoch: 3, startOffset: recovered.logStartOffset }], `cut at ${cutAt}`)
      await again.close()
    }
  })

  it('an index rebuild cut short by a crash is redone, never trusted half-written after a later power cut', { timeout: 30_000 }, async () => {
    for (let crashAt = 1; crashAt <= 16; crashAt++) {
      const fs = new MemoryFileSystem()
      const manager = await openManager(fs, config)
      const log = await manager.createOrGetLog('t', 0)
      for (let i = 0; i < 4; i++) await log.append(simpleBatch(2, 1000 + i, 10, `b${i}-`), { leaderEpoch: 0, durable: true })
      await log.roll()
      await manager.close()
      // The rolled segment is below the recovery point and its index files are gone: the next start rebuilds them.
      for (const ext of [OFFSET_INDEX_EXT, TIME_INDEX_EXT] as const) await fs.unlink(`/data/t-0/${segmentFileName(0, ext)}`)
      await fs.unlink('/data/.brook_cleanshutdown')
      await fs.syncDir('/data/t-0')
      await fs.syncDir('/data')
      fs.crashAfter(crashAt)
      await openManager(fs, config).then(async (m) => { await m.abandon() }, () => { /* the crash may stop the open: what matters is the next one */ })
      fs.powerOn()
      const second = await openManager(fs, config)
      // An unrelated directory fsync (a roll), then the power goes.
      await second.getLog('t', 0)!.append(simpleBatch(1, 2000, 10, 'later-'), { leaderEpoch: 0, durable: true })
      await second.getLog('t', 0)!.roll()
      await second.abandon()
      fs.powerCut()
      const third = await openManager(fs, config)
      const recovered = third.getLog('t', 0)!
      assert.equal(recovered.segments[0]!.maxTimestamp, 1004, `crash at ${crashAt}: the first segment's largest timestamp`)
      assert.equal((await recovered.offsetForTimestamp(1003))?.offset, 5, `crash at ${crashAt}: a lookup by time`)
      assert.ok(!(await fs.readdir('/data/t-0')).some((n) => n.endsWith('.tmp')), 'no temp file left')
      await third.close()
    }
  })

  it('a producer snapshot deleted by a truncation stays deleted after a power cut (no stale state once the log grows past it)', { timeout: 30_000 }, async () => {
    const fs = new MemoryFileSystem()
    const producer = (epoch: number, seq: number, tag: string): Buffer =>
      batchOf([{ key: 'k', value: tag, timestamp: Date.now() }], { producerId: 7n, producerEpoch: epoch, baseSequence: seq })
    const first = await openManager(fs, config)
    const log = await first.createOrGetLog('t', 0)
    for (let seq = 0; seq < 10; seq++) await log.append(producer(0, seq, `old-${seq}`), { leaderEpoch: 0, durable: true })
    // A clean close leaves a producer snapshot at the log end (10).
    await first.close()
    const second = await openManager(fs, config)
    const reopened = second.getLog('t', 0)!
    // A follower's truncation below the snapshot, then other batches past it (the producer's new epoch).
    await reopened.truncateTo(5)
    for (let seq = 0; seq < 7; seq++) await reopened.append(producer(1, seq, `new-${seq}`), { leaderEpoch: 0, durable: true })
    await second.abandon()
    fs.powerCut()
    const third = await openManager(fs, config)
    const recovered = third.getLog('t', 0)!
    assert.equal(recovered.logEndOffset, 12)
    // The retry of a recent batch (offset 9) is recognised: the state was rebuilt from these batches, not the old snapshot.
    const retry = await recovered.append(producer(1, 4, 'new-4'), { leaderEpoch: 0, durable: true })
    assert.equal(retry.baseOffset, 9)
    assert.equal(recovered.logEndOffset, 12)
    await third.close()
  })

  it('an aborted transaction stays indexed when a roll\'s producer snapshot outlived its .txnindex entry', { timeout: 30_000 }, async () => {
    for (let cutAt = 1; cutAt <= 14; cutAt++) {
      const fs = new MemoryFileSystem()
      const manager = await openManager(fs, config)
      const log = await manager.createOrGetLog('t', 0)
      const data = buildBatchSync({ records: [{ key: 'k', value: 'aborted', timestamp: BigInt(Date.now()) }], producerId: 9n, producerEpoch: 0, baseSequence: 0, transactional: true })
      await log.append(data, { leaderEpoch: 0, durable: true })
      // The marker is written, not yet fsynced (its group commit is still to come) when the roll happens.
      await log.append(buildEndTxnMarker({ producerId: 9n, producerEpoch: 0, commit: false, coordinatorEpoch: 0 }), { leaderEpoch: 0, durable: false, origin: 'coordinator' })
      fs.cutPowerAfter(cutAt)
      await log.roll().catch(() => { /* the cut may fail the roll */ })
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
      await manager.abandon()
      if (!fs.powerIsOff) fs.powerCut()
      fs.powerOn()
      const again = await openManager(fs, config)
      const recovered = again.getLog('t', 0)!
      // The marker survives when the roll got far enough to fsync the segment; then so must its index entry.
      const expected = recovered.logEndOffset === 2 ? [[9n, 0]] : []
      assert.deepEqual((await recovered.abortedTransactions(0, 2)).map((t) => [t.producerId, t.firstOffset]), expected, `cut at ${cutAt}`)
      await again.close()
    }
  })

  it('a segment active when the recovery point was checkpointed is re-read: its time index gets its last entry back', { timeout: 30_000 }, async () => {
    const fs = new MemoryFileSystem()
    const manager = await openManager(fs, config)
    const log = await manager.createOrGetLog('t', 0)
    for (let i = 0; i < 6; i++) await log.append(simpleBatch(2, 1000 + i * 10, 60), { leaderEpoch: 0, durable: true })
    await manager.checkpoint()
    await log.roll()
    const first = log.segments[0]!
    const largest = first.maxTimestamp
    await log.flush()
    await manager.abandon()
    // The roll's final time index entry never reached the disk.
    const path = first.filePath(TIME_INDEX_EXT)
    const entries = await fs.readFile(path)
    const fh = await fs.open(path, 'r+')
    await fh.truncate(entries.length - 12)
    await fh.sync()
    await fh.close()
    await fs.syncDir('/data/t-0')
    fs.powerCut()
    fs.powerOn()
    const again = await openManager(fs, config)
    const timeIndex = await again.getLog('t', 0)!.segments[0]!.timeIndex()
    assert.equal(timeIndex.timestampAt(timeIndex.entries - 1), largest)
    await again.abandon()
  })

  it('a torn .txnindex entry in a recovered segment is rebuilt from the log, durably, and a stray one goes', { timeout: 30_000 }, async () => {
    const fs = new MemoryFileSystem()
    const manager = await openManager(fs, config)
    const log = await manager.createOrGetLog('t', 0)
    const data = buildBatchSync({ records: [{ key: 'k', value: 'aborted', timestamp: BigInt(Date.now()) }], producerId: 9n, producerEpoch: 0, baseSequence: 0, transactional: true })
    await log.append(data, { leaderEpoch: 0, durable: true })
    await log.append(buildEndTxnMarker({ producerId: 9n, producerEpoch: 0, commit: false, coordinatorEpoch: 0 }), { leaderEpoch: 0, durable: true, origin: 'coordinator' })
    await manager.abandon()
    fs.powerCut()
    fs.powerOn()
    // What a power cut can leave of an unsynced entry: zeros over its producer id and first
    // offset; and after it an entry naming no marker in the log.
    const path = `/data/t-0/${segmentFileName(0, TXN_INDEX_EXT)}`
    const torn = encodeAbortedTxn({ producerId: 9n, firstOffset: 0, lastOffset: 1, lastStableOffset: 2 })
    torn.fill(0, 2, 18)
    const stray = encodeAbortedTxn({ producerId: 4n, firstOffset: 0, lastOffset: 5, lastStableOffset: 6 })
    const fh = await fs.open(path, 'w+')
    await fh.write(Buffer.concat([torn, stray]), 0)
    await fh.sync()
    await fh.close()
    const again = await openManager(fs, config)
    const expected = [{ producerId: 9n, firstOffset: 0, lastOffset: 1, lastStableOffset: 2 }]
    assert.deepEqual(await again.getLog('t', 0)!.abortedTransactions(0, 2), expected)
    // The rebuilt file is on disk before the recovered log is served.
    fs.powerCut()
    fs.powerOn()
    assert.deepEqual(decodeAbortedTxns(await fs.readFile(path)).entries, expected)
    await again.abandon()
  })

  it('recovers at random cut points while appends are in flight', async () => {
    for (let seed = 20; seed < 30; seed++) {
      const random = prng(seed)
      const fs = new MemoryFileSystem()
      const manager = await openManager(fs, config)
      const log = await manager.createOrGetLog('t', 0)
      const acked: Acked[] = []
      const refused: unknown[] = []
      const cutAfter = randInt(random, 1, 40)
      for (let i = 0; i < cutAfter; i++) {
        const tag = `b${i}-`
        const durable = random() < 0.5
        void log.append(simpleBatch(randInt(random, 1, 3), i, 50, tag), { leaderEpoch: 0, durable })
          .then((r) => { acked.push({ baseOffset: r.baseOffset, lastOffset: r.lastOffset, tag, durable }) }, (err: unknown) => { refused.push(err) })
        if (random() < 0.5) await new Promise((resolve) => setImmediate(resolve))
      }
      fs.powerCut({ mode: random() < 0.5 ? 'torn' : 'drop', random })
      await manager.abandon()
      await new Promise((resolve) => setImmediate(resolve))
      // Appends caught by the cut fail as storage errors; none is left hanging.
      for (const err of refused) assert.equal((err as { kind?: string }).kind, 'KAFKA_STORAGE_ERROR')
      await checkPrefix(fs, acked)
    }
  })
})

async function filledFs (batches: number): Promise<{ fs: MemoryFileSystem, sizes: number[] }> {
  const fs = new MemoryFileSystem()
  const manager = await openManager(fs, config)
  const log = await manager.createOrGetLog('t', 0)
  const sizes: number[] = []
  for (let i = 0; i < batches; i++) {
    const b = simpleBatch(2, 1000 + i, 40, `b${i}-`)
    sizes.push(b.length)
    await log.append(b, { leaderEpoch: 0, durable: false })
  }
  await manager.close()
  return { fs, sizes }
}

describe('corrupt and torn tails', () => {
  it('cuts the last segment at the first bad batch (bytes flipped or cut at random positions)', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = prng(seed)
      const { fs } = await filledFs(60)
      const dir = '/data/t-0'
      const logs = (await fs.readdir(dir)).filter((n) => n.endsWith(LOG_EXT))
      const last = `${dir}/${logs[logs.length - 1]!}`
      const base = Number(logs[logs.length - 1]!.slice(0, 20))
      const content = await fs.readFile(last)
      const pos = randInt(random, 0, content.length - 1)
      const fh = await fs.open(last, 'r+')
      const flip = random() < 0.5
      if (flip) await fh.write(Buffer.from([content[pos]! ^ (1 + randInt(random, 0, 254))]), pos)
      else await fh.truncate(pos)
      await fh.close()
      // A cut tail is caught even after a clean shutdown; flipped bits inside the active segment
      // are caught by the CRC re-read of an unclean start (a clean start trusts, as Kafka).
      if (flip || random() < 0.5) await fs.unlink('/data/.brook_cleanshutdown')
      // The expected survivors: whole batches before the damaged one.
      let expectEnd = base
      let at = 0
      while (at < content.length) {
        const size = 12 + content.readInt32BE(at + 8)
        if (at + size > pos) break
        expectEnd = Number(content.readBigInt64BE(at)) + content.readInt32BE(at + 23) + 1
        at += size
      }
      const manager = await openManager(fs, config)
      const log = manager.getLog('t', 0)!
      assert.equal(log.logEndOffset, expectEnd, `seed ${seed}: ${flip ? 'flip' : 'cut'} at ${pos}`)
      const records = await readAll(log)
      assert.equal(records.length, expectEnd)
      records.forEach((r, i) => assert.equal(r.offset, i))
      assert.equal((await log.append(simpleBatch(1, 1), { leaderEpoch: 0, durable: true })).baseOffset, expectEnd)
      await manager.close()
    }
  })

  it('rebuilds missing and corrupt index files from the log', async () => {
    const { fs } = await filledFs(80)
    const dir = '/data/t-0'
    const names = await fs.readdir(dir)
    const indexes = names.filter((n) => n.endsWith(OFFSET_INDEX_EXT))
    const times = names.filter((n) => n.endsWith(TIME_INDEX_EXT))
    assert.ok(indexes.length >= 3)
    await fs.unlink(`${dir}/${indexes[0]!}`)
    const fh = await fs.open(`${dir}/${indexes[1]!}`, 'r+')
    await fh.write(Buffer.from('garbage!garbage!'), 0)
    await fh.close()
    const th = await fs.open(`${dir}/${times[2]!}`, 'r+')
    await th.truncate(5)
    await th.close()
    const manager = await openManager(fs, config)
    const log = manager.getLog('t', 0)!
    const records = await readAll(log, 0, 200)
    assert.equal(records.length, 160)
    records.forEach((r, i) => assert.equal(r.offset, i))
    assert.equal((await log.offsetForTimestamp(1050))?.offset, 99)
    await manager.close()
  })

  it('an unreadable recovery-point checkpoint means a full re-read, not a failure', async () => {
    const { fs } = await filledFs(30)
    await fs.unlink('/data/.brook_cleanshutdown')
    const fh = await fs.open(`/data/${RECOVERY_POINT_CHECKPOINT}`, 'r+')
    await fh.write(Buffer.from([0xff, 0xff]), 9)
    await fh.close()
    const manager = await openManager(fs, config)
    assert.equal(manager.getLog('t', 0)!.logEndOffset, 60)
    await manager.close()
  })

  it('completes an interrupted compaction swap', async () => {
    const { fs } = await filledFs(80)
    const dir = '/data/t-0'
    const logs = (await fs.readdir(dir)).filter((n) => n.endsWith(LOG_EXT))
    // Pretend the cleaner wrote a swap replacing the first two segments with the first one's content.
    const base = Number(logs[0]!.slice(0, 20))
    const second = Number(logs[1]!.slice(0, 20))
    const third = Number(logs[2]!.slice(0, 20))
    const content = await fs.readFile(`${dir}/${logs[0]!}`)
    const swap = await fs.open(`${dir}/${segmentFileName(base, LOG_EXT, SWAP_SUFFIX)}`, 'w+')
    await swap.write(Buffer.concat([content, await fs.readFile(`${dir}/${logs[1]!}`)]), 0)
    await swap.close()
    await fs.unlink('/data/.brook_cleanshutdown')
    const manager = await openManager(fs, config)
    const log = manager.getLog('t', 0)!
    assert.deepEqual(log.segments.slice(0, 2).map((s) => s.baseOffset), [base, third])
    assert.ok(!(await fs.readdir(dir)).some((n) => n.endsWith(SWAP_SUFFIX) || n.startsWith(String(second).padStart(20, '0'))))
    const records = await readAll(log)
    assert.equal(records.length, 160)
    await manager.close()
  })

  it('keeps the cleaner\'s txn index when the crash came after it was renamed, before the log', async () => {
    const { fs } = await filledFs(80)
    const dir = '/data/t-0'
    const logs = (await fs.readdir(dir)).filter((n) => n.endsWith(LOG_EXT))
    const base = Number(logs[0]!.slice(0, 20))
    const content = await fs.readFile(`${dir}/${logs[0]!}`)
    const swap = await fs.open(`${dir}/${segmentFileName(base, LOG_EXT, SWAP_SUFFIX)}`, 'w+')
    await swap.write(Buffer.concat([content, await fs.readFile(`${dir}/${logs[1]!}`)]), 0)
    await swap.close()
    // The cleaner's .txnindex.swap was already renamed into place; only the .log.swap is left.
    const aborted = { producerId: 7n, firstOffset: base + 1, lastOffset: base + 2, lastStableOffset: base + 3 }
    const index = await fs.open(`${dir}/${segmentFileName(base, TXN_INDEX_EXT)}`, 'w+')
    await index.write(encodeAbortedTxn(aborted), 0)
    await index.close()
    await fs.unlink('/data/.brook_cleanshutdown')
    const manager = await openManager(fs, config)
    const log = manager.getLog('t', 0)!
    assert.deepEqual(await log.abortedTransactions(base, base + 10), [aborted])
    await manager.close()
  })
})

describe('write failures', () => {
  for (const code of ['EIO'] as const) {
    it(`${code}: the append and the later ones fail with KAFKA_STORAGE_ERROR; reads still work; nothing torn is served`, async () => {
      const fs = new MemoryFileSystem()
      const manager = await openManager(fs, config)
      const log = await manager.createOrGetLog('t', 0)
      for (let i = 0; i < 10; i++) await log.append(simpleBatch(2, i, 30, `ok${i}-`), { leaderEpoch: 0, durable: false })
      fs.failNextWrite({ code, path: /\.log$/, partialBytes: 25 })
      const failing = [0, 1, 2].map((i) => log.append(simpleBatch(2, 100 + i, 30, 'bad-'), { leaderEpoch: 0, durable: i === 1 }))
      for (const p of failing) await assert.rejects(p, (e: unknown) => (e as { kind?: string }).kind === 'KAFKA_STORAGE_ERROR')
      await assert.rejects(log.append(simpleBatch(1, 1), { leaderEpoch: 0, durable: false }), (e: unknown) => (e as { kind?: string }).kind === 'KAFKA_STORAGE_ERROR')
      assert.equal(log.logEndOffset, 20)
      const records = await readAll(log)
      assert.equal(records.length, 20)
      assert.ok(records.every((r) => r.value?.startsWith('ok')))
      assert.equal((await log.read(20, { maxBytes: 1000, minOneBatch: true })).bytes, 0)
      await manager.close()
      const again = await openManager(fs, config)
      const log2 = again.getLog('t', 0)!
      assert.equal(log2.logEndOffset, 20)
      assert.equal((await log2.append(simpleBatch(1, 1), { leaderEpoch: 0, durable: true })).baseOffset, 20)
      await again.close()
    })
  }

  it('ENOSPC cut back cleanly: the group fails, appends are refused for a second, then an idempotent retry is written (not taken for a duplicate)', async () => {
    let now = 1_000_000
    const fs = new MemoryFileSystem()
    const manager = await openManager(fs, config, { clock: () => now })
    const log = await manager.createOrGetLog('t', 0)
    const batch = (seq: number, tag: string): Buffer => batchOf([{ key: null, value: `${tag}${seq}`, timestamp: now }], { producerId: 7n, producerEpoch: 0, baseSequence: seq })
    await log.append(batch(0, 'ok'), { leaderEpoch: 0, durable: true })
    fs.failNextWrite({ code: 'ENOSPC', path: /\.log$/, partialBytes: 25 })
    const storageError = (e: unknown): boolean => (e as { kind?: string }).kind === 'KAFKA_STORAGE_ERROR'
    await assert.rejects(log.append(batch(1, 'full'), { leaderEpoch: 0, durable: true }), storageError)
    assert.equal(log.writeError, null, 'a full disk does not poison the log')
    const writes = fs.stats.writes
    await assert.rejects(log.append(batch(1, 'full'), { leaderEpoch: 0, durable: true }), storageError)
    assert.equal(fs.stats.writes, writes, 'refused during the backoff without touching the disk')
    now += 1000
    assert.equal((await log.append(batch(1, 'retry'), { leaderEpoch: 0, durable: true })).baseOffset, 1)
    assert.deepEqual((await readAll(log)).map((r) => r.value), ['ok0', 'retry1'])
    await manager.close()
    const again = await openManager(fs, config)
    assert.deepEqual((await readAll(again.getLog('t', 0)!)).map((r) => r.value), ['ok0', 'retry1'])
    await again.close()
  })

  it('ENOSPC during a segment roll stays sticky (the roll may be half done)', async () => {
    const fs = new MemoryFileSystem()
    const manager = await openManager(fs, testConfig({ segmentBytes: 1024 }))
    const log = await manager.createOrGetLog('t', 0)
    for (let i = 0; i < 8; i++) await log.append(simpleBatch(1, i, 100), { leaderEpoch: 0, durable: false })
    fs.failNextWrite({ code: 'ENOSPC', path: /\.snapshot/, times: Infinity })
    let failed = 0
    for (let i = 0; i < 10 && failed === 0; i++) await log.append(simpleBatch(1, i, 100), { leaderEpoch: 0, durable: false }).catch(() => { failed++ })
    assert.equal(failed, 1, 'the append that rolls fails')
    assert.equal(log.writeError?.kind, 'KAFKA_STORAGE_ERROR', 'and the failure is sticky')
    await manager.close()
  })

  it('a failed fsync fails the durable append and poisons the log; data before it stays readable', async () => {
    const fs = new MemoryFileSystem()
    const manager = await openManager(fs, config)
    const log = await manager.createOrGetLog('t', 0)
    await log.append(simpleBatch(2, 1), { leaderEpoch: 0, durable: true })
    fs.failNextSync({ code: 'EIO', path: /\.log$/ })
    await assert.rejects(log.append(simpleBatch(2, 2), { leaderEpoch: 0, durable: true }), (e: unknown) => (e as { kind?: string }).kind === 'KAFKA_STORAGE_ERROR')
    await assert.rejects(log.append(simpleBatch(2, 3), { leaderEpoch: 0, durable: false }), (e: unknown) => (e as { kind?: string }).kind === 'KAFKA_STORAGE_ERROR')
    assert.equal((await readAll(log)).length, 4)
    await manager.close()
    assert.equal(await fs.exists('/data/.brook_cleanshutdown'), false, 'a poisoned log dir is not marked clean')
  })

  it('a failure while rolling (directory fsync) fails the append without corrupting the log', async () => {
    const fs = new MemoryFileSystem()
    const manager = await openManager(fs, testConfig({ segmentBytes: 1024 }))
    const log = await manager.createOrGetLog('t', 0)
    for (let i = 0; i < 8; i++) await log.append(simpleBatch(1, i, 100), { leaderEpoch: 0, durable: false })
    fs.failNextSync({ code: 'EIO', path: '/data/t-0' })
    let failed = 0
    for (let i = 0; i < 10; i++) {
      await log.append(simpleBatch(1, i, 100), { leaderEpoch: 0, durable: false }).catch(() => { failed++ })
    }
    assert.ok(failed > 0)
    const records = await readAll(log)
    records.forEach((r, i) => assert.equal(r.offset, i))
    assert.equal(records.length, log.logEndOffset)
    await manager.close()
  })
})
