// Validates the `records` blob of a Produce request partition: one or more v2 batches back to
// back (layout: record-batch.ts), each [baseOffset int64][batchLength int32][batchLength bytes].
// Checks, with the error codes the Java broker (Kafka 4) answers them with:
//   no batch at all                                      INVALID_RECORD (87)
//   header cut short / batchLength too small / runs past CORRUPT_MESSAGE (2)
//   magic != 2 (magic sits at byte 16 in every format)   INVALID_RECORD (87): Kafka's ProduceRequest
//                                                        .validateRecords for Produce v3+; v0-2 are
//                                                        refused earlier as UNSUPPORTED_VERSION
//   more than one batch, when options.singleBatch        INVALID_RECORD (87)
//   baseOffset != 0                                      INVALID_RECORD (87)
//   batch larger than options.maxBatchBytes              MESSAGE_TOO_LARGE (10)
//   CRC-32C mismatch                                     CORRUPT_MESSAGE (2)
//   compression id > 4, or zstd before Produce v7        UNSUPPORTED_COMPRESSION_TYPE (76)
//   recordCount <= 0, lastOffsetDelta != recordCount-1   INVALID_RECORD (87)
//   control batch from a client                          INVALID_RECORD (87)
//   producerId >= 0 with baseSequence < 0 (data)         INVALID_RECORD (87)
//   batches disagreeing on producer id/epoch/txn flag    INVALID_RECORD (87)
//   uncompressed records not filling the batch exactly   INVALID_RECORD (87)
// Recovery rule: never throws; garbage yields an error result. Cost per batch: header reads in
// place and one CRC-32C over a subarray; uncompressed records are walked without allocation;
// compressed ones are never decompressed here (the CRC covers them).
import { crc32c } from '@node-rs/crc32'
import {
  ATTRIBUTES, BASE_OFFSET, BASE_SEQUENCE, BASE_TIMESTAMP, BATCH_LENGTH, COMPRESSION_MASK, Compression,
  CONTROL_MASK, CRC, CURRENT_MAGIC, LAST_OFFSET_DELTA, LOG_OVERHEAD, MAGIC, MAX_TIMESTAMP,
  MIN_BATCH_LENGTH, PRODUCER_EPOCH, PRODUCER_ID, RECORD_COUNT, RECORDS, TRANSACTIONAL_MASK
} from './record-batch.js'
import { checkRecords } from './record.js'
import { ErrorCode } from '../errors.js'

const { CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, UNSUPPORTED_COMPRESSION_TYPE, INVALID_RECORD } = ErrorCode

export interface ValidateOptions {
  /** Kafka's Produce v3+ rule: exactly one batch per partition. Default false (any number). */
  singleBatch?: boolean
  /** The Produce request version; zstd needs v7+. Default: no version check. */
  produceVersion?: number
  /** max.message.bytes of the topic: a larger batch is MESSAGE_TOO_LARGE. */
  maxBatchBytes?: number
  /** Accept control batches (internal writers only; clients may not write them). Default false. */
  allowControl?: boolean
}

export interface RecordsSummary {
  batchCount: number
  /** Total records across batches. */
  recordCount: number
  /** Total bytes (the blob's length). */
  sizeInBytes: number
  /** baseTimestamp of the first batch. */
  firstTimestamp: bigint
  /** Largest maxTimestamp of all batches. */
  maxTimestamp: bigint
  /** Producer fields of the first batch (all batches must agree). */
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  /** lastOffsetDelta of the first batch: its last sequence is baseSequence + this. */
  lastOffsetDelta: number
  isTransactional: boolean
  isControl: boolean
  /** Codec of the first batch. */
  compression: Compression
}

export interface RecordsValid extends RecordsSummary { ok: true }
export interface RecordsInvalid { ok: false, errorCode: number, message: string }
export type RecordsValidation = RecordsValid | RecordsInvalid

function fail (errorCode: number, message: string): RecordsInvalid {
  return { ok: false, errorCode, message }
}

/** The smallest prefix that reaches the magic byte, whatever the format. */
const MAGIC_PREFIX = MAGIC + 1

export function validateRecords (buf: Buffer, options: ValidateOptions = {}): RecordsValidation {
  if (buf.length === 0) return fail(INVALID_RECORD, 'records must hold at least one record batch')
  let summary: RecordsValid | null = null
  let pos = 0
  let index = 0
  while (pos < buf.length) {
    const remaining = buf.length - pos
    if (remaining < MAGIC_PREFIX) return fail(CORRUPT_MESSAGE, `batch ${index}: ${remaining} bytes left, too short for a batch header`)
    const batchLength = buf.readInt32BE(pos + BATCH_LENGTH)
    const magic = buf.readInt8(pos + MAGIC)
    if (magic !== CURRENT_MAGIC) return fail(INVALID_RECORD, `batch ${index}: magic ${magic}; only record batches with magic 2 are accepted`)
    if (batchLength < MIN_BATCH_LENGTH) return fail(CORRUPT_MESSAGE, `batch ${index}: batchLength ${batchLength} is below the minimum ${MIN_BATCH_LENGTH}`)
    const size = LOG_OVERHEAD + batchLength
    if (size > remaining) return fail(CORRUPT_MESSAGE, `batch ${index}: batchLength ${batchLength} runs past the end of records (${remaining} bytes left)`)
    if (index > 0 && options.singleBatch === true) return fail(INVALID_RECORD, 'records may hold exactly one record batch')
    if (buf.readInt32BE(pos + BASE_OFFSET) !== 0 || buf.readInt32BE(pos + BASE_OFFSET + 4) !== 0) {
      return fail(INVALID_RECORD, `batch ${index}: baseOffset must be 0, got ${buf.readBigInt64BE(pos + BASE_OFFSET)}`)
    }
    if (options.maxBatchBytes !== undefined && size > options.maxBatchBytes) {
      return fail(MESSAGE_TOO_LARGE, `batch ${index}: ${size} bytes exceeds max.message.bytes ${options.maxBatchBytes}`)
    }
    const end = pos + size
    const crc = buf.readUInt32BE(pos + CRC)
    const actual = crc32c(buf.subarray(pos + ATTRIBUTES, end)) >>> 0
    if (crc !== actual) return fail(CORRUPT_MESSAGE, `batch ${index}: CRC mismatch (stored ${crc}, computed ${actual})`)

    const attributes = buf.readInt16BE(pos + ATTRIBUTES)
    const codec = attributes & COMPRESSION_MASK
    if (codec > Compression.Zstd) return fail(UNSUPPORTED_COMPRESSION_TYPE, `batch ${index}: unknown compression codec ${codec}`)
    if (codec === Compression.Zstd && options.produceVersion !== undefined && options.produceVersion < 7) {
      return fail(UNSUPPORTED_COMPRESSION_TYPE, `Produce v${options.produceVersion} may not use zstd compression (v7+)`)
    }
    const recordCount = buf.readInt32BE(pos + RECORD_COUNT)
    const lastOffsetDelta = buf.readInt32BE(pos + LAST_OFFSET_DELTA)
    if (recordCount <= 0) return fail(INVALID_RECORD, `batch ${index}: invalid record count ${recordCount}`)
    if (lastOffsetDelta !== recordCount - 1) {
      return fail(INVALID_RECORD, `batch ${index}: lastOffsetDelta ${lastOffsetDelta} inconsistent with ${recordCount} records`)
    }
    const isControl = (attributes & CONTROL_MASK) !== 0
    if (isControl && options.allowControl !== true) return fail(INVALID_RECORD, `batch ${index}: clients may not write control records`)
    const baseSequence = buf.readInt32BE(pos + BASE_SEQUENCE)
    const hasProducerId = buf.readInt32BE(pos + PRODUCER_ID) >= 0 // sign of the int64, without a BigInt
    // Transaction markers carry the producer id with no sequence.
    if (hasProducerId && baseSequence < 0 && !isControl) return fail(INVALID_RECORD, `batch ${index}: producer id set with invalid sequence ${baseSequence}`)

    const producerId = buf.readBigInt64BE(pos + PRODUCER_ID)
    const producerEpoch = buf.readInt16BE(pos + PRODUCER_EPOCH)
    const isTransactional = (attributes & TRANSACTIONAL_MASK) !== 0
    const maxTimestamp = buf.readBigInt64BE(pos + MAX_TIMESTAMP)
    if (summary === null) {
      summary = {
        ok: true,
        batchCount: 0,
        recordCount: 0,
        sizeInBytes: buf.length,
        firstTimestamp: buf.readBigInt64BE(pos + BASE_TIMESTAMP),
        maxTimestamp,
        producerId,
        producerEpoch,
        baseSequence,
        lastOffsetDelta,
        isTransactional,
        isControl,
        compression: codec
      }
    } else if (producerId !== summary.producerId || producerEpoch !== summary.producerEpoch ||
      isTransactional !== summary.isTransactional || isControl !== summary.isControl) {
      return fail(INVALID_RECORD, `batch ${index}: producer id/epoch or transactional/control flags differ from the first batch`)
    }

    if (codec === Compression.None) {
      const problem = checkRecords(buf, pos + RECORDS, end, recordCount)
      if (problem !== null) return fail(INVALID_RECORD, `batch ${index}: ${problem}`)
    }

    summary.batchCount++
    summary.recordCount += recordCount
    if (maxTimestamp > summary.maxTimestamp) summary.maxTimestamp = maxTimestamp
    pos = end
    index++
  }
  return summary ?? fail(INVALID_RECORD, 'records must hold at least one record batch')
}
