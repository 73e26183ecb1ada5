import { test } from 'node:test'
import assert from 'node:assert/strict'
import { crc32c } from '@node-rs/crc32'
import { buildBatchSync, type BatchInput } from '../../src/records/builder.js'
import { buildEndTxnMarker } from '../../src/records/control-batch.js'
import { iterateBatches, decodeBatchSync } from '../../src/records/read-batches.js'
import {
  ATTRIBUTES, BASE_OFFSET, BATCH_LENGTH, Compression, MAGIC, RECORD_COUNT, LAST_OFFSET_DELTA, updateBatchCrc
} from '../../src/records/record-batch.js'
import { type RecordsValidation, validateRecords } from '../../src/records/validate.js'
import { prng } from '@brook/common'
import { GOLDEN_BATCH, randomBytes } from './fixtures.js'

const CORRUPT_MESSAGE = 2
const MESSAGE_TOO_LARGE = 10
const UNSUPPORTED_COMPRESSION_TYPE = 76
const INVALID_RECORD = 87

function batch (overrides: Partial<BatchInput> = {}): Buffer {
  return buildBatchSync({
    records: [{ key: 'a', value: 'one', timestamp: 1000n }, { key: 'b', value: null, headers: [{ key: 'h', value: null }], timestamp: 1500n }],
    ...overrides
  })
}

/** Edits a header field, then makes the CRC right again so that later checks are reached. */
function patched (buf: Buffer, edit: (b: Buffer) => void): Buffer {
  const b = Buffer.from(buf)
  edit(b)
  updateBatchCrc(b, 0)
  return b
}

function expectError (result: RecordsValidation, errorCode: number, pattern: RegExp): void {
  assert.equal(result.ok, false, 'expected an error')
  if (result.ok) return
  assert.equal(result.errorCode, errorCode, result.message)
  assert.match(result.message, pattern)
}

test('a valid batch yields its summary', () => {
  const result = validateRecords(GOLDEN_BATCH)
  assert.deepEqual(result, {
    ok: true,
    batchCount: 1,
    recordCount: 2,
    sizeInBytes: GOLDEN_BATCH.length,
    firstTimestamp: 1700000000000n,
    maxTimestamp: 1700000000005n,
    producerId: 1000n,
    producerEpoch: 2,
    baseSequence: 7,
    lastOffsetDelta: 1,
    isTransactional: false,
    isControl: false,
    compression: Compression.None
  })
})

test('every codec validates without decompression; several batches add up', () => {
  for (const compression of [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd]) {
    const result = validateRecords(batch({ compression, transactional: true, producerId: 9n, producerEpoch: 0, baseSequence: 0 }))
    assert.ok(result.ok)
    assert.equal(result.compression, compression)
    assert.equal(result.isTransactional, true)
    assert.equal(result.recordCount, 2)
  }
  const two = Buffer.concat([batch(), batch({ records: [{ value: 'x', timestamp: 9000n }] })])
  const result = validateRecords(two)
  assert.ok(result.ok)
  assert.equal(result.batchCount, 2)
  assert.equal(result.recordCount, 3)
  assert.equal(result.firstTimestamp, 1000n)
  assert.equal(result.maxTimestamp, 9000n)
})

test('framing errors', () => {
  expectError(validateRecords(Buffer.alloc(0)), INVALID_RECORD, /at least one record batch/)
  expectError(validateRecords(GOLDEN_BATCH.subarray(0, 16)), CORRUPT_MESSAGE, /too short/)
  expectError(validateRecords(GOLDEN_BATCH.subarray(0, GOLDEN_BATCH.length - 1)), CORRUPT_MESSAGE, /runs past the end/)
  expectError(validateRecords(Buffer.concat([GOLDEN_BATCH, GOLDEN_BATCH.subarray(0, 30)])), CORRUPT_MESSAGE, /batch 1: .*runs past/)
  expectError(validateRecords(Buffer.concat([GOLDEN_BATCH, Buffer.alloc(5)])), CORRUPT_MESSAGE, /batch 1: 5 bytes left/)
  const short = Buffer.from(GOLDEN_BATCH)
  short.writeInt32BE(48, BATCH_LENGTH)
  expectError(validateRecords(short), CORRUPT_MESSAGE, /below the minimum/)
  const negative = Buffer.from(GOLDEN_BATCH)
  negative.writeInt32BE(-1, BATCH_LENGTH)
  expectError(validateRecords(negative), CORRUPT_MESSAGE, /below the minimum/)
})

test('old message formats are refused as Kafka 4 refuses them on Produce v3+', () => {
  for (const magic of [0, 1, 3, -1]) {
    const b = Buffer.from(GOLDEN_BATCH)
    b.writeInt8(magic, MAGIC)
    expectError(validateRecords(b), INVALID_RECORD, /magic/)
  }
  // A real magic-1 message: offset, size 14+, crc, magic 1 -- shorter than any v2 header.
  const legacy = Buffer.from('0000000000000000' + '00000016' + '00000000' + '01' + '00' + '0000000000000000' + 'ffffffff' + '00000000', 'hex')
  expectError(validateRecords(legacy), INVALID_RECORD, /magic 1/)
})

test('CRC mismatch is CORRUPT_MESSAGE', () => {
  const b = Buffer.from(GOLDEN_BATCH)
  b[b.length - 3]! ^= 0x01
  expectError(validateRecords(b), CORRUPT_MESSAGE, /CRC/)
  const c = Buffer.from(GOLDEN_BATCH)
  c[18]! ^= 0x80
  expectError(validateRecords(c), CORRUPT_MESSAGE, /CRC/)
})

test('option checks: one batch only, size limit, zstd before Produce v7', () => {
  const two = Buffer.concat([GOLDEN_BATCH, GOLDEN_BATCH])
  expectError(validateRecords(two, { singleBatch: true }), INVALID_RECORD, /exactly one/)
  assert.ok(validateRecords(GOLDEN_BATCH, { singleBatch: true }).ok)
  expectError(validateRecords(GOLDEN_BATCH, { maxBatchBytes: GOLDEN_BATCH.length - 1 }), MESSAGE_TOO_LARGE, /max.message.bytes/)
  assert.ok(validateRecords(GOLDEN_BATCH, { maxBatchBytes: GOLDEN_BATCH.length }).ok)
  const zstd = batch({ compression: Compression.Zstd })
  expectError(validateRecords(zstd, { produceVersion: 6 }), UNSUPPORTED_COMPRESSION_TYPE, /zstd/)
  assert.ok(validateRecords(zstd, { produceVersion: 7 }).ok)
  assert.ok(validateRecords(batch({ compression: Compression.Gzip }), { produceVersion: 3 }).ok)
})

test('header consistency errors (with a correct CRC)', () => {
  expectError(validateRecords(patched(GOLDEN_BATCH, (b) => b.writeBigInt64BE(5n, BASE_OFFSET))), INVALID_RECORD, /baseOffset must be 0/)
  expectError(validateRecords(patched(GOLDEN_BATCH, (b) => b.writeInt16BE(5, ATTRIBUTES))), UNSUPPORTED_COMPRESSION_TYPE, /codec 5/)
  expectError(validateRecords(batch({ records: [] })), INVALID_RECORD, /record count 0/)
  expectError(validateRecords(patched(GOLDEN_BATCH, (b) => b.writeInt32BE(-3, RECORD_COUNT))), INVALID_RECORD, /record count -3/)
  expectError(validateRecords(batch({ lastOffsetDelta: 5 })), INVALID_RECORD, /lastOffsetDelta 5 inconsistent with 2 records/)
  expectError(validateRecords(patched(GOLDEN_BATCH, (b) => b.writeInt32BE(-1, LAST_OFFSET_DELTA))), INVALID_RECORD, /lastOffsetDelta/)
  expectError(validateRecords(batch({ producerId: 4n, producerEpoch: 0, baseSequence: -1 })), INVALID_RECORD, /sequence -1/)
  assert.ok(validateRecords(batch({ producerId: -1n, producerEpoch: 0, baseSequence: 0 })).ok, 'non-idempotent platformatic-style batch')
})

test('control batches are for internal writers only', () => {
  const marker = buildEndTxnMarker({ producerId: 1n, producerEpoch: 0, commit: true, coordinatorEpoch: 0 })
  expectError(validateRecords(marker), INVALID_RECORD, /control/)
  const result = validateRecords(marker, { allowControl: true })
  assert.ok(result.ok)
  assert.equal(result.isControl, true)
})

test('batches of one blob must agree on producer and flags', () => {
  const a = batch({ producerId: 1n, producerEpoch: 0, baseSequence: 0 })
  const b = batch({ producerId: 2n, producerEpoch: 0, baseSequence: 0 })
  const c = batch({ producerId: 1n, producerEpoch: 0, baseSequence: 2, transactional: true })
  expectError(validateRecords(Buffer.concat([a, b])), INVALID_RECORD, /batch 1: producer/)
  expectError(validateRecords(Buffer.concat([a, c])), INVALID_RECORD, /batch 1: producer/)
  assert.ok(validateRecords(Buffer.concat([a, batch({ producerId: 1n, producerEpoch: 0, baseSequence: 2 })])).ok)
})

test('uncompressed records that do not fill the batch are INVALID_RECORD', () => {
  // Claims 3 records (and a matching lastOffsetDelta) while holding 2.
  const more = patched(GOLDEN_BATCH, (b) => { b.writeInt32BE(3, RECORD_COUNT); b.writeInt32BE(2, LAST_OFFSET_DELTA) })
  expectError(validateRecords(more), INVALID_RECORD, /record 2/)
  // Claims 1 record: the second is left over.
  const fewer = patched(GOLDEN_BATCH, (b) => { b.writeInt32BE(1, RECORD_COUNT); b.writeInt32BE(0, LAST_OFFSET_DELTA) })
  expectError(validateRecords(fewer), INVALID_RECORD, /left after 1 records/)
  // The first record's length grown by one: it swallows a byte of the next.
  const longer = patched(GOLDEN_BATCH, (b) => { b[61] = 0x26 })
  expectError(validateRecords(longer), INVALID_RECORD, /record 0/)
})

// ---- fuzz ----

const ALLOWED = new Set([CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, UNSUPPORTED_COMPRESSION_TYPE, INVALID_RECORD])

function valids (rand: () => number): Buffer[] {
  const out: Buffer[] = [GOLDEN_BATCH]
  for (let i = 0; i < 20; i++) {
    const records = []
    for (let r = Math.floor(rand() * 6) + 1; r > 0; r--) {
      records.push({
        key: rand() < 0.3 ? null : randomBytes(rand, Math.floor(rand() * 10)),
        value: rand() < 0.2 ? null : randomBytes(rand, Math.floor(rand() * 40)),
        headers: rand() < 0.5 ? [] : [{ key: 'k', value: rand() < 0.5 ? null : randomBytes(rand, 3) }],
        timestamp: BigInt(Math.floor(rand() * 1e12))
      })
    }
    out.push(buildBatchSync({ compression: Math.floor(rand() * 5), records }))
  }
  return out
}

function mutate (rand: () => number, src: Buffer): Buffer {
  let b = Buffer.from(src)
  const kind = Math.floor(rand() * 5)
  if (kind === 0) { // flip random bytes
    for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256)
  } else if (kind === 1) { // truncate
    b = b.subarray(0, Math.floor(rand() * b.length))
  } else if (kind === 2) { // append garbage or a second batch
    b = Buffer.concat([b, rand() < 0.5 ? randomBytes(rand, Math.floor(rand() * 80)) : src])
  } else if (kind === 3) { // tweak an int32 header field (batchLength, recordCount, lastOffsetDelta)
    const at = [BATCH_LENGTH, RECORD_COUNT, LAST_OFFSET_DELTA][Math.floor(rand() * 3)]!
    b.writeInt32BE(b.readInt32BE(at) + Math.floor(rand() * 7) - 3, at)
  } else { // flip bytes inside the records
    for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) b[61 + Math.floor(rand() * (b.length - 61))] = Math.floor(rand() * 256)
  }
  return b
}

function fixCrc (b: Buffer): Buffer {
  if (b.length >= ATTRIBUTES) {
    const end = Math.min(b.length, 12 + b.readInt32BE(BATCH_LENGTH))
    if (end > ATTRIBUTES) b.writeUInt32BE(crc32c(b.subarray(ATTRIBUTES, end)) >>> 0, 17)
  }
  return b
}

test('fuzz: validate never throws and answers ok or a Kafka error code; ok uncompressed batches decode', () => {
  const rand = prng(0xb700c)
  const pool = valids(rand)
  const counts = { ok: 0, errors: 0, decoded: 0 }
  for (let i = 0; i < 9000; i++) {
    let blob: Buffer
    if (i % 3 === 0) blob = randomBytes(rand, Math.floor(rand() * 120))
    else if (i % 3 === 1) blob = mutate(rand, pool[Math.floor(rand() * pool.length)]!)
    else blob = fixCrc(mutate(rand, pool[Math.floor(rand() * pool.length)]!))
    const result = validateRecords(blob)
    if (!result.ok) {
      assert.ok(ALLOWED.has(result.errorCode), `unexpected code ${result.errorCode} for ${blob.toString('hex')}`)
      assert.equal(typeof result.message, 'string')
      counts.errors++
      continue
    }
    counts.ok++
    if (result.compression !== Compression.None) continue
    // What validate accepts, the reader must decode, record count included.
    let records = 0
    for (const b of iterateBatches(blob)) records += decodeBatchSync(b).records.length
    assert.equal(records, result.recordCount)
    counts.decoded++
  }
  // The corpus must exercise both outcomes, or the property above proves nothing.
  assert.ok(counts.ok > 100, JSON.stringify(counts))
  assert.ok(counts.errors > 1000, JSON.stringify(counts))
  assert.ok(counts.decoded > 50, JSON.stringify(counts))
})
