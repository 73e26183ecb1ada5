import { test } from 'node:test'
import assert from 'node:assert/strict'
import { gunzipSync } from 'node:zlib'
import kafkajs from 'kafkajs'
import { registerKafkajsCodecs } from '@brook/testkit'

const { CompressionCodecs, CompressionTypes } = kafkajs

test('registerKafkajsCodecs gives kafkajs snappy, lz4 and zstd in Kafka framing', async () => {
  registerKafkajsCodecs()
  const input = Buffer.from('brook '.repeat(2000))
  const framing: Array<[1 | 2 | 3 | 4, string]> = [
    [CompressionTypes.Snappy, '82534e4150505900'], // xerial
    [CompressionTypes.LZ4, '04224d18'], // LZ4 frame
    [CompressionTypes.ZSTD, '28b52ffd'] // zstd frame
  ]
  for (const [type, magic] of framing) {
    const codec = CompressionCodecs[type]()
    const packed = await codec.compress({ buffer: input })
    assert.equal(packed.subarray(0, magic.length / 2).toString('hex'), magic)
    assert.ok(packed.length < input.length / 10)
    assert.ok((await codec.decompress(packed)).equals(input))
  }
  // gzip stays kafkajs's own.
  const gzip = CompressionCodecs[CompressionTypes.GZIP]()
  assert.ok(gunzipSync(await gzip.compress({ buffer: input })).equals(input))
})
