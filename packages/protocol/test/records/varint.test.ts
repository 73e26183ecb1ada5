import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  type Cursor, RecordFormatError, readVarint, readVarlong, sizeOfVarint, sizeOfVarlong, skipVarlong,
  writeVarint, writeVarlong
} from '../../src/records/varint.js'
import { hex } from './fixtures.js'

function cursor (buf: Buffer): Cursor {
  return { buf, pos: 0, end: buf.length }
}

// Zigzag encodings from the protobuf/Kafka definition.
const VARINTS: Array<[number, string]> = [
  [0, '00'], [-1, '01'], [1, '02'], [-2, '03'], [63, '7e'], [-64, '7f'], [64, '8001'],
  [300, 'd804'], [2147483647, 'feffffff0f'], [-2147483648, 'ffffffff0f']
]

test('varints encode and decode to the known bytes', () => {
  for (const [value, bytes] of VARINTS) {
    const buf = Buffer.alloc(5)
    const end = writeVarint(buf, 0, value)
    assert.equal(buf.subarray(0, end).toString('hex'), bytes, `encode ${value}`)
    assert.equal(sizeOfVarint(value), bytes.length / 2)
    const c = cursor(hex(bytes))
    assert.equal(readVarint(c), value, `decode ${bytes}`)
    assert.equal(c.pos, bytes.length / 2)
  }
})

const VARLONGS: Array<[bigint, string]> = [
  [0n, '00'], [-1n, '01'], [5n, '0a'], [1700000000000n, '80a0abfef962'],
  [2n ** 53n, '8080808080808020'],
  [9223372036854775807n, 'feffffffffffffffff01'], [-9223372036854775808n, 'ffffffffffffffffff01']
]

test('varlongs round trip on both the number and the bigint paths', () => {
  for (const [value, bytes] of VARLONGS) {
    const buf = Buffer.alloc(10)
    const end = writeVarlong(buf, 0, value)
    assert.equal(buf.subarray(0, end).toString('hex'), bytes, `encode ${value}`)
    assert.equal(sizeOfVarlong(value), bytes.length / 2)
    assert.equal(readVarlong(cursor(hex(bytes))), value, `decode ${bytes}`)
    const c = cursor(hex(bytes))
    skipVarlong(c)
    assert.equal(c.pos, bytes.length / 2)
  }
})

test('overlong and truncated varints are format errors', () => {
  assert.throws(() => readVarint(cursor(hex('8080808080'))), RecordFormatError)
  assert.throws(() => readVarint(cursor(hex('80'))), RecordFormatError)
  assert.throws(() => readVarlong(cursor(hex('8080808080808080808080'))), RecordFormatError)
  assert.throws(() => readVarlong(cursor(hex('ff'))), RecordFormatError)
  assert.throws(() => skipVarlong(cursor(hex('ffff'))), RecordFormatError)
  // The cursor's end bounds reads even when the buffer goes on.
  assert.throws(() => readVarint({ buf: hex('8001'), pos: 0, end: 1 }), RecordFormatError)
})
