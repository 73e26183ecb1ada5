import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildBatch, buildBatchSync } from '../../src/records/builder.js'
import {
  Compression, CONTROL_MASK, DELETE_HORIZON_MASK, hasValidCrc, readBatchHeader, TimestampType,
  TIMESTAMP_TYPE_MASK, TRANSACTIONAL_MASK
} from '../../src/records/record-batch.js'
import { decodeBatchSync } from '../../src/records/read-batches.js'
import { GOLDEN_BATCH, GOLDEN_INPUT } from './fixtures.js'

test('builds the hand-written golden batch byte for byte', async () => {
  assert.equal(buildBatchSync(GOLDEN_INPUT).toString('hex'), GOLDEN_BATCH.toString('hex'))
  assert.equal((await buildBatch(GOLDEN_INPUT)).toString('hex'), GOLDEN_BATCH.toString('hex'))
})

test('defaults: no producer, base offset 0, leader epoch -1, timestamps from the records', () => {
  const h = readBatchHeader(buildBatchSync({ records: [{ value: 'a', timestamp: 30n }, { value: 'b', timestamp: 20n }, { value: 'c', timestamp: 40n }] }))
  assert.equal(h.baseOffset, 0n)
  assert.equal(h.partitionLeaderEpoch, -1)
  assert.equal(h.producerId, -1n)
  assert.equal(h.producerEpoch, -1)
  assert.equal(h.baseSequence, -1)
  assert.equal(h.attributes, 0)
  assert.equal(h.baseTimestamp, 30n)
  assert.equal(h.maxTimestamp, 40n)
  assert.equal(h.lastOffsetDelta, 2)
  assert.equal(h.recordCount, 3)
})

test('records without timestamps take the base timestamp (now by default)', () => {
  const before = BigInt(Date.now())
  const h = readBatchHeader(buildBatchSync({ records: [{ value: 'a' }] }))
  assert.ok(h.baseTimestamp >= before && h.baseTimestamp <= BigInt(Date.now()))
  assert.equal(h.maxTimestamp, h.baseTimestamp)
})

test('attribute bits: compression, LogAppendTime, transactional, control, delete horizon', async () => {
  for (const codec of [Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd]) {
    const b = await buildBatch({ compression: codec, records: [{ value: 'x'.repeat(500) }] })
    assert.equal(readBatchHeader(b).attributes, codec)
    assert.ok(hasValidCrc(b))
  }
  const b = buildBatchSync({
    timestampType: TimestampType.LogAppendTime, transactional: true, control: true, deleteHorizonMs: 5000n,
    maxTimestamp: 6000n, records: [{ value: 'x', timestamp: 5001n }]
  })
  const h = readBatchHeader(b)
  assert.equal(h.attributes, TIMESTAMP_TYPE_MASK | TRANSACTIONAL_MASK | CONTROL_MASK | DELETE_HORIZON_MASK)
  assert.equal(h.baseTimestamp, 5000n)
  assert.equal(h.maxTimestamp, 6000n)
})

test('compaction shapes: offset gaps, kept lastOffsetDelta, empty batch', () => {
  const gaps = buildBatchSync({
    baseOffset: 100n, lastOffsetDelta: 9, records: [{ key: 'a', value: '1', offsetDelta: 2, timestamp: 1n }, { key: 'b', value: null, offsetDelta: 7, timestamp: 2n }]
  })
  const decoded = decodeBatchSync(gaps)
  assert.equal(decoded.header.lastOffsetDelta, 9)
  assert.deepEqual(decoded.records.map((r) => r.offset), [102n, 107n])
  assert.equal(decoded.records[1]!.value, null)

  const empty = buildBatchSync({ baseOffset: 50n, lastOffsetDelta: 4, producerId: 3n, producerEpoch: 1, baseSequence: 10, records: [] })
  const h = readBatchHeader(empty)
  assert.equal(empty.length, 61)
  assert.equal(h.recordCount, 0)
  assert.equal(h.lastOffsetDelta, 4)
  assert.equal(h.baseTimestamp, -1n)
  assert.equal(h.maxTimestamp, -1n)
  assert.ok(hasValidCrc(empty))
  assert.deepEqual(decodeBatchSync(empty).records, [])
})
