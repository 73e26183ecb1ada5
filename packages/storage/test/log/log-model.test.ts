// Random operation sequences against a simple sorted-map model (seeded, reproducible): appends
// (some concurrent, some compressed), follower appends (the leader's offsets kept), new leader
// epochs, reads by offset and by time, truncations, DeleteRecords, rolls, retention, compaction,
// clean restarts, process crashes and power cuts. The leader-epoch cache (and its checkpoint
// file) is checked after every step against the epochs the model saw, and the high watermark
// across clean restarts.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { iterateBatches, decodeBatchSync, buildBatchSync, Compression } from '@brook/protocol'
import { MemoryFileSystem } from '../../src/fs/memory-fs.js'
import type { LogManager } from '../../src/log-manager.js'
import type { Log } from '../../src/log/partition-log.js'
import type { LogConfig } from '../../src/types.js'
import { prng } from '@brook/common'
import { batchOf, openManager, randInt, readAll, type ReadRecord, type TestRecord, testConfig } from '../helpers.js'

interface Model {
  records: ReadRecord[]
  logStart: number
  leo: number
  cleanerCheckpoint: number | undefined
  /** Base offsets of appended batches: follower truncation happens at batch boundaries. */
  batchStarts: number[]
  /** Everything below it was acknowledged as durable (survives a power cut). */
  durableEnd: number
  /** The current leader epoch, stamped on appends. */
  epoch: number
  /** Leader epochs and their start offsets, by the cache's rules. */
  epochs: Array<{ epoch: number, startOffset: number }>
}

type Epochs = Model['epochs']

function assignEpoch (epochs: Epochs, epoch: number, startOffset: number): void {
  const last = epochs[epochs.length - 1]
  if (last !== undefined && last.epoch === epoch && last.startOffset <= startOffset) return
  while (epochs.length > 0 && (epochs[epochs.length - 1]!.epoch >= epoch || epochs[epochs.length - 1]!.startOffset >= startOffset)) epochs.pop()
  epochs.push({ epoch, startOffset })
}

function epochsFromStart (epochs: Epochs, logStart: number): Epochs {
  const covering = epochs.filter((e) => e.startOffset <= logStart)
  if (covering.length === 0) return epochs
  return [{ epoch: covering[covering.length - 1]!.epoch, startOffset: logStart }, ...epochs.filter((e) => e.startOffset > logStart)]
}

/** OffsetForLeaderEpoch from the model's epochs. */
function expectedEndOffset (epochs: Epochs, epoch: number, leo: number): { leaderEpoch: number, endOffset: number } {
  if (epochs.length > 0 && epochs[epochs.length - 1]!.epoch === epoch) return { leaderEpoch: epoch, endOffset: leo }
  const next = epochs.find((e) => e.epoch > epoch)
  if (next === undefined) return { leaderEpoch: -1, endOffset: -1 }
  const prev = [...epochs].reverse().find((e) => e.epoch <= epoch)
  return { leaderEpoch: prev?.epoch ?? epoch, endOffset: next.startOffset }
}

function pick<T> (random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!
}

async function run (seed: number, policy: 'delete' | 'compact', steps: number): Promise<void> {
  const random = prng(seed)
  const fs = new MemoryFileSystem()
  let config: LogConfig = testConfig({
    segmentBytes: 3000,
    indexIntervalBytes: 200,
    segmentIndexBytes: 120,
    cleanupPolicy: [policy],
    minCleanableDirtyRatio: 0,
    deleteRetentionMs: 1e12
  })
  let manager: LogManager = await openManager(fs, config)
  let log: Log = await manager.createOrGetLog('t', 0, config)
  const model: Model = { records: [], logStart: 0, leo: 0, cleanerCheckpoint: undefined, batchStarts: [], durableEnd: 0, epoch: 1, epochs: [] }
  let clock = 1_000_000
  const where = (step: number, op: string): string => `seed ${seed} step ${step} ${op}`

  const check = async (step: number, op: string): Promise<void> => {
    assert.equal(log.logEndOffset, model.leo, where(step, op) + ' leo')
    assert.equal(log.logStartOffset, model.logStart, where(step, op) + ' log start')
    const got = await readAll(log, model.logStart, randInt(random, 100, 4000))
    assert.deepEqual(got, model.records, where(step, op) + ' content')
    assert.deepEqual(log.leaderEpochEntries(), model.epochs, where(step, op) + ' leader epochs')
    if (model.epochs.length > 0) {
      const text = (await fs.readFile(`${log.dir}/leader-epoch-checkpoint`)).toString()
      assert.equal(text, ['0', String(model.epochs.length), ...model.epochs.map((e) => `${e.epoch} ${e.startOffset}`)].join('\n') + '\n', where(step, op) + ' leader-epoch-checkpoint')
    }
    const asked = randInt(random, 0, model.epoch + 1)
    assert.deepEqual(log.endOffsetForEpoch(asked), expectedEndOffset(model.epochs, asked, model.leo), where(step, op) + ` endOffsetFor(${asked})`)
  }

  /** After any reopen: entries at or past the log end go, then the log start cuts the rest. */
  const reloadEpochs = (): void => {
    model.epochs = epochsFromStart(model.epochs.filter((e) => e.startOffset < model.leo), model.logStart)
  }

  const reopen = async (crash: boolean): Promise<void> => {
    if (crash) await manager.abandon()
    else await manager.close()
    manager = await openManager(fs, config, { topicConfig: () => config })
    log = manager.getLog('t', 0)!
    if (!crash) assert.equal(log.highWatermark, model.leo, 'the high watermark is restored at a clean restart')
    log.setHighWatermark(log.logEndOffset)
    reloadEpochs()
  }

  for (let step = 0; step < steps; step++) {
    const roll = random()
    let op = ''
    if (roll < 0.4) {
      op = 'append'
      const concurrent = randInt(random, 1, 4)
      const batches: TestRecord[][] = []
      for (let b = 0; b < concurrent; b++) {
        const n = randInt(random, 1, 5)
        batches.push(Array.from({ length: n }, () => {
          clock += randInt(random, 0, 20)
          return {
            key: random() < 0.03 ? null : `k${randInt(random, 0, 12)}`,
            value: random() < 0.06 ? null : 'v'.repeat(randInt(random, 1, 60)) + String(step),
            timestamp: clock + randInt(random, -50, 50)
          }
        }))
      }
      const durable = batches.map(() => random() < 0.2)
      const results = await Promise.all(batches.map(async (records, b) =>
        await log.append(batchOf(records, { compression: random() < 0.2 ? Compression.Gzip : Compression.None }), { leaderEpoch: model.epoch, durable: durable[b]! })))
      results.forEach((r, b) => {
        if (durable[b]!) model.durableEnd = Math.max(model.durableEnd, r.lastOffset + 1)
        assert.equal(r.baseOffset, model.leo, where(step, 'append offsets'))
        assignEpoch(model.epochs, model.epoch, model.leo)
        model.batchStarts.push(model.leo)
        batches[b]!.forEach((rec, j) => model.records.push({ offset: model.leo + j, key: rec.key, value: rec.value, timestamp: rec.timestamp }))
        model.leo += batches[b]!.length
      })
      log.setHighWatermark(model.leo)
    } else if (roll < 0.46) {
      op = 'follower append'
      const batches: Buffer[] = []
      let base = model.leo
      for (let b = randInt(random, 1, 3); b > 0; b--) {
        const records: TestRecord[] = Array.from({ length: randInt(random, 1, 4) }, (_v, j) => ({ key: `k${randInt(random, 0, 12)}`, value: `f${step}-${j}`, timestamp: clock + j }))
        batches.push(buildBatchSync({
          baseOffset: BigInt(base),
          partitionLeaderEpoch: model.epoch,
          compression: random() < 0.2 ? Compression.Gzip : Compression.None,
          records: records.map((x) => ({ key: x.key, value: x.value, timestamp: BigInt(x.timestamp) }))
        }))
        model.batchStarts.push(base)
        assignEpoch(model.epochs, model.epoch, base)
        records.forEach((x, j) => model.records.push({ offset: base + j, ...x }))
        base += records.length
      }
      const durable = random() < 0.3
      const r = await log.appendAsFollower(Buffer.concat(batches), { durable })
      assert.deepEqual([r.baseOffset, r.lastOffset], [model.leo, base - 1], where(step, 'follower offsets kept'))
      model.leo = base
      if (durable) model.durableEnd = base
      log.setHighWatermark(model.leo)
    } else if (roll < 0.49) {
      op = 'new leader epoch'
      model.epoch += randInt(random, 1, 3)
      if (random() < 0.5) {
        await log.assignEpochStartOffset(model.epoch)
        assignEpoch(model.epochs, model.epoch, model.leo)
      }
    } else if (roll < 0.6) {
      op = 'read'
      const offset = randInt(random, model.logStart, model.leo)
      const maxBytes = randInt(random, 20, 3000)
      const minOneBatch = random() < 0.7
      const r = await log.read(offset, { maxBytes, minOneBatch })
      const got: ReadRecord[] = []
      let batches = 0
      for (const chunk of r.chunks) {
        for (const batch of iterateBatches(chunk)) {
          batches++
          const d = decodeBatchSync(batch)
          if (batches === 1) assert.ok(Number(d.header.baseOffset) + d.header.lastOffsetDelta >= offset, where(step, 'first batch reaches offset'))
          for (const rec of d.records) {
            if (Number(rec.offset) >= offset) got.push({ offset: Number(rec.offset), key: rec.key?.toString() ?? null, value: rec.value?.toString() ?? null, timestamp: Number(rec.timestamp) })
          }
        }
      }
      if (batches > 1) assert.ok(r.bytes <= maxBytes, where(step, 'maxBytes'))
      if (!minOneBatch) assert.ok(r.bytes <= maxBytes, where(step, 'maxBytes without minOneBatch'))
      const expected = model.records.filter((x) => x.offset >= offset).slice(0, got.length)
      assert.deepEqual(got, expected, where(step, 'read content'))
      if (minOneBatch && model.records.some((x) => x.offset >= offset)) assert.ok(batches > 0, where(step, 'minOneBatch'))
    } else if (roll < 0.7) {
      op = 'time lookup'
      const target = clock - randInt(random, -60, 2000)
      const found = await log.offsetForTimestamp(target)
      const first = model.records.find((x) => x.timestamp >= target)
      if (first === undefined) assert.equal(found, null, where(step, op))
      else assert.deepEqual({ offset: found?.offset, timestamp: found?.timestamp }, { offset: first.offset, timestamp: first.timestamp }, where(step, op))
    } else if (roll < 0.75) {
      op = 'truncate'
      const to = pick(random, [...model.batchStarts.filter((o) => o >= model.logStart), model.leo])
      await log.truncateTo(to)
      model.batchStarts = model.batchStarts.filter((o) => o < to)
      model.records = model.records.filter((x) => x.offset < to)
      const cut = to < model.leo
      model.leo = Math.min(model.leo, to)
      model.durableEnd = Math.min(model.durableEnd, to)
      // Truncating at or past the log end changes nothing, the epochs included.
      if (cut) model.epochs = model.epochs.filter((e) => e.startOffset < to)
      if (model.cleanerCheckpoint !== undefined) model.cleanerCheckpoint = Math.min(model.cleanerCheckpoint, to)
      log.setHighWatermark(model.leo)
    } else if (roll < 0.8) {
      op = 'delete records'
      const to = randInt(random, model.logStart, model.leo)
      const start = await log.deleteRecordsBefore(to)
      model.logStart = Math.max(model.logStart, to)
      assert.equal(start, model.logStart, where(step, op))
      model.epochs = epochsFromStart(model.epochs, model.logStart)
      model.records = model.records.filter((x) => x.offset >= model.logStart)
    } else if (roll < 0.84) {
      op = 'roll'
      await log.roll()
    } else if (roll < 0.9 && policy === 'delete') {
      op = 'retention'
      const byBytes = random() < 0.5
      config = { ...config, retentionBytes: byBytes ? randInt(random, 1000, 12000) : -1, retentionMs: byBytes ? -1 : randInt(random, 0, 3000) }
      log.updateConfig(config)
      await log.deleteOldSegments(clock)
      assert.ok(log.logStartOffset >= model.logStart, where(step, op))
      model.logStart = log.logStartOffset
      model.records = model.records.filter((x) => x.offset >= model.logStart)
      model.epochs = epochsFromStart(model.epochs, model.logStart)
      const segs = log.segments
      if (byBytes && segs.length > 1) assert.ok(log.size - segs[0]!.size < config.retentionBytes, where(step, 'retention.bytes kept too much'))
      if (!byBytes && segs.length > 1) assert.ok(clock - segs[0]!.maxTimestamp <= config.retentionMs, where(step, 'retention.ms kept an expired segment'))
      config = { ...config, retentionBytes: -1, retentionMs: -1 }
      log.updateConfig(config)
    } else if (roll < 0.9 && policy === 'compact') {
      op = 'compact'
      const firstDirty = Math.max(model.cleanerCheckpoint ?? model.logStart, model.logStart)
      const stats = await manager.runCleaner(clock)
      if (stats !== null) {
        const end = stats.nextDirtyOffset
        const latest = new Map<string, number>()
        for (const x of model.records) if (x.key !== null && x.offset >= firstDirty && x.offset < end) latest.set(x.key, x.offset)
        model.records = model.records.filter((x) => {
          if (x.offset >= end) return true
          if (x.key === null) return false
          const l = latest.get(x.key)
          return l === undefined || x.offset >= l
        })
        model.cleanerCheckpoint = end
        assert.ok(end <= log.activeSegment.baseOffset, where(step, 'cleaner touched the active segment'))
      }
    } else if (roll < 0.96) {
      op = 'restart'
      await reopen(false)
    } else if (roll < 0.98) {
      op = 'crash'
      await reopen(true)
    } else {
      op = 'power cut'
      await manager.abandon()
      fs.powerCut({ mode: random() < 0.5 ? 'torn' : 'drop', random })
      manager = await openManager(fs, config, { topicConfig: () => config })
      log = manager.getLog('t', 0)!
      const leo = log.logEndOffset
      assert.ok(leo >= model.durableEnd && leo <= Math.max(model.leo, model.logStart), where(step, `durable data lost: leo ${leo}, durable ${model.durableEnd}`))
      assert.ok(leo === model.leo || leo === model.logStart || model.batchStarts.includes(leo), where(step, 'recovered to a batch boundary'))
      model.records = model.records.filter((x) => x.offset < leo)
      model.batchStarts = model.batchStarts.filter((o) => o < leo)
      if (leo === model.logStart) model.records = []
      model.leo = leo
      model.durableEnd = leo
      log.setHighWatermark(leo)
      reloadEpochs()
    }
    await check(step, op)
  }
  await manager.close()
}

// BROOK_MODEL_SEEDS / BROOK_MODEL_STEPS widen the search (a soak); the defaults keep the suite lean.
const seeds = Number(process.env.BROOK_MODEL_SEEDS ?? 3)
const steps = Number(process.env.BROOK_MODEL_STEPS ?? 250)

describe('log against a sorted-map model', () => {
  for (let seed = 1; seed <= seeds; seed++) {
    it(`delete policy, seed ${seed}`, { timeout: 300_000 }, async () => { await run(seed, 'delete', steps) })
    it(`compact policy, seed ${seed}`, { timeout: 300_000 }, async () => { await run(100 + seed, 'compact', steps) })
  }
})
