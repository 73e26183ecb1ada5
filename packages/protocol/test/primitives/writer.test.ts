import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Reader } from '../../src/primitives/reader.js'
import { Writer } from '../../src/primitives/writer.js'
import { ProtocolError } from '../../src/protocol-error.js'

test('writes the same bytes the reader reads', () => {
  const w = new Writer()
  w.writeInt8(-1).writeInt16(-32768).writeUInt16(65535).writeInt32(-2147483648).writeUInt32(4294967295)
    .writeInt64(-(2n ** 63n)).writeFloat64(-0.25).writeBool(true).writeUuid('01234567-89ab-cdef-0011-223344556677')
  assert.equal(w.toBuffer().toString('hex'),
    'ff' + '8000' + 'ffff' + '80000000' + 'ffffffff' + '8000000000000000' + 'bfd0000000000000' + '01' + '0123456789abcdef0011223344556677')
})

test('varint and varlong round-trip at the extremes and around every 7-bit boundary', () => {
  const ints = [0, -1, 1, 63, -64, 64, -65, 2147483647, -2147483648]
  const longs = [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 51n, -(2n ** 51n), 2n ** 51n - 1n]
  for (let s = 0; s < 63; s += 7) longs.push(2n ** BigInt(s) - 1n, 2n ** BigInt(s), -(2n ** BigInt(s)))
  for (let s = 0; s < 32; s += 7) ints.push(2 ** s - 1, -(2 ** s))
  const w = new Writer()
  for (const v of ints) w.writeVarint(v)
  for (const v of longs) w.writeVarlong(v)
  for (const v of [0, 127, 128, 16383, 16384, 4294967295]) w.writeUnsignedVarint(v)
  const r = new Reader(w.toBuffer())
  for (const v of ints) assert.equal(r.readVarint(), v)
  for (const v of longs) assert.equal(r.readVarlong(), v)
  for (const v of [0, 127, 128, 16383, 16384, 4294967295]) assert.equal(r.readUnsignedVarint(), v)
  assert.equal(r.remaining, 0)
})

test('known varint encodings', () => {
  const w = new Writer()
  w.writeVarint(-1).writeVarint(64).writeVarlong(-(2n ** 63n)).writeUnsignedVarint(300)
  assert.equal(w.toBuffer().toString('hex'), '01' + '8001' + 'ffffffffffffffffff01' + 'ac02')
})

test('strings and bytes, classic and compact, with null', () => {
  const w = new Writer()
  w.writeString('abc').writeNullableString(null).writeCompactString('é').writeCompactNullableString(null)
    .writeBytes(Buffer.from([1])).writeNullableBytes(null).writeCompactBytes(Buffer.alloc(0)).writeCompactNullableBytes(null)
  assert.equal(w.toBuffer().toString('hex'), '0003616263' + 'ffff' + '03c3a9' + '00' + '0000000101' + 'ffffffff' + '01' + '00')
  assert.throws(() => new Writer().writeString('x'.repeat(40000)), ProtocolError)
})

test('long and non-ASCII strings take the native path and still round-trip', () => {
  const s = 'ü'.repeat(100) + 'a'.repeat(100) + '😀'
  const w = new Writer()
  w.writeString(s).writeCompactString('b'.repeat(300))
  const r = new Reader(w.toBuffer())
  assert.equal(r.readString(), s)
  assert.equal(r.readCompactString(), 'b'.repeat(300))
})

test('writeBufferRef keeps large buffers by reference and copies small ones', () => {
  const big = Buffer.alloc(4096, 1)
  const small = Buffer.alloc(8, 2)
  const w = new Writer()
  w.writeInt32(1).writeBufferRef(big).writeBufferRef(small).writeInt8(3)
  const parts = w.toBuffers()
  assert.equal(parts.length, 3)
  assert.equal(parts[1], big, 'the large buffer itself is in the output')
  assert.equal(parts[0]?.length, 4)
  assert.equal(parts[2]?.length, 9)
  assert.deepEqual(Buffer.concat(parts), Buffer.concat([Buffer.from([0, 0, 0, 1]), big, small, Buffer.from([3])]))
})

test('a reserved size slot is filled with the bytes written after it, across slabs and references', () => {
  const w = new Writer(16)
  const slot = w.reserveSize()
  w.writeInt32(7)
  w.writeRaw(Buffer.alloc(40, 9))
  w.writeBufferRef(Buffer.alloc(1000, 5))
  w.writeInt16(1)
  w.fillSize(slot)
  const out = Buffer.concat(w.toBuffers())
  assert.equal(out.length, 4 + 4 + 40 + 1000 + 2)
  assert.equal(out.readInt32BE(0), out.length - 4)
})

test('output handed out is never overwritten by later messages', () => {
  const w = new Writer(64)
  const first = w.writeInt32(0x11111111).toBuffers()
  for (let i = 0; i < 100; i++) w.writeInt32(0x22222222).toBuffers()
  assert.equal(Buffer.concat(first).toString('hex'), '11111111')
})

test('reset drops a half-written message', () => {
  const w = new Writer(16)
  w.writeInt32(1).toBuffers()
  w.writeRaw(Buffer.alloc(100, 7))
  w.reserveSize()
  w.reset()
  assert.equal(w.length, 0)
  assert.equal(w.writeInt8(4).toBuffer().toString('hex'), '04')
})

test('invalid uuids are refused', () => {
  for (const bad of ['', '0123456789abcdef0011223344556677', '01234567-89ab-cdef-0011-22334455667g', '01234567+89ab-cdef-0011-223344556677']) {
    assert.throws(() => new Writer().writeUuid(bad), (e: unknown) => e instanceof ProtocolError && e.code === 'BROOK_ERR_INVALID_UUID')
  }
  // Upper case is accepted on input; output is always lower case.
  const w = new Writer().writeUuid('ABCDEF01-2345-6789-ABCD-EF0123456789')
  assert.equal(new Reader(w.toBuffer()).readUuid(), 'abcdef01-2345-6789-abcd-ef0123456789')
})
