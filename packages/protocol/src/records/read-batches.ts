// Reading v2 batches out of a blob (Fetch response records, a log segment slice, a Produce blob):
// batches sit back to back, each LOG_OVERHEAD + batchLength bytes (layout: record-batch.ts).
// Recovery rule: a trailing batch cut short is not an error (Kafka's Fetch may end with a partial
// batch; the reader skips it, as clients do); a batchLength below the v2 minimum, a magic other
// than 2, or (in decodeBatch) a CRC mismatch or malformed record is a RecordFormatError; a
// corrupt compressed block is a CompressionError.
import {
  BATCH_LENGTH, COMPRESSION_MASK, type Compression, CONTROL_MASK, CURRENT_MAGIC,
  LOG_OVERHEAD, MAGIC, MIN_BATCH_LENGTH, RECORDS, type RecordBatchHeader, TIMESTAMP_TYPE_MASK,
  TimestampType, TRANSACTIONAL_MASK, hasValidCrc, readBatchHeader
} from './record-batch.js'
import { type KafkaRecord, decodeRecords } from './record.js'
import { type DecompressOptions, decompress, decompressSync } from './compression.js'
import { RecordFormatError } from './varint.js'

/**
 * Yields each complete batch of `blob` as a zero-copy subarray; stops before a partial tail.
 * Throws RecordFormatError on a batchLength below the minimum (the stream cannot be resynchronised).
 */
export function * iterateBatches (blob: Buffer): Generator<Buffer> {
  let pos = 0
  while (blob.length - pos >= LOG_OVERHEAD) {
    const batchLength = blob.readInt32BE(pos + BATCH_LENGTH)
    if (batchLength < MIN_BATCH_LENGTH) throw new RecordFormatError(`batch at ${pos}: batchLength ${batchLength} below the minimum`)
    const size = LOG_OVERHEAD + batchLength
    if (size > blob.length - pos) return
    yield blob.subarray(pos, pos + size)
    pos += size
  }
}

export interface DecodedBatch {
  header: RecordBatchHeader
  compression: Compression
  timestampType: TimestampType
  isTransactional: boolean
  isControl: boolean
  records: KafkaRecord[]
}

export interface DecodeBatchOptions extends DecompressOptions {
  /** Check the CRC first (Kafka clients' check.crcs). Default true. */
  verifyCrc?: boolean
}

function checkBatch (batch: Buffer, options: DecodeBatchOptions): RecordBatchHeader {
  if (batch.length < LOG_OVERHEAD + MIN_BATCH_LENGTH) throw new RecordFormatError(`batch of ${batch.length} bytes is shorter than a v2 header`)
  const magic = batch.readInt8(MAGIC)
  if (magic !== CURRENT_MAGIC) throw new RecordFormatError(`unsupported magic ${magic}`)
  const header = readBatchHeader(batch, 0)
  if (LOG_OVERHEAD + header.batchLength !== batch.length) {
    throw new RecordFormatError(`batchLength ${header.batchLength} does not match the ${batch.length} bytes given`)
  }
  if (options.verifyCrc !== false && !hasValidCrc(batch, 0)) throw new RecordFormatError('batch CRC mismatch')
  return header
}

function finish (header: RecordBatchHeader, records: Buffer): DecodedBatch {
  const attributes = header.attributes
  const timestampType = (attributes & TIMESTAMP_TYPE_MASK) !== 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime
  return {
    header,
    compression: attributes & COMPRESSION_MASK,
    timestampType,
    isTransactional: (attributes & TRANSACTIONAL_MASK) !== 0,
    isControl: (attributes & CONTROL_MASK) !== 0,
    records: decodeRecords(records, 0, records.length, header.recordCount, {
      baseOffset: header.baseOffset,
      baseTimestamp: header.baseTimestamp,
      logAppendTime: timestampType === TimestampType.LogAppendTime ? header.maxTimestamp : null
    })
  }
}

/** Decodes one whole batch (exactly its bytes), decompressing as needed. */
export async function decodeBatch (batch: Buffer, options: DecodeBatchOptions = {}): Promise<DecodedBatch> {
  const header = checkBatch(batch, options)
  const codec = header.attributes & COMPRESSION_MASK
  return finish(header, await decompress(codec, batch.subarray(RECORDS), options))
}

export function decodeBatchSync (batch: Buffer, options: DecodeBatchOptions = {}): DecodedBatch {
  const header = checkBatch(batch, options)
  const codec = header.attributes & COMPRESSION_MASK
  return finish(header, decompressSync(codec, batch.subarray(RECORDS), options))
}

/** Decodes every complete batch of a blob, in order. */
export async function decodeBatches (blob: Buffer, options: DecodeBatchOptions = {}): Promise<DecodedBatch[]> {
  const out: DecodedBatch[] = []
  for (const batch of iterateBatches(blob)) out.push(await decodeBatch(batch, options))
  return out
}

