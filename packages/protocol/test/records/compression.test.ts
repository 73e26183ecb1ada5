import { test } from 'node:test'
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import * as snappy from 'snappy'
import { CompressStream } from 'zstd-napi'
import {
  CompressionError, compress, compressSync, decompress, decompressSync, isXerialSnappy
} from '../../src/records/compression.js'
import { Compression } from '../../src/records/record-batch.js'
import { prng } from '@brook/common'
import { randomBytes } from './fixtures.js'

const CODECS = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd]
const COMPRESSED = [Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd]

// Compressible but not trivial: repeated text with random bytes mixed in, over several snappy blocks.
function sample (size: number): Buffer {
  const rand = prng(size)
  const buf = Buffer.alloc(size)
  for (let i = 0; i < size; i++) buf[i] = rand() < 0.1 ? Math.floor(rand() * 256) : 97 + (i % 7)
  return buf
}

test('every codec round trips, sync and async, including empty input', async () => {
  for (const codec of CODECS) {
    for (const size of [0, 1, 1000, 100_000]) {
      const data = sample(size)
      assert.deepEqual(decompressSync(codec, compressSync(codec, data)), data, `sync codec ${codec} size ${size}`)
      assert.deepEqual(await decompress(codec, await compress(codec, data)), data, `async codec ${codec} size ${size}`)
      assert.deepEqual(decompressSync(codec, await compress(codec, data)), data, `mixed codec ${codec} size ${size}`)
    }
  }
})

test('each codec writes the framing Kafka expects', () => {
  const data = sample(1000)
  assert.equal(compressSync(Compression.Gzip, data).subarray(0, 2).toString('hex'), '1f8b')
  assert.equal(compressSync(Compression.Lz4, data).subarray(0, 4).toString('hex'), '04224d18')
  assert.equal(compressSync(Compression.Zstd, data).subarray(0, 4).toString('hex'), '28b52ffd')
  const s = compressSync(Compression.Snappy, data)
  // xerial: magic, version 1, compatible version 1, then one block of [int32 length][raw snappy].
  assert.equal(s.subarray(0, 16).toString('hex'), '82534e41505059000000000100000001')
  assert.equal(s.readInt32BE(16), s.length - 20)
  assert.deepEqual(snappy.uncompressSync(s.subarray(20), { asBuffer: true }), data)
  assert.ok(isXerialSnappy(s))
})

test('snappy splits its input into 32 KiB xerial blocks', () => {
  const data = sample(100_000)
  const s = compressSync(Compression.Snappy, data)
  const blocks: Buffer[] = []
  for (let pos = 16; pos < s.length;) {
    const length = s.readInt32BE(pos)
    blocks.push(snappy.uncompressSync(s.subarray(pos + 4, pos + 4 + length), { asBuffer: true }) as Buffer)
    pos += 4 + length
  }
  assert.deepEqual(blocks.map((b) => b.length), [32768, 32768, 32768, 1696])
  assert.deepEqual(Buffer.concat(blocks), data)
})

test('snappy reads raw blocks (librdkafka) as well as xerial frames', async () => {
  const data = sample(5000)
  const raw = snappy.compressSync(data)
  assert.ok(!isXerialSnappy(raw))
  assert.deepEqual(decompressSync(Compression.Snappy, raw), data)
  assert.deepEqual(await decompress(Compression.Snappy, raw), data)
})

test('gzip reads several members; zstd reads frames without a content size and several frames', async () => {
  const a = sample(3000)
  const b = sample(4000)
  assert.deepEqual(decompressSync(Compression.Gzip, Buffer.concat([gzipSync(a), gzipSync(b)])), Buffer.concat([a, b]))
  // A streaming compressor (as zstd-jni's output stream in the Java client) does not declare the size.
  const streamed = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = []
    const stream = new CompressStream()
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('end', () => resolve(Buffer.concat(chunks)))
    stream.on('error', reject)
    stream.end(a)
  })
  assert.deepEqual(decompressSync(Compression.Zstd, streamed), a)
  const two = Buffer.concat([compressSync(Compression.Zstd, a), streamed])
  assert.deepEqual(await decompress(Compression.Zstd, two), Buffer.concat([a, a]))
})

test('output above maxBytes is refused for every codec', async () => {
  const zeros = Buffer.alloc(1_000_000)
  for (const codec of COMPRESSED) {
    const packed = compressSync(codec, zeros)
    assert.throws(() => decompressSync(codec, packed, { maxBytes: 10_000 }), CompressionError, `sync codec ${codec}`)
    await assert.rejects(decompress(codec, packed, { maxBytes: 10_000 }), CompressionError, `async codec ${codec}`)
    assert.equal(decompressSync(codec, packed, { maxBytes: 1_000_000 }).length, 1_000_000)
  }
})

test('truncated and random input fails with CompressionError only', async () => {
  const rand = prng(42)
  const data = sample(20_000)
  for (const codec of COMPRESSED) {
    const packed = compressSync(codec, data)
    const cut = packed.subarray(0, packed.length >> 1)
    assert.throws(() => decompressSync(codec, cut), CompressionError, `truncated codec ${codec}`)
    await assert.rejects(decompress(codec, cut), CompressionError, `truncated async codec ${codec}`)
    for (let i = 0; i < 200; i++) {
      const garbage = i % 2 === 0 ? randomBytes(rand, Math.floor(rand() * 200)) : mutate(rand, packed)
      try {
        decompressSync(codec, garbage)
      } catch (err) {
        assert.ok(err instanceof CompressionError, `codec ${codec}: ${String(err)}`)
      }
    }
  }
  assert.throws(() => compressSync(6 as Compression, data), CompressionError)
  assert.throws(() => decompressSync(7 as Compression, data), CompressionError)
})

function mutate (rand: () => number, buf: Buffer): Buffer {
  const out = Buffer.from(buf)
  for (let n = 1 + Math.floor(rand() * 4); n > 0; n--) out[Math.floor(rand() * out.length)] = Math.floor(rand() * 256)
  return out
}
