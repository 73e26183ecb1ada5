import { test } from 'node:test'
import assert from 'node:assert/strict'
import { crc32c } from '@node-rs/crc32'
import {
  batchSize, computeBatchCrc, hasValidCrc, patchBaseOffset, patchPartitionLeaderEpoch, readBatchHeader,
  stampLogAppendTime, TIMESTAMP_TYPE_MASK
} from '../../src/records/record-batch.js'
import { GOLDEN_BATCH } from './fixtures.js'

test('CRC-32C matches the standard check value', () => {
  // The Castagnoli polynomial's published check value for "123456789".
  assert.equal(crc32c(Buffer.from('123456789')) >>> 0, 0xe3069283)
})

test('the header view reads the golden batch field by field', () => {
  const h = readBatchHeader(GOLDEN_BATCH)
  assert.deepEqual(h, {
    baseOffset: 0n,
    batchLength: 77,
    partitionLeaderEpoch: 5,
    magic: 2,
    crc: 0x141eba0e,
    attributes: 0,
    lastOffsetDelta: 1,
    baseTimestamp: 1700000000000n,
    maxTimestamp: 1700000000005n,
    producerId: 1000n,
    producerEpoch: 2,
    baseSequence: 7,
    recordCount: 2
  })
  assert.equal(batchSize(GOLDEN_BATCH), GOLDEN_BATCH.length)
  assert.equal(computeBatchCrc(GOLDEN_BATCH), 0x141eba0e)
})

test('baseOffset and partitionLeaderEpoch are patched without touching the CRC', () => {
  const b = Buffer.from(GOLDEN_BATCH)
  patchBaseOffset(b, 0, 123456)
  patchPartitionLeaderEpoch(b, 0, 9)
  assert.equal(readBatchHeader(b).baseOffset, 123456n)
  assert.equal(readBatchHeader(b).partitionLeaderEpoch, 9)
  assert.ok(hasValidCrc(b))
})

test('stamping LogAppendTime rewrites the CRC', () => {
  const b = Buffer.from(GOLDEN_BATCH)
  stampLogAppendTime(b, 0, 1800000000000)
  const h = readBatchHeader(b)
  assert.equal(h.attributes & TIMESTAMP_TYPE_MASK, TIMESTAMP_TYPE_MASK)
  assert.equal(h.maxTimestamp, 1800000000000n)
  assert.notEqual(h.crc, 0x141eba0e)
  assert.ok(hasValidCrc(b))
})
