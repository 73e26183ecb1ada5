// Record batch v2: a read-in-place view of the header. Batches are never unpacked on the broker.
//
// Layout (big-endian), offsets from the start of the batch:
//    0 baseOffset            int64   \ outside the CRC: the broker patches these two
//    8 batchLength           int32    | (bytes after this field)
//   12 partitionLeaderEpoch  int32   /
//   16 magic                 int8    (= 2)
//   17 crc                   uint32  CRC-32C of bytes 21 .. end of batch
//   21 attributes            int16   bits 0-2 compression, 3 timestamp type, 4 transactional,
//                                    5 control, 6 delete horizon set
//   23 lastOffsetDelta       int32
//   27 baseTimestamp         int64
//   35 maxTimestamp          int64
//   43 producerId            int64
//   51 producerEpoch         int16
//   53 baseSequence          int32
//   57 recordCount           int32
//   61 records...
// A batch occupies LOG_OVERHEAD + batchLength bytes.
import { crc32c } from '@node-rs/crc32'

export const BASE_OFFSET = 0
export const BATCH_LENGTH = 8
export const PARTITION_LEADER_EPOCH = 12
export const MAGIC = 16
export const CRC = 17
export const ATTRIBUTES = 21
export const LAST_OFFSET_DELTA = 23
export const BASE_TIMESTAMP = 27
export const MAX_TIMESTAMP = 35
export const PRODUCER_ID = 43
export const PRODUCER_EPOCH = 51
export const BASE_SEQUENCE = 53
export const RECORD_COUNT = 57
export const RECORDS = 61

/** baseOffset + batchLength: the bytes before what batchLength counts. */
export const LOG_OVERHEAD = 12
/** The fixed header of a v2 batch, up to the first record. */
export const BATCH_HEADER_SIZE = RECORDS
/** batchLength of a batch with no records: the smallest legal value. */
export const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD
export const CURRENT_MAGIC = 2

export const enum Compression { None = 0, Gzip = 1, Snappy = 2, Lz4 = 3, Zstd = 4 }
export const COMPRESSION_MASK = 0x07
export const TIMESTAMP_TYPE_MASK = 0x08
export const TRANSACTIONAL_MASK = 0x10
export const CONTROL_MASK = 0x20
export const DELETE_HORIZON_MASK = 0x40

export const enum TimestampType { CreateTime = 0, LogAppendTime = 1 }

/** A decoded copy of a batch header; numbers where they fit, bigint for 64-bit ids. */
export interface RecordBatchHeader {
  baseOffset: bigint
  batchLength: number
  partitionLeaderEpoch: number
  magic: number
  crc: number
  attributes: number
  lastOffsetDelta: number
  baseTimestamp: bigint
  maxTimestamp: bigint
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  recordCount: number
}

export function readBatchHeader (buf: Buffer, pos = 0): RecordBatchHeader {
  return {
    baseOffset: buf.readBigInt64BE(pos + BASE_OFFSET),
    batchLength: buf.readInt32BE(pos + BATCH_LENGTH),
    partitionLeaderEpoch: buf.readInt32BE(pos + PARTITION_LEADER_EPOCH),
    magic: buf.readInt8(pos + MAGIC),
    crc: buf.readUInt32BE(pos + CRC),
    attributes: buf.readInt16BE(pos + ATTRIBUTES),
    lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA),
    baseTimestamp: buf.readBigInt64BE(pos + BASE_TIMESTAMP),
    maxTimestamp: buf.readBigInt64BE(pos + MAX_TIMESTAMP),
    producerId: buf.readBigInt64BE(pos + PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE),
    recordCount: buf.readInt32BE(pos + RECORD_COUNT)
  }
}

/** Total bytes of the batch at pos (header included). */
export function batchSize (buf: Buffer, pos = 0): number {
  return LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH)
}

export function batchBaseOffset (buf: Buffer, pos = 0): number {
  return Number(buf.readBigInt64BE(pos + BASE_OFFSET))
}

export function batchLastOffset (buf: Buffer, pos = 0): number {
  return batchBaseOffset(buf, pos) + buf.readInt32BE(pos + LAST_OFFSET_DELTA)
}

export function batchMaxTimestamp (buf: Buffer, pos = 0): number {
  return Number(buf.readBigInt64BE(pos + MAX_TIMESTAMP))
}

export function batchAttributes (buf: Buffer, pos = 0): number {
  return buf.readInt16BE(pos + ATTRIBUTES)
}

export function batchCompression (buf: Buffer, pos = 0): Compression {
  return buf.readInt16BE(pos + ATTRIBUTES) & COMPRESSION_MASK
}

export function isControlBatch (buf: Buffer, pos = 0): boolean {
  return (buf.readInt16BE(pos + ATTRIBUTES) & CONTROL_MASK) !== 0
}

export function isTransactionalBatch (buf: Buffer, pos = 0): boolean {
  return (buf.readInt16BE(pos + ATTRIBUTES) & TRANSACTIONAL_MASK) !== 0
}

/** Offsets are assigned on append by patching in place: baseOffset lies outside the CRC. */
export function patchBaseOffset (buf: Buffer, pos: number, baseOffset: number): void {
  buf.writeBigInt64BE(BigInt(baseOffset), pos + BASE_OFFSET)
}

export function patchPartitionLeaderEpoch (buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + PARTITION_LEADER_EPOCH)
}

/** CRC-32C over attributes .. end of batch, as the batch's crc field should hold it. */
export function computeBatchCrc (buf: Buffer, pos = 0): number {
  const end = pos + batchSize(buf, pos)
  return crc32c(buf.subarray(pos + ATTRIBUTES, end)) >>> 0
}

export function hasValidCrc (buf: Buffer, pos = 0): boolean {
  return computeBatchCrc(buf, pos) === buf.readUInt32BE(pos + CRC)
}

/** Rewrites the crc field after a change inside the CRC'd range (LogAppendTime, compaction). */
export function updateBatchCrc (buf: Buffer, pos = 0): void {
  buf.writeUInt32BE(computeBatchCrc(buf, pos), pos + CRC)
}

/**
 * Stamps a LogAppendTime batch: timestamp type bit and maxTimestamp set, CRC recomputed.
 * Kafka leaves the per-record timestamp deltas alone; readers use maxTimestamp for every record.
 */
export function stampLogAppendTime (buf: Buffer, pos: number, now: number): void {
  const attributes = buf.readInt16BE(pos + ATTRIBUTES)
  buf.writeInt16BE(attributes | TIMESTAMP_TYPE_MASK, pos + ATTRIBUTES)
  buf.writeBigInt64BE(BigInt(now), pos + MAX_TIMESTAMP)
  updateBatchCrc(buf, pos)
}
