import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Reader } from '../../src/primitives/reader.js'
import { ProtocolError } from '../../src/protocol-error.js'

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')

function assertCode (fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => err instanceof ProtocolError && err.code === code)
}

test('fixed-width integers are big-endian and signed where Kafka says so', () => {
  const r = new Reader(hex('ff 8000 ffff 80000000 ffffffff 8000000000000000 3ff8000000000000 02 00'))
  assert.equal(r.readInt8(), -1)
  assert.equal(r.readInt16(), -32768)
  assert.equal(r.readUInt16(), 65535)
  assert.equal(r.readInt32(), -2147483648)
  assert.equal(r.readUInt32(), 4294967295)
  assert.equal(r.readInt64(), -(2n ** 63n))
  assert.equal(r.readFloat64(), 1.5)
  assert.equal(r.readBool(), true)
  assert.equal(r.readBool(), false)
  assert.equal(r.remaining, 0)
})

test('zig-zag varints decode the int32 extremes', () => {
  // 0 -> 00, -1 -> 01, 1 -> 02, -64 -> 7f, 64 -> 80 01, max -> fe ff ff ff 0f, min -> ff ff ff ff 0f
  const r = new Reader(hex('00 01 02 7f 8001 feffffff0f ffffffff0f'))
  assert.deepEqual([r.readVarint(), r.readVarint(), r.readVarint(), r.readVarint(), r.readVarint(), r.readVarint(), r.readVarint()],
    [0, -1, 1, -64, 64, 2147483647, -2147483648])
})

test('zig-zag varlongs decode the int64 extremes, on both sides of the 49-bit fast path', () => {
  const r = new Reader(hex('01 feffffffffffffffff01 ffffffffffffffffff01 80808080808080 01 8080808080808001'))
  assert.equal(r.readVarlong(), -1n)
  assert.equal(r.readVarlong(), 2n ** 63n - 1n)
  assert.equal(r.readVarlong(), -(2n ** 63n))
  // 7 continuation bytes then 0x01: 2^49 zig-zagged -> 2^48
  assert.equal(new Reader(hex('8080808080808001')).readVarlong(), 2n ** 48n)
})

test('unsigned varints reach 2^32-1 and reject longer encodings', () => {
  assert.equal(new Reader(hex('ffffffff0f')).readUnsignedVarint(), 4294967295)
  assertCode(() => new Reader(hex('ffffffff1f')).readUnsignedVarint(), 'BROOK_ERR_INVALID_VARINT')
  assertCode(() => new Reader(hex('ffffffffff01')).readUnsignedVarint(), 'BROOK_ERR_INVALID_VARINT')
  assertCode(() => new Reader(hex('ffffffffffffffffff7f')).readVarlong(), 'BROOK_ERR_INVALID_VARINT')
})

test('strings: classic and compact, null forms, UTF-8', () => {
  const r = new Reader(hex('0003 616263 ffff 04 c3a962 00 01'))
  assert.equal(r.readString(), 'abc')
  assert.equal(r.readNullableString(), null)
  assert.equal(r.readCompactString(), 'éb')
  assert.equal(r.readCompactNullableString(), null)
  assert.equal(r.readCompactString(), '')
  assertCode(() => new Reader(hex('ffff')).readString(), 'BROOK_ERR_NULL_NOT_ALLOWED')
  assertCode(() => new Reader(hex('00')).readCompactString(), 'BROOK_ERR_NULL_NOT_ALLOWED')
  assertCode(() => new Reader(hex('fffe')).readNullableString(), 'BROOK_ERR_INVALID_LENGTH')
})

test('bytes are zero-copy views of the source buffer', () => {
  const src = hex('00000003 010203 04 aabbcc ffffffff 00')
  const r = new Reader(src)
  const b = r.readBytes()
  assert.deepEqual([...b], [1, 2, 3])
  src[5] = 9
  assert.equal(b[1], 9, 'a view sees writes to its source')
  assert.deepEqual([...r.readCompactBytes()], [0xaa, 0xbb, 0xcc])
  assert.equal(r.readNullableBytes(), null)
  assert.equal(r.readCompactNullableBytes(), null)
  assertCode(() => new Reader(hex('fffffffe')).readNullableBytes(), 'BROOK_ERR_INVALID_LENGTH')
})

test('uuids read as canonical lowercase strings', () => {
  const r = new Reader(hex('0123456789ABCDEF0011223344556677 00000000000000000000000000000000'))
  assert.equal(r.readUuid(), '01234567-89ab-cdef-0011-223344556677')
  assert.equal(r.readUuid(), '00000000-0000-0000-0000-000000000000')
})

test('every read past the end throws BROOK_ERR_BUFFER_UNDERFLOW instead of returning garbage', () => {
  const reads: Array<(r: Reader) => unknown> = [
    (r) => r.readInt8(), (r) => r.readInt16(), (r) => r.readInt32(), (r) => r.readInt64(), (r) => r.readFloat64(),
    (r) => r.readUuid(), (r) => r.readVarint(), (r) => r.readVarlong(), (r) => r.readString(), (r) => r.readBytes(),
    (r) => r.readCompactString(), (r) => r.readRaw(1)
  ]
  for (const read of reads) assertCode(() => read(new Reader(Buffer.alloc(0))), 'BROOK_ERR_BUFFER_UNDERFLOW')
  // A string whose length runs past the end, and a limit inside a larger buffer.
  assertCode(() => new Reader(hex('0005 6162')).readString(), 'BROOK_ERR_BUFFER_UNDERFLOW')
  const bounded = new Reader(hex('00000001 00000002'), 0, 6)
  assert.equal(bounded.readInt32(), 1)
  assertCode(() => bounded.readInt32(), 'BROOK_ERR_BUFFER_UNDERFLOW')
  assert.equal(bounded.pos, 4, 'a failed read does not move the position')
  assertCode(() => new Reader(hex('80')).readUnsignedVarint(), 'BROOK_ERR_BUFFER_UNDERFLOW')
})

test('array lengths: null, compact null, and counts larger than the bytes left', () => {
  assert.equal(new Reader(hex('ffffffff')).readArrayLength(false), -1)
  assert.equal(new Reader(hex('00')).readArrayLength(true), -1)
  assert.equal(new Reader(hex('03 0102')).readArrayLength(true), 2)
  assertCode(() => new Reader(hex('7fffffff')).readArrayLength(false), 'BROOK_ERR_INVALID_LENGTH')
  assertCode(() => new Reader(hex('fffffffe')).readArrayLength(false), 'BROOK_ERR_INVALID_LENGTH')
})

test('skipTaggedFields skips every field by its size', () => {
  const r = new Reader(hex('02 00 02 aaaa 05 00 07'))
  r.skipTaggedFields()
  assert.equal(r.readInt8(), 7)
  assertCode(() => new Reader(hex('01 00 05 aa')).skipTaggedFields(), 'BROOK_ERR_BUFFER_UNDERFLOW')
})
