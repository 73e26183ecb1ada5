// Which records of a v2 batch have no key: a topic with cleanup.policy=compact refuses them
// (Kafka answers INVALID_RECORD naming each one by its index in the batch). Only the key length
// of each record is read; a compressed batch is decompressed into a scratch copy for the walk and
// the batch itself is left exactly as produced.
import { COMPRESSION_MASK, Compression, RECORDS, RECORD_COUNT, batchAttributes } from './record-batch.js'
import { type DecompressOptions, decompress } from './compression.js'
import { type Cursor, RecordFormatError, readVarint, skipVarlong } from './varint.js'

/**
 * Indexes of the records without a key among the `count` records in buf[start, end). Throws
 * RecordFormatError when a record's framing is broken.
 */
export function keylessRecordIndexes (buf: Buffer, start: number, end: number, count: number): number[] {
  const keyless: number[] = []
  const c: Cursor = { buf, pos: start, end }
  for (let i = 0; i < count; i++) {
    c.end = end
    const length = readVarint(c)
    if (length < 1 || length > end - c.pos) throw new RecordFormatError(`record ${i}: invalid length ${length}`)
    const next = c.pos + length
    c.end = next
    c.pos++ // attributes
    skipVarlong(c) // timestampDelta
    readVarint(c) // offsetDelta
    // Like Kafka's reader, any negative key length is a null key.
    if (readVarint(c) < 0) keyless.push(i)
    c.pos = next
  }
  return keyless
}

function recordCount (batch: Buffer): number {
  return batch.readInt32BE(RECORD_COUNT)
}

/** keylessRecordIndexes over one whole batch; null when it is compressed (use the async form). */
export function keylessRecordsOfUncompressed (batch: Buffer): number[] | null {
  if ((batchAttributes(batch) & COMPRESSION_MASK) !== Compression.None) return null
  return keylessRecordIndexes(batch, RECORDS, batch.length, recordCount(batch))
}

/** keylessRecordIndexes over one whole batch, decompressing it as needed. */
export async function keylessRecordsOfBatch (batch: Buffer, options?: DecompressOptions): Promise<number[]> {
  const records = await decompress(batchAttributes(batch) & COMPRESSION_MASK, batch.subarray(RECORDS), options)
  return keylessRecordIndexes(records, 0, records.length, recordCount(batch))
}
