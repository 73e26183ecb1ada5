import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { buildBatchSync, createTopicsApi, deleteRecordsApi, ErrorCode, fetchApi, iterateBatches, produceApi } from '@brook/protocol'
import { defaultLogConfig, LogManager, MemoryFileSystem, type ReadOptions, type ReadResult } from '@brook/storage'
import { earlyAnswer, ReadAhead, ReadAheadBudget } from '../../src/partition/read-ahead.js'
import { BufferPool, Lease } from '@brook/common'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { batchOf, fetchBody, fetchedValues, produceBody } from '../helpers/records.js'

function firstOffset (r: ReadResult | null): number {
  const chunk = r?.chunks[0]
  if (chunk === undefined) return -1
  const [batch] = iterateBatches(chunk)
  return batch === undefined ? -1 : Number(batch.readBigInt64BE(0))
}

async function logWith (batches: number): Promise<{ read: (o: number, opts: ReadOptions) => Promise<ReadResult>, reads: number[], close: () => Promise<void> }> {
  const manager = new LogManager({ fs: new MemoryFileSystem(), logDirs: ['/d'], defaults: defaultLogConfig, scheduler: false })
  await manager.open()
  const log = await manager.createOrGetLog('t', 0)
  for (let i = 0; i < batches; i++) {
    await log.append(buildBatchSync({ records: Array.from({ length: 10 }, (_v, j) => ({ key: null, value: Buffer.from(`${i}-${j}`), timestamp: 1n })) }), { leaderEpoch: 0, durable: false })
  }
  log.setHighWatermark(log.logEndOffset)
  const reads: number[] = []
  return {
    read: async (o, opts) => { reads.push(o); return await log.read(o, opts) },
    reads,
    close: async () => { await manager.close() }
  }
}

test('a fetch that continues the previous one starts the next read; the next fetch at that offset claims it', async () => {
  const { read, reads, close } = await logWith(10)
  const pool = new BufferPool()
  const ahead = new ReadAhead(read, new ReadAheadBudget())
  const lease = (): Lease => new Lease(pool)
  // First fetch [0, 20): not sequential yet, nothing read ahead.
  ahead.answered(0, 20, 100, 1000, false, lease())
  assert.deepEqual(reads, [])
  // Second fetch continues at 20: the read at 40 starts at once.
  ahead.answered(20, 40, 100, 1000, false, lease())
  assert.deepEqual(reads, [40])
  assert.equal(ahead.claim(40, 999, false), null, 'another byte limit does not match')
  assert.equal(ahead.claim(40, 1000, true), null, 'another isolation does not match')
  const claim = ahead.claim(40, 1000, false)
  assert.ok(claim !== null)
  assert.equal(firstOffset(await claim.result), 40)
  assert.equal(ahead.claim(40, 1000, false), null, 'claimed once')
  // A fetch that could not use it hands it back for the next one.
  assert.equal(claim.putBack(), true)
  const again = ahead.claim(40, 1000, false)
  assert.equal(again?.result, claim.result)
  // Caught up (the read ended at the bound): nothing more to read ahead.
  ahead.answered(40, 100, 100, 1000, false, lease())
  assert.deepEqual(reads, [40])
  await close()
})

test('an unclaimed read is dropped by a fetch elsewhere and its buffers come back to the pool', async () => {
  const { read, close } = await logWith(2000)
  const pool = new BufferPool()
  const ahead = new ReadAhead(read, new ReadAheadBudget())
  ahead.answered(0, 100, 20000, 200_000, false, new Lease(pool))
  ahead.answered(100, 200, 20000, 200_000, false, new Lease(pool))
  // A fetch elsewhere: the read at 200 is forgotten, its 256 KiB buffer returns when it is done.
  ahead.answered(5000, 5100, 20000, 200_000, false, new Lease(pool))
  assert.equal(ahead.claim(200, 200_000, false), null)
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(pool.idleBytes, 256 * 1024)
  await close()
})

test('the budget bounds what unclaimed reads hold', async () => {
  const { read, reads, close } = await logWith(10)
  const budget = new ReadAheadBudget(1500)
  const pool = new BufferPool()
  const a = new ReadAhead(read, budget)
  const b = new ReadAhead(read, budget)
  a.answered(0, 10, 100, 1000, false, new Lease(pool))
  a.answered(10, 20, 100, 1000, false, new Lease(pool))
  b.answered(0, 10, 100, 1000, false, new Lease(pool))
  b.answered(10, 20, 100, 1000, false, new Lease(pool))
  assert.equal(budget.bytes, 1000, 'the second partition found no room')
  assert.deepEqual(reads, [20, 20])
  // An unclaimed read older than a second makes room.
  b.answered(20, 30, 100, 1000, false, new Lease(pool), Date.now() + 2000)
  assert.equal(a.claim(20, 1000, false), null, 'the stale one was dropped')
  assert.ok(b.claim(30, 1000, false) !== null)
  assert.equal(budget.bytes, 0)
  await close()
})

test('an early read (made with min-one-batch) answers a fetch with or without it', () => {
  const read = (bytes: number): ReadResult => ({ chunks: [Buffer.alloc(bytes)], bytes })
  const within = read(800)
  assert.equal(earlyAnswer(within, 1000, false), within, 'within the limit both reads are the same')
  assert.equal(earlyAnswer(within, 1000, true), within)
  const over = read(1500)
  assert.equal(earlyAnswer(over, 1000, true), over, 'one batch over the limit is what min-one-batch asks for')
  assert.deepEqual(earlyAnswer(over, 1000, false), { chunks: [], bytes: 0 }, 'without it, a fresh read would return nothing')
  assert.equal(earlyAnswer(read(0), 1000, true), null, 'an empty early read: read again')
  assert.equal(earlyAnswer(null, 1000, true), null, 'a failed early read: read again and report the error')
})

let broker: TestBroker
before(async () => { broker = await startTestBroker() })
after(async () => { await broker.destroy() })

test('a consumer reading through a partition gets every record once, in order, also across DeleteRecords', async () => {
  const client = await RawClient.connect(broker.bootstrap)
  await client.request(createTopicsApi, 5, { topics: [{ name: 'ahead', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false })
  const value = (i: number): string => `${i}`.padEnd(300, '-')
  const total = 12_000
  for (let i = 0; i < total; i += 400) {
    await client.request(produceApi, 9, produceBody('ahead', await batchOf(Array.from({ length: 400 }, (_v, j) => value(i + j))), 1))
  }
  let offset = 0
  let fetches = 0
  while (offset < total) {
    const response = await client.request(fetchApi, 12, fetchBody('ahead', BigInt(offset), { partitionMaxBytes: 100 * 1024 }))
    const got = await fetchedValues(response)
    const fresh = got.filter(([o]) => o >= offset)
    assert.ok(fresh.length > 0, `progress at ${offset}`)
    for (const [o, v] of fresh) {
      assert.equal(o, offset, 'consecutive offsets')
      assert.equal(v, value(o))
      offset++
    }
    fetches++
    if (fetches === 10) {
      // Records before where the consumer will be next go; a read made ahead must not hide that.
      const deleted = await client.request(deleteRecordsApi, 2, { topics: [{ name: 'ahead', partitions: [{ partitionIndex: 0, offset: BigInt(offset + 2000) }] }], timeoutMs: 1000 })
      assert.equal(deleted.topics[0]?.partitions[0]?.errorCode, ErrorCode.NONE)
      const gone = await client.request(fetchApi, 12, fetchBody('ahead', BigInt(offset), { partitionMaxBytes: 100 * 1024 }))
      assert.equal(gone.responses[0]?.partitions[0]?.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE)
      offset += 2000
    }
  }
  assert.ok(fetches > 20)
  client.close()
})

test('two partitions fetched in turns (their order rotating, as librdkafka does) each get every record once, in order', async () => {
  const client = await RawClient.connect(broker.bootstrap)
  await client.request(createTopicsApi, 5, { topics: [{ name: 'ahead-two', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false })
  const value = (p: number, i: number): string => `${p}:${i}`.padEnd(300, '-')
  const total = 6000
  for (const p of [0, 1]) {
    // Batches of 400 x 300 B (~120 KB): larger than the 100 KiB limit the second partition keeps.
    for (let i = 0; i < total; i += 400) {
      await client.request(produceApi, 9, produceBody('ahead-two', await batchOf(Array.from({ length: 400 }, (_v, j) => value(p, i + j))), 1, p))
    }
  }
  const next = [0, 0]
  const limit = 100 * 1024
  for (let fetch = 0; (next[0] ?? 0) < total || (next[1] ?? 0) < total; fetch++) {
    assert.ok(fetch < 200, `progress (at ${next.join(', ')})`)
    const order = fetch % 2 === 0 ? [0, 1] : [1, 0]
    const body = fetchBody('ahead-two', 0n)
    const topic = body.topics[0]
    if (topic === undefined) throw new Error('fetchBody has one topic')
    topic.partitions = order.map((p) => ({ partition: p, fetchOffset: BigInt(next[p] ?? 0), partitionMaxBytes: limit, currentLeaderEpoch: -1 }))
    const response = await client.request(fetchApi, 12, body)
    let earlier = 0
    for (const part of response.responses[0]?.partitions ?? []) {
      assert.equal(part.errorCode, ErrorCode.NONE)
      const records = part.records
      const blob = records === null || records === undefined ? Buffer.alloc(0) : Buffer.isBuffer(records) ? records : Buffer.concat(records)
      // Only the first partition with data may go over its limit (one whole batch).
      if (earlier > 0) assert.ok(blob.length <= limit, `partition ${part.partitionIndex} after another stays within ${limit} (got ${blob.length})`)
      earlier += blob.length
      for (const batch of iterateBatches(blob)) {
        const first = Number(batch.readBigInt64BE(0))
        const decoded = await fetchedValues({ throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 'ahead-two', partitions: [{ ...part, records: batch }] }] })
        for (const [o, v] of decoded) {
          if (o < (next[part.partitionIndex] ?? 0)) continue
          assert.equal(o, next[part.partitionIndex], `partition ${part.partitionIndex}: consecutive offsets (batch at ${first})`)
          assert.equal(v, value(part.partitionIndex, o))
          next[part.partitionIndex] = o + 1
        }
      }
    }
  }
  assert.deepEqual(next, [total, total])
  client.close()
})
