import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { buildBatchSync, createTopicsApi, deleteRecordsApi, ErrorCode, fetchApi, iterateBatches, produceApi } from '@brook/protocol'
import { defaultLogConfig, LogManager, MemoryFileSystem, type ReadOptions, type ReadResult } from '@brook/storage'
import { ReadAhead, ReadAheadBudget } from '../../src/partition/read-ahead.js'
import { BufferPool, Lease } from '../../src/server/buffer-pool.js'
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
  ahead.answered(0, 20, 100, 1000, true, false, lease())
  assert.deepEqual(reads, [])
  // Second fetch continues at 20: the read at 40 starts at once.
  ahead.answered(20, 40, 100, 1000, true, false, lease())
  assert.deepEqual(reads, [40])
  assert.equal(ahead.claim(40, 999, true, false), null, 'another byte limit does not match')
  assert.equal(ahead.claim(40, 1000, true, true), null, 'another isolation does not match')
  const claim = ahead.claim(40, 1000, true, false)
  assert.ok(claim !== null)
  assert.equal(firstOffset(await claim.result), 40)
  assert.equal(ahead.claim(40, 1000, true, false), null, 'claimed once')
  // Caught up (the read ended at the bound): nothing more to read ahead.
  ahead.answered(40, 100, 100, 1000, true, false, lease())
  assert.deepEqual(reads, [40])
  await close()
})

test('an unclaimed read is dropped by a fetch elsewhere and its buffers come back to the pool', async () => {
  const { read, close } = await logWith(2000)
  const pool = new BufferPool()
  const ahead = new ReadAhead(read, new ReadAheadBudget())
  ahead.answered(0, 100, 20000, 200_000, true, false, new Lease(pool))
  ahead.answered(100, 200, 20000, 200_000, true, false, new Lease(pool))
  // A fetch elsewhere: the read at 200 is forgotten, its 256 KiB buffer returns when it is done.
  ahead.answered(5000, 5100, 20000, 200_000, true, false, new Lease(pool))
  assert.equal(ahead.claim(200, 200_000, true, false), null)
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
  a.answered(0, 10, 100, 1000, true, false, new Lease(pool))
  a.answered(10, 20, 100, 1000, true, false, new Lease(pool))
  b.answered(0, 10, 100, 1000, true, false, new Lease(pool))
  b.answered(10, 20, 100, 1000, true, false, new Lease(pool))
  assert.equal(budget.bytes, 1000, 'the second partition found no room')
  assert.deepEqual(reads, [20, 20])
  // An unclaimed read older than a second makes room.
  b.answered(20, 30, 100, 1000, true, false, new Lease(pool), Date.now() + 2000)
  assert.equal(a.claim(20, 1000, true, false), null, 'the stale one was dropped')
  assert.ok(b.claim(30, 1000, true, false) !== null)
  assert.equal(budget.bytes, 0)
  await close()
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
