import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkRecords, decodeRecords, encodeRecords } from '../../src/records/record.js'
import { RecordFormatError } from '../../src/records/varint.js'
import { GOLDEN_BATCH, hex } from './fixtures.js'

const GOLDEN_RECORDS = GOLDEN_BATCH.subarray(61)

test('encodes the golden records byte for byte', () => {
  const out = encodeRecords([
    { key: 'key', value: Buffer.from('value'), headers: [{ key: 'h', value: '1' }] },
    { key: Buffer.from('k2'), value: null, timestamp: 1700000000005n }
  ], 1700000000000n)
  assert.equal(out.toString('hex'), GOLDEN_RECORDS.toString('hex'))
})

test('decodes offsets and timestamps relative to the batch', () => {
  const records = decodeRecords(GOLDEN_RECORDS, 0, GOLDEN_RECORDS.length, 2, { baseOffset: 100n, baseTimestamp: 1700000000000n })
  assert.deepEqual(records, [
    { offset: 100n, timestamp: 1700000000000n, key: Buffer.from('key'), value: Buffer.from('value'), headers: [{ key: 'h', value: Buffer.from('1') }] },
    { offset: 101n, timestamp: 1700000000005n, key: Buffer.from('k2'), value: null, headers: [] }
  ])
})

test('LogAppendTime gives every record the batch timestamp', () => {
  const records = decodeRecords(GOLDEN_RECORDS, 0, GOLDEN_RECORDS.length, 2, {
    baseOffset: 0n, baseTimestamp: 1700000000000n, logAppendTime: 1800000000000n
  })
  assert.deepEqual(records.map((r) => r.timestamp), [1800000000000n, 1800000000000n])
})

test('round trips empty keys, null header values, gaps in offsets and negative timestamp deltas', () => {
  const input = [
    { key: Buffer.alloc(0), value: Buffer.alloc(0), headers: [{ key: '', value: null }, { key: 'ünï', value: Buffer.from([0, 255]) }], timestamp: 50n, offsetDelta: 0 },
    { key: null, value: 'x'.repeat(300), timestamp: 10n, offsetDelta: 7 }
  ]
  const buf = encodeRecords(input, 50n)
  assert.equal(checkRecords(buf, 0, buf.length, 2), null)
  const out = decodeRecords(buf, 0, buf.length, 2, { baseOffset: 10n, baseTimestamp: 50n })
  assert.deepEqual(out, [
    { offset: 10n, timestamp: 50n, key: Buffer.alloc(0), value: Buffer.alloc(0), headers: [{ key: '', value: null }, { key: 'ünï', value: Buffer.from([0, 255]) }] },
    { offset: 17n, timestamp: 10n, key: null, value: Buffer.from('x'.repeat(300)), headers: [] }
  ])
})

// A well-formed record: length 8, attributes, timestampDelta 0, offsetDelta 0, key "a", value "a", no headers.
const GOOD = '10 000000 0261 0261 00'

const MALFORMED: Array<[string, string, number]> = [
  ['count larger than the records', GOOD, 2],
  ['bytes left over', GOOD + '00', 1],
  ['length past the end', '20 000000', 1],
  ['zero length', '00', 1],
  ['key past the record', '10 000000 1461 0261 00', 1],
  ['fields shorter than the length', '12 000000 0261 0261 00 00', 1],
  ['negative header count', '10 000000 0261 0261 01', 1],
  ['negative header key length', '12 000000 0261 0261 02 01', 1]
]

test('malformed records: checkRecords reports and decodeRecords throws, for the same inputs', () => {
  const good = hex(GOOD)
  assert.equal(checkRecords(good, 0, good.length, 1), null)
  assert.equal(decodeRecords(good, 0, good.length, 1, { baseOffset: 0n, baseTimestamp: 0n }).length, 1)
  for (const [name, bytes, count] of MALFORMED) {
    const buf = hex(bytes)
    assert.notEqual(checkRecords(buf, 0, buf.length, count), null, name)
    assert.throws(() => decodeRecords(buf, 0, buf.length, count, { baseOffset: 0n, baseTimestamp: 0n }), RecordFormatError, name)
  }
})
