// The log cleaner and transactions: aborted data goes, committed data competes with plain data,
// nothing at or past the LSO is touched, markers stay while their transaction's data does, the
// aborted-transaction index follows the cleaned segments, and a restart sees the same log.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { buildBatchSync, ControlType, buildEndTxnMarker, readControlType, decodeBatchSync, iterateBatches, DELETE_HORIZON_MASK, hasValidCrc } from '@brook/protocol'
import { MemoryFileSystem } from '../../src/fs/memory-fs.js'
import type { LogManager } from '../../src/log-manager.js'
import type { Log } from '../../src/log/partition-log.js'
import { openManager, testConfig } from '../helpers.js'

const config = testConfig({
  segmentBytes: 1024,
  cleanupPolicy: ['compact'],
  minCleanableDirtyRatio: 0,
  deleteRetentionMs: 10_000
})

const VALUE_PAD = 'x'.repeat(40)
const seqs = new Map<bigint, number>()

async function write (log: Log, key: string, value: string, pid?: bigint): Promise<number> {
  const seq = pid === undefined ? 0 : seqs.get(pid) ?? 0
  if (pid !== undefined) seqs.set(pid, seq + 1)
  const batch = buildBatchSync({
    records: [{ key: Buffer.from(key), value: Buffer.from(`${value}|${VALUE_PAD}`), timestamp: 1000n }],
    ...(pid === undefined ? {} : { producerId: pid, producerEpoch: 0, baseSequence: seq, transactional: true })
  })
  const r = await log.append(batch, { leaderEpoch: 0, durable: false })
  log.setHighWatermark(log.logEndOffset)
  return r.baseOffset
}

async function end (log: Log, pid: bigint, commit: boolean): Promise<number> {
  const marker = buildEndTxnMarker({ producerId: pid, producerEpoch: 0, commit, coordinatorEpoch: 0, timestamp: 1000n })
  const r = await log.append(marker, { leaderEpoch: 0, durable: false, origin: 'coordinator' })
  log.setHighWatermark(log.logEndOffset)
  return r.baseOffset
}

async function filler (log: Log, count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i++) await write(log, `f${i % 3}`, `${tag}${i}`)
}

interface Batch { raw: Buffer, baseOffset: number, lastOffset: number, producerId: bigint, control: number | null, records: Array<{ offset: number, key: string, value: string | null }> }

async function batches (log: Log): Promise<Batch[]> {
  const out: Batch[] = []
  let offset = log.logStartOffset
  while (offset < log.logEndOffset) {
    const r = await log.read(offset, { maxBytes: 1 << 20, minOneBatch: true })
    if (r.bytes === 0) break
    for (const raw of iterateBatches(r.chunks[0]!)) {
      const d = decodeBatchSync(raw)
      const baseOffset = Number(d.header.baseOffset)
      const lastOffset = baseOffset + d.header.lastOffsetDelta
      out.push({
        raw,
        baseOffset,
        lastOffset,
        producerId: d.header.producerId,
        control: d.isControl && d.records[0] !== undefined ? readControlType(d.records[0].key) : null,
        records: d.isControl ? [] : d.records.map((x) => ({ offset: Number(x.offset), key: x.key!.toString(), value: x.value?.toString().split('|')[0] ?? null }))
      })
      offset = lastOffset + 1
    }
  }
  return out
}

/** What a read_committed consumer ends with below the LSO: key -> value of the last committed record. */
async function committedView (log: Log): Promise<Map<string, string | null>> {
  const lso = log.lastStableOffset
  const aborted = await log.abortedTransactions(log.logStartOffset, lso)
  const view = new Map<string, string | null>()
  for (const b of await batches(log)) {
    if (b.baseOffset >= lso) break
    if (aborted.some((t) => t.producerId === b.producerId && t.firstOffset <= b.baseOffset && b.lastOffset <= t.lastOffset)) continue
    for (const r of b.records) view.set(r.key, r.value)
  }
  return view
}

/** Every (offset, key, value) below `upTo` as the log serves it, markers as 'COMMIT'/'ABORT' entries. */
function flatten (all: Batch[], from = 0, upTo = Infinity): string[] {
  const out: string[] = []
  for (const b of all) {
    if (b.lastOffset < from || b.baseOffset >= upTo) continue
    if (b.control !== null) out.push(`${b.baseOffset}:${b.control === ControlType.Commit ? 'COMMIT' : 'ABORT'}:${b.producerId}`)
    for (const r of b.records) out.push(`${r.offset}:${r.key}=${r.value}`)
  }
  return out
}

interface Scenario { fs: MemoryFileSystem, manager: LogManager, log: Log, commit10: number, abort20: number, abort40: number, ongoing30: number }

/**
 * Plain writes and three finished transactions on keys a, b, c, d (10 committed, 20 and 40 aborted,
 * 40's marker in the active segment), then 30 left open: the LSO sits at 30's first offset.
 */
async function scenario (): Promise<Scenario> {
  seqs.clear()
  const fs = new MemoryFileSystem()
  const manager = await openManager(fs, config)
  const log = await manager.createOrGetLog('t', 0, config)
  await write(log, 'a', 'plain-a0')
  await write(log, 'b', 'plain-b0')
  await write(log, 'd', 'plain-d0')
  await write(log, 'a', 'committed-a10', 10n)
  await write(log, 'b', 'aborted-b20', 20n)
  await write(log, 'a', 'aborted-a20', 20n)
  await write(log, 'c', 'committed-c10', 10n)
  await write(log, 'd', 'aborted-d40', 40n)
  await write(log, 'c', 'plain-c1')
  const commit10 = await end(log, 10n, true)
  const abort20 = await end(log, 20n, false)
  await filler(log, 20, 'one')
  const abort40 = await end(log, 40n, false)
  const ongoing30 = await write(log, 'a', 'ongoing-a30', 30n)
  await write(log, 'b', 'plain-b-after-lso')
  await filler(log, 20, 'two')
  assert.equal(log.lastStableOffset, ongoing30)
  return { fs, manager, log, commit10, abort20, abort40, ongoing30 }
}

describe('log cleaner and transactions', () => {
  it('drops aborted data, keeps committed last-per-key, touches nothing at or past the LSO', async () => {
    const s = await scenario()
    const { log } = s
    const before = await batches(log)
    const viewBefore = await committedView(log)
    assert.equal(viewBefore.get('a'), 'committed-a10')
    const abortedBefore = await log.abortedTransactions(0, log.logEndOffset)
    assert.deepEqual(abortedBefore.map((t) => t.producerId), [20n, 40n])

    const stats = await s.manager.runCleaner(1_000)
    assert.ok(stats !== null && stats.segmentsCleaned > 0)
    assert.ok(stats.nextDirtyOffset <= s.ongoing30, 'the cleaned range stops at the LSO')
    const after = await batches(log)
    for (const b of after) assert.ok(hasValidCrc(b.raw))

    // Below the LSO: each key's last committed or plain value, nothing of 20 or 40.
    const cleaned = flatten(after, 0, stats.nextDirtyOffset)
    assert.ok(!cleaned.some((x) => x.includes('aborted')), cleaned.join(' '))
    assert.ok(cleaned.includes('3:a=committed-a10'), 'an aborted later value does not replace the committed one')
    assert.ok(cleaned.includes('1:b=plain-b0'))
    assert.ok(cleaned.includes('2:d=plain-d0'))
    assert.ok(cleaned.includes('8:c=plain-c1') && !cleaned.includes('6:c=committed-c10'), 'a later plain value wins over a committed one')
    assert.ok(!cleaned.includes('0:a=plain-a0'), 'a committed value wins over an earlier plain one')
    // Markers stay: 10's data is still there, 20's data was met in this pass.
    assert.ok(cleaned.includes(`${s.commit10}:COMMIT:10`))
    assert.ok(cleaned.includes(`${s.abort20}:ABORT:20`))
    // Past the cleaned range the batches are the very same bytes.
    const tail = (xs: Batch[]): Buffer[] => xs.filter((b) => b.baseOffset >= stats.nextDirtyOffset).map((b) => b.raw)
    assert.deepEqual(tail(after), tail(before))
    assert.ok(after.some((b) => b.records.some((r) => r.value === 'ongoing-a30')))
    // The index follows: 20's entry moved to the cleaned segment, 40's stays in the active one.
    assert.deepEqual(await log.abortedTransactions(0, log.logEndOffset), abortedBefore)
    assert.deepEqual(await committedView(log), viewBefore)

    // A restart reads the same log, the same aborted transactions and the same LSO.
    await s.manager.close()
    const again = await openManager(s.fs, config, { topicConfig: () => config })
    const reopened = again.getLog('t', 0)!
    assert.deepEqual(flatten(await batches(reopened)), flatten(after))
    assert.deepEqual(await reopened.abortedTransactions(0, reopened.logEndOffset), abortedBefore)
    assert.equal(reopened.lastStableOffset, s.ongoing30)
    await again.close()
  })

  it('removes a marker only after its data is gone and delete.retention.ms has passed', async () => {
    const s = await scenario()
    const { log } = s
    await s.manager.runCleaner(1_000)
    // 30 commits; 20 and 40 write again (their emptied aborted batches stop being their last data
    // batches, so they can go); more data makes the old segments dirty again.
    await end(log, 30n, true)
    await write(log, 'a', 'plain-a-late')
    await write(log, 'e', 'committed-e20', 20n)
    await end(log, 20n, true)
    await write(log, 'g', 'committed-g40', 40n)
    await end(log, 40n, true)
    await filler(log, 30, 'three')
    const second = await s.manager.runCleaner(2_000)
    assert.ok(second !== null && second.nextDirtyOffset > s.ongoing30, 'past the old LSO once 30 committed')
    const markerOf = async (offset: number): Promise<Batch | undefined> => (await batches(log)).find((b) => b.baseOffset === offset)
    // This pass dropped 20's and 40's (empty) data batches: their markers and index entries stay once more.
    assert.equal((await markerOf(s.abort20))?.control, ControlType.Abort)
    assert.deepEqual((await log.abortedTransactions(0, log.logEndOffset)).map((t) => t.producerId), [20n, 40n])

    await filler(log, 30, 'four')
    await s.manager.runCleaner(3_000)
    const abortMarker = await markerOf(s.abort20)
    assert.ok(abortMarker !== undefined, '20\'s marker stays for delete.retention.ms after its data went')
    assert.ok((abortMarker.raw.readInt16BE(21) & DELETE_HORIZON_MASK) !== 0)
    assert.equal(Number(abortMarker.raw.readBigInt64BE(27)), 3_000 + 10_000)
    assert.ok(hasValidCrc(abortMarker.raw))
    assert.deepEqual(await log.abortedTransactions(0, log.logEndOffset), [], 'no data left of 20 or 40: their index entries are dropped')

    await filler(log, 30, 'five')
    await s.manager.runCleaner(5_000)
    assert.ok(await markerOf(s.abort20) !== undefined, 'not before the horizon')
    await filler(log, 30, 'six')
    await s.manager.runCleaner(20_000)
    const all = await batches(log)
    assert.ok(!all.some((b) => b.baseOffset === s.abort20), 'gone after the horizon')
    assert.ok(!all.some((b) => b.baseOffset === s.abort40), '40\'s marker too')
    // 10 never wrote again: its last data batch stays (emptied, for its sequence state), so its marker stays.
    assert.ok(all.some((b) => b.producerId === 10n && b.control === null && b.records.length === 0))
    assert.equal(all.find((b) => b.baseOffset === s.commit10)?.control, ControlType.Commit)
    const view = await committedView(log)
    assert.equal(view.get('a'), 'plain-a-late')
    assert.equal(view.get('b'), 'plain-b-after-lso')
    assert.equal(view.get('d'), 'plain-d0')
    assert.equal(view.get('e'), 'committed-e20')
    assert.ok(![...view.values()].some((v) => v?.includes('aborted') === true))
    for (const b of all) assert.ok(hasValidCrc(b.raw))
    await s.manager.close()
    const again = await openManager(s.fs, config, { topicConfig: () => config })
    assert.deepEqual(flatten(await batches(again.getLog('t', 0)!)), flatten(all))
    await again.close()
  })
})
