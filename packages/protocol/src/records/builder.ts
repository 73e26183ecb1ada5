// Builds one v2 record batch (layout: record-batch.ts; records: record.ts; compression:
// compression.ts). Fields as Kafka's producer writes them:
//   lastOffsetDelta = last record's offsetDelta (compaction may pass the original one instead)
//   baseTimestamp   = first record's timestamp (-1 for an empty batch), or the delete horizon when set
//   maxTimestamp    = largest record timestamp (LogAppendTime batches: the append time)
//   crc             = CRC-32C over attributes .. end, computed last
import {
  ATTRIBUTES, BASE_SEQUENCE, BASE_TIMESTAMP, BATCH_HEADER_SIZE, BATCH_LENGTH, BASE_OFFSET,
  Compression, CONTROL_MASK, CRC, CURRENT_MAGIC, DELETE_HORIZON_MASK, LAST_OFFSET_DELTA, LOG_OVERHEAD,
  MAGIC, MAX_TIMESTAMP, PARTITION_LEADER_EPOCH, PRODUCER_EPOCH, PRODUCER_ID, RECORD_COUNT,
  TIMESTAMP_TYPE_MASK, TimestampType, TRANSACTIONAL_MASK, updateBatchCrc
} from './record-batch.js'
import { type RecordInput, encodeRecords } from './record.js'
import { compress, compressSync } from './compression.js'

export const NO_TIMESTAMP = -1n
export const NO_PRODUCER_ID = -1n
export const NO_PRODUCER_EPOCH = -1
export const NO_SEQUENCE = -1

export interface BatchInput {
  records: ReadonlyArray<RecordInput>
  baseOffset?: bigint
  partitionLeaderEpoch?: number
  compression?: Compression
  timestampType?: TimestampType
  transactional?: boolean
  control?: boolean
  producerId?: bigint
  producerEpoch?: number
  baseSequence?: number
  /** Defaults to the first record's timestamp, else Date.now(); records without one take it. */
  baseTimestamp?: bigint
  /** Defaults to the largest record timestamp. Set it for LogAppendTime batches. */
  maxTimestamp?: bigint
  /** Defaults to the last record's offsetDelta; compaction keeps the original (empty batches too). */
  lastOffsetDelta?: number
  /** Compaction: sets attributes bit 6; baseTimestamp then holds the delete horizon. */
  deleteHorizonMs?: bigint
}

interface Prepared {
  attributes: number
  baseTimestamp: bigint
  maxTimestamp: bigint
  lastOffsetDelta: number
  /** Uncompressed: the whole batch, header bytes still to write; else the records alone. */
  records: Buffer
}

function prepare (input: BatchInput): Prepared {
  const records = input.records
  const first = records[0]
  let baseTimestamp = input.deleteHorizonMs ?? input.baseTimestamp ?? first?.timestamp
  if (baseTimestamp === undefined) baseTimestamp = records.length === 0 ? NO_TIMESTAMP : BigInt(Date.now())
  let maxTimestamp = input.maxTimestamp
  if (maxTimestamp === undefined) {
    maxTimestamp = records.length === 0 ? NO_TIMESTAMP : (first?.timestamp ?? baseTimestamp)
    for (const r of records) {
      const t = r.timestamp ?? baseTimestamp
      if (t > maxTimestamp) maxTimestamp = t
    }
  }
  const last = records.length - 1
  const lastOffsetDelta = input.lastOffsetDelta ?? (last < 0 ? 0 : (records[last]!.offsetDelta ?? last))
  let attributes = (input.compression ?? Compression.None) & 0x07
  if (input.timestampType === TimestampType.LogAppendTime) attributes |= TIMESTAMP_TYPE_MASK
  if (input.transactional === true) attributes |= TRANSACTIONAL_MASK
  if (input.control === true) attributes |= CONTROL_MASK
  if (input.deleteHorizonMs !== undefined) attributes |= DELETE_HORIZON_MASK
  const headroom = (attributes & 0x07) === Compression.None ? BATCH_HEADER_SIZE : 0
  return { attributes, baseTimestamp, maxTimestamp, lastOffsetDelta, records: encodeRecords(records, baseTimestamp, headroom) }
}

function assemble (input: BatchInput, p: Prepared, body: Buffer): Buffer {
  // Uncompressed records were encoded after room for the header: no copy.
  const inPlace = (p.attributes & 0x07) === Compression.None
  const buf = inPlace ? body : Buffer.allocUnsafe(BATCH_HEADER_SIZE + body.length)
  buf.writeBigInt64BE(input.baseOffset ?? 0n, BASE_OFFSET)
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, BATCH_LENGTH)
  buf.writeInt32BE(input.partitionLeaderEpoch ?? -1, PARTITION_LEADER_EPOCH)
  buf.writeInt8(CURRENT_MAGIC, MAGIC)
  buf.writeInt16BE(p.attributes, ATTRIBUTES)
  buf.writeInt32BE(p.lastOffsetDelta, LAST_OFFSET_DELTA)
  buf.writeBigInt64BE(p.baseTimestamp, BASE_TIMESTAMP)
  buf.writeBigInt64BE(p.maxTimestamp, MAX_TIMESTAMP)
  buf.writeBigInt64BE(input.producerId ?? NO_PRODUCER_ID, PRODUCER_ID)
  buf.writeInt16BE(input.producerEpoch ?? NO_PRODUCER_EPOCH, PRODUCER_EPOCH)
  buf.writeInt32BE(input.baseSequence ?? NO_SEQUENCE, BASE_SEQUENCE)
  buf.writeInt32BE(input.records.length, RECORD_COUNT)
  if (!inPlace) body.copy(buf, BATCH_HEADER_SIZE)
  buf.writeUInt32BE(0, CRC)
  updateBatchCrc(buf, 0)
  return buf
}

/** Builds a batch; compression runs off the main thread where the codec allows it. */
export async function buildBatch (input: BatchInput): Promise<Buffer> {
  const p = prepare(input)
  return assemble(input, p, await compress(p.attributes & 0x07, p.records))
}

export function buildBatchSync (input: BatchInput): Buffer {
  const p = prepare(input)
  return assemble(input, p, compressSync(p.attributes & 0x07, p.records))
}
