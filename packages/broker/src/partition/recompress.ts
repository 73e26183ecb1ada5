// compression.type on a topic: 'producer' stores batches exactly as produced; a codec name makes
// the broker rewrite a batch compressed otherwise (as Kafka's LogValidator does). The rewrite
// keeps every record field, the producer id/epoch/sequence, timestamps and offset deltas.
import { buildBatch, Compression, CompressionError, decodeBatch, ErrorCode, RecordFormatError, batchCompression } from '@brook/protocol'
import { KafkaError } from '../errors.js'

const TARGETS: Readonly<Record<string, Compression>> = {
  uncompressed: Compression.None,
  gzip: Compression.Gzip,
  snappy: Compression.Snappy,
  lz4: Compression.Lz4,
  zstd: Compression.Zstd
}

/** The batch as the topic stores it; the same Buffer when nothing changes. */
export async function applyTopicCompression (produced: Buffer | Promise<Buffer>, compressionType: string): Promise<Buffer> {
  const batch = await produced
  const target = TARGETS[compressionType]
  if (target === undefined || batchCompression(batch) === target) return batch
  let decoded
  try {
    decoded = await decodeBatch(batch, { verifyCrc: false })
  } catch (err) {
    if (err instanceof CompressionError || err instanceof RecordFormatError) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `cannot recompress batch: ${err.message}`)
    }
    throw err
  }
  const { header } = decoded
  return await buildBatch({
    records: decoded.records.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      timestamp: r.timestamp,
      offsetDelta: Number(r.offset - header.baseOffset)
    })),
    baseOffset: 0n,
    compression: target,
    timestampType: decoded.timestampType,
    transactional: decoded.isTransactional,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    baseTimestamp: header.baseTimestamp,
    maxTimestamp: header.maxTimestamp,
    lastOffsetDelta: header.lastOffsetDelta
  })
}
