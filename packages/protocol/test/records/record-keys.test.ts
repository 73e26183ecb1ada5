import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Compression, RECORDS } from '../../src/records/record-batch.js'
import { buildBatch, buildBatchSync } from '../../src/records/builder.js'
import { keylessRecordIndexes, keylessRecordsOfBatch, keylessRecordsOfUncompressed } from '../../src/records/record-keys.js'
import { RecordFormatError } from '../../src/records/varint.js'

const records = [{ key: 'a', value: '1' }, { key: null, value: '2' }, { key: '', value: '3' }, { value: '4', headers: [{ key: 'h', value: null }] }]

test('keyless records are found by index; an empty key is a key', { timeout: 10_000 }, async () => {
  const plain = buildBatchSync({ records })
  assert.deepEqual(keylessRecordsOfUncompressed(plain), [1, 3])
  for (const compression of [Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd]) {
    const batch = await buildBatch({ records, compression })
    const before = Buffer.from(batch)
    assert.equal(keylessRecordsOfUncompressed(batch), null, 'a compressed batch needs the async form')
    assert.deepEqual(await keylessRecordsOfBatch(batch), [1, 3], `codec ${compression}`)
    assert.deepEqual(batch, before, 'the batch is left as it was')
  }
  assert.deepEqual(await keylessRecordsOfBatch(buildBatchSync({ records: [{ key: 'k', value: null }] })), [])
})

test('broken record framing is a RecordFormatError, never a read past the region', { timeout: 10_000 }, () => {
  const plain = buildBatchSync({ records })
  const body = plain.subarray(RECORDS)
  assert.throws(() => keylessRecordIndexes(body, 0, body.length, records.length + 1), RecordFormatError)
  assert.throws(() => keylessRecordIndexes(body, 0, 3, records.length), RecordFormatError)
  const negative = Buffer.from(body)
  negative[0] = 0x01 // length varint -1
  assert.throws(() => keylessRecordIndexes(negative, 0, negative.length, 1), RecordFormatError)
})
