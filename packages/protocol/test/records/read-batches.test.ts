import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as snappy from 'snappy'
import { buildBatch, buildBatchSync } from '../../src/records/builder.js'
import { CompressionError } from '../../src/records/compression.js'
import { decodeBatch, decodeBatchSync, decodeBatches, iterateBatches } from '../../src/records/read-batches.js'
import {
  ATTRIBUTES, BATCH_LENGTH, Compression, LOG_OVERHEAD, RECORDS, stampLogAppendTime, TimestampType, updateBatchCrc
} from '../../src/records/record-batch.js'
import { encodeRecords, type RecordInput } from '../../src/records/record.js'
import { validateRecords } from '../../src/records/validate.js'
import { RecordFormatError } from '../../src/records/varint.js'
import { GOLDEN_BATCH } from './fixtures.js'

const RECORDS_IN: RecordInput[] = [
  { key: 'user-1', value: JSON.stringify({ n: 1 }), headers: [{ key: 'trace', value: 'abc' }, { key: 'empty', value: null }], timestamp: 1000n },
  { key: 'user-2', value: null, timestamp: 1001n }, // tombstone
  { key: null, value: 'keyless', timestamp: 999n },
  { key: Buffer.from([0, 1, 2]), value: Buffer.alloc(20_000, 7), headers: [{ key: 'bin', value: Buffer.from([255]) }], timestamp: 1002n }
]

function expected (baseOffset: bigint): unknown[] {
  return RECORDS_IN.map((r, i) => ({
    offset: baseOffset + BigInt(i),
    timestamp: r.timestamp,
    key: r.key === null || r.key === undefined ? null : Buffer.from(r.key),
    value: r.value === null || r.value === undefined ? null : Buffer.from(r.value),
    headers: (r.headers ?? []).map((h) => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value) }))
  }))
}

test('build -> validate -> decode round trips for every codec', async () => {
  for (const compression of [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd]) {
    const batch = await buildBatch({ compression, producerId: 7n, producerEpoch: 3, baseSequence: 40, records: RECORDS_IN })
    const summary = validateRecords(batch)
    assert.ok(summary.ok, `codec ${compression}`)
    assert.equal(summary.recordCount, 4)
    assert.equal(summary.maxTimestamp, 1002n)
    // The broker assigns offsets by patching the header; decoding follows.
    batch.writeBigInt64BE(500n, 0)
    const decoded = await decodeBatch(batch)
    assert.equal(decoded.compression, compression)
    assert.equal(decoded.timestampType, TimestampType.CreateTime)
    assert.equal(decoded.header.producerId, 7n)
    assert.deepEqual(decoded.records, expected(500n), `codec ${compression}`)
    assert.deepEqual(decodeBatchSync(batch).records, expected(500n), `sync codec ${compression}`)
  }
})

test('a batch whose records are one raw snappy block (librdkafka style) decodes', async () => {
  const plain = buildBatchSync({ records: RECORDS_IN })
  const raw = snappy.compressSync(encodeRecords(RECORDS_IN, 1000n))
  const batch = Buffer.concat([plain.subarray(0, RECORDS), raw])
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH)
  batch.writeInt16BE(Compression.Snappy, ATTRIBUTES)
  updateBatchCrc(batch, 0)
  assert.ok(validateRecords(batch).ok)
  assert.deepEqual((await decodeBatch(batch)).records, expected(0n))
  assert.deepEqual(decodeBatchSync(batch).records, expected(0n))
})

test('LogAppendTime batches report the append time for every record', () => {
  const batch = buildBatchSync({ compression: Compression.Lz4, records: RECORDS_IN })
  stampLogAppendTime(batch, 0, 1_800_000_000_000)
  const decoded = decodeBatchSync(batch)
  assert.equal(decoded.timestampType, TimestampType.LogAppendTime)
  assert.deepEqual(decoded.records.map((r) => r.timestamp), [1_800_000_000_000n, 1_800_000_000_000n, 1_800_000_000_000n, 1_800_000_000_000n])
})

test('iterateBatches yields whole batches and skips a partial tail', async () => {
  const a = buildBatchSync({ baseOffset: 0n, records: [{ value: 'a', timestamp: 1n }] })
  const b = buildBatchSync({ baseOffset: 1n, compression: Compression.Gzip, records: [{ value: 'b', timestamp: 2n }, { value: 'c', timestamp: 3n }] })
  const blob = Buffer.concat([a, b, b.subarray(0, 40)])
  const batches = [...iterateBatches(blob)]
  assert.deepEqual(batches, [a, b])
  const decoded = await decodeBatches(blob)
  assert.deepEqual(decoded.flatMap((d) => d.records.map((r) => [r.offset, r.value?.toString()])), [[0n, 'a'], [1n, 'b'], [2n, 'c']])
  assert.deepEqual([...iterateBatches(Buffer.concat([a, a.subarray(0, 5)]))], [a])
  const bad = Buffer.from(a)
  bad.writeInt32BE(10, BATCH_LENGTH)
  assert.throws(() => [...iterateBatches(bad)], RecordFormatError)
})

test('decodeBatch rejects a bad CRC, magic or length, and corrupt compressed data', async () => {
  const flipped = Buffer.from(GOLDEN_BATCH)
  flipped[70]! ^= 1
  assert.throws(() => decodeBatchSync(flipped), RecordFormatError)
  await assert.rejects(decodeBatch(flipped), RecordFormatError)
  // With the CRC check off the flip reaches the record decoder, which must still notice or decode.
  const lenient = decodeBatchSync(Buffer.from(GOLDEN_BATCH), { verifyCrc: false })
  assert.equal(lenient.records.length, 2)
  const magic = Buffer.from(GOLDEN_BATCH)
  magic[16] = 1
  assert.throws(() => decodeBatchSync(magic), /magic 1/)
  assert.throws(() => decodeBatchSync(GOLDEN_BATCH.subarray(0, 70)), RecordFormatError)
  assert.throws(() => decodeBatchSync(Buffer.concat([GOLDEN_BATCH, Buffer.alloc(1)])), RecordFormatError)
  const zstd = buildBatchSync({ compression: Compression.Zstd, records: RECORDS_IN })
  zstd.fill(0x55, RECORDS + 4, RECORDS + 40)
  updateBatchCrc(zstd, 0)
  assert.throws(() => decodeBatchSync(zstd), CompressionError)
})
