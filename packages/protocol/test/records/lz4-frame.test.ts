// The LZ4 frame bound, found during the protocol fuzz campaign (an lz4 batch of 257 KB made the
// decoder allocate 64 MiB before the limit was checked). Frames are walked header by header and
// refused before decoding when they may exceed the limit.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { lz4FrameBound } from '../../src/records/lz4-frame.js'
import { CompressionError, compressSync, decompress, decompressSync } from '../../src/records/compression.js'
import { Compression } from '../../src/records/record-batch.js'

const MIB = 1 << 20

/** A hand-made frame: every optional field, one stored block. */
function storedFrame (payload: Buffer, options: { contentSize?: number, bd?: number, flgVersion?: number } = {}): Buffer {
  const flg = ((options.flgVersion ?? 1) << 6) | 0x10 | 0x08 | 0x04 | 0x01
  const header = Buffer.alloc(4 + 2 + 8 + 4 + 1)
  header.writeUInt32LE(0x184d2204, 0)
  header[4] = flg
  header[5] = (options.bd ?? 4) << 4
  header.writeBigUInt64LE(BigInt(options.contentSize ?? payload.length), 6)
  header.writeUInt32LE(7, 14)
  const size = Buffer.alloc(4)
  size.writeUInt32LE((0x80000000 | payload.length) >>> 0)
  return Buffer.concat([header, size, payload, Buffer.alloc(4), Buffer.alloc(4), Buffer.alloc(4)])
}

test('lz4 bomb: refused before it is decoded, sync and async', { timeout: 30_000 }, async () => {
  const bomb = compressSync(Compression.Lz4, Buffer.alloc(64 * MIB))
  assert.ok(bomb.length < 300_000)
  assert.ok(lz4FrameBound(bomb).bytes >= 64 * MIB)
  assert.throws(() => decompressSync(Compression.Lz4, bomb, { maxBytes: MIB }), (err: unknown) => err instanceof CompressionError && /may decompress to/.test(err.message))
  await assert.rejects(decompress(Compression.Lz4, bomb, { maxBytes: MIB }), CompressionError)
})

test('lz4 data up to the limit still decodes (one block of rounding allowed)', { timeout: 30_000 }, async () => {
  const data = Buffer.alloc(MIB, 'abcdefgh')
  const packed = compressSync(Compression.Lz4, data)
  assert.deepEqual(decompressSync(Compression.Lz4, packed, { maxBytes: MIB }), data)
  assert.deepEqual(await decompress(Compression.Lz4, packed, { maxBytes: MIB }), data)
  assert.throws(() => decompressSync(Compression.Lz4, packed, { maxBytes: MIB - 1 }), CompressionError)
})

test('lz4 frame headers: optional fields, skippable and concatenated frames', { timeout: 10_000 }, () => {
  const frame = storedFrame(Buffer.from('hello'))
  assert.deepEqual(lz4FrameBound(frame), { bytes: 5, blockMax: 64 << 10, declared: 5 })
  const skippable = Buffer.alloc(12)
  skippable.writeUInt32LE(0x184d2a5f, 0)
  skippable.writeUInt32LE(4, 4)
  const frames = [skippable, frame, storedFrame(Buffer.from('x'), { bd: 7, contentSize: 9 }), storedFrame(Buffer.from('y'), { contentSize: 1 })]
  assert.deepEqual(lz4FrameBound(Buffer.concat(frames)), { bytes: 7, blockMax: 4 << 20, declared: 9 })
  // A real frame (no optional fields): compressed blocks count at the block maximum.
  const real = lz4FrameBound(compressSync(Compression.Lz4, Buffer.alloc(100_000, 'ab')))
  assert.ok(real.bytes >= 100_000 && real.bytes <= 100_000 + real.blockMax, JSON.stringify(real))
  // A declared content size over the limit is refused on its own.
  assert.throws(() => decompressSync(Compression.Lz4, storedFrame(Buffer.from('hi'), { contentSize: 2 * MIB }), { maxBytes: MIB }), /exceeds the limit/)
})

test('lz4 frame headers that cannot be walked are refused as CompressionError', { timeout: 10_000 }, () => {
  const good = storedFrame(Buffer.from('hello'))
  const badMagic = Buffer.from(good)
  badMagic.writeUInt32LE(0x12345678, 0)
  const oversized = Buffer.from(good)
  oversized.writeUInt32LE((0x80000000 | (128 << 10)) >>> 0, 19)
  const cases: Array<[string, Buffer, RegExp]> = [
    ['bad magic', badMagic, /bad frame magic/],
    ['version', storedFrame(Buffer.from('a'), { flgVersion: 2 }), /unsupported frame version/],
    ['block size code', storedFrame(Buffer.from('a'), { bd: 2 }), /bad block maximum size/],
    ['block above maximum', oversized, /above the frame's/],
    ['truncated magic', good.subarray(0, 2), /truncated frame magic/],
    ['truncated descriptor', good.subarray(0, 5), /truncated frame descriptor/],
    ['truncated content size', good.subarray(0, 10), /truncated content size/],
    ['truncated block size', good.subarray(0, 20), /truncated block size/],
    ['truncated skippable', Buffer.from([0x50, 0x2a, 0x4d, 0x18, 1]), /truncated skippable/]
  ]
  for (const [name, input, message] of cases) {
    assert.throws(() => lz4FrameBound(input), message, name)
    assert.throws(() => decompressSync(Compression.Lz4, input), CompressionError, name)
  }
})
