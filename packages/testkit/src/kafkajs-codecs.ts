// kafkajs ships gzip only; snappy, lz4 and zstd are plug-ins. Tests plug in Brook's own
// record compression, so kafkajs, librdkafka and Brook check each other's framing.
import kafkajs from 'kafkajs'
import { compress, decompress, type Compression } from '@brook/protocol'

interface KafkajsCodec {
  compress: (encoder: { buffer: Buffer }) => Promise<Buffer>
  decompress: (buffer: Buffer) => Promise<Buffer>
}

function codec (id: Compression): () => KafkajsCodec {
  return () => ({
    compress: async (encoder) => await compress(id, encoder.buffer),
    decompress: async (buffer) => await decompress(id, buffer)
  })
}

/** Registers snappy, lz4 and zstd with kafkajs (process-wide, idempotent). */
export function registerKafkajsCodecs (): void {
  const { CompressionCodecs, CompressionTypes } = kafkajs
  // Compression is a const enum in @brook/protocol; its values are Kafka's attribute bits.
  CompressionCodecs[CompressionTypes.Snappy] = codec(CompressionTypes.Snappy as number)
  CompressionCodecs[CompressionTypes.LZ4] = codec(CompressionTypes.LZ4 as number)
  CompressionCodecs[CompressionTypes.ZSTD] = codec(CompressionTypes.ZSTD as number)
}
