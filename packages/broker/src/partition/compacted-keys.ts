// A topic whose cleanup.policy includes compact refuses records without a key, as Kafka's
// LogValidator does: INVALID_RECORD for the partition, one record error per keyless record (its
// index in the batch) and Kafka's messages. The keys are read from a scratch copy (decompressed
// when needed); the batch that is stored is the producer's own bytes.
import {
  type Compression, CompressionError, ErrorCode, RecordFormatError, batchCompression, keylessRecordsOfBatch,
  keylessRecordsOfUncompressed
} from '@brook/protocol'
import { KafkaError } from '../errors.js'

export interface RecordError {
  batchIndex: number
  batchIndexErrorMessage: string
}

/** A batch refused because of some of its records: the partition's answer carries them. */
export class RecordValidationError extends KafkaError {
  readonly recordErrors: readonly RecordError[]
  constructor (code: number, message: string, recordErrors: readonly RecordError[]) {
    super(code, message)
    this.name = 'RecordValidationError'
    this.recordErrors = recordErrors
  }
}

function refuse (keyless: readonly number[], topicPartition: string): RecordValidationError {
  const errors = keyless.map((batchIndex) => ({
    batchIndex,
    batchIndexErrorMessage: `Compacted topic cannot accept message without key in topic partition ${topicPartition}`
  }))
  // Kafka's summary names the count and shows at most the first three.
  const shown = errors.slice(0, 3).map((e) => `RecordError(batchIndex=${e.batchIndex}, message='${e.batchIndexErrorMessage}')`)
  return new RecordValidationError(ErrorCode.INVALID_RECORD,
    `One or more records have been rejected due to ${errors.length} record errors in total, and only showing the first three errors at most: [${shown.join(', ')}]`,
    errors)
}

/** A batch whose records cannot be read is corrupt; any other failure is passed on as it is. */
function asCorrupt (codec: Compression, err: unknown): unknown {
  if (err instanceof CompressionError || err instanceof RecordFormatError) {
    return new KafkaError(ErrorCode.CORRUPT_MESSAGE, `cannot read the records of a batch (codec ${codec}): ${err.message}`)
  }
  return err
}

/**
 * `batch` (one validated v2 batch) when every record has a key. An uncompressed batch is checked
 * at once (throws RecordValidationError); a compressed one gives a promise, so the caller can
 * hand it to Partition.append without losing its place in the partition's order.
 */
export function requireKeys (batch: Buffer, topicPartition: string): Buffer | Promise<Buffer> {
  let keyless: number[] | null
  try {
    keyless = keylessRecordsOfUncompressed(batch)
  } catch (err) {
    throw asCorrupt(batchCompression(batch), err)
  }
  if (keyless !== null) {
    if (keyless.length > 0) throw refuse(keyless, topicPartition)
    return batch
  }
  return keylessRecordsOfBatch(batch).then((found) => {
    if (found.length > 0) throw refuse(found, topicPartition)
    return batch
  }, (err: unknown) => { throw asCorrupt(batchCompression(batch), err) })
}
