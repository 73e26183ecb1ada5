// Control batches: transaction markers written by the broker when a transaction ends. A control
// batch has attributes bits 4 (transactional) and 5 (control) set, the producer's id and epoch,
// baseSequence -1, no compression, and exactly one record:
//   key   = version int16 (0) + type int16 (0 ABORT, 1 COMMIT; KRaft uses 2+ for its own records)
//   value = version int16 (0) + coordinatorEpoch int32   (EndTxnMarker)
// Recovery rule: a control record whose key is shorter than 4 bytes, or a marker value shorter
// than 6 bytes, is a RecordFormatError; unknown types are returned as numbers for the caller to skip.
import { buildBatchSync } from './builder.js'
import { RECORDS, isControlBatch } from './record-batch.js'
import { decodeBatchSync } from './read-batches.js'
import { RecordFormatError } from './varint.js'

export const enum ControlType { Abort = 0, Commit = 1 }

const CONTROL_KEY_VERSION = 0
const END_TXN_MARKER_VERSION = 0

export interface EndTxnMarkerInput {
  producerId: bigint
  producerEpoch: number
  commit: boolean
  coordinatorEpoch: number
  /** Defaults to Date.now(). */
  timestamp?: bigint
  baseOffset?: bigint
  partitionLeaderEpoch?: number
}

export interface ControlMarker {
  /** ControlType.Abort, ControlType.Commit, or another control record type. */
  type: number
  producerId: bigint
  producerEpoch: number
  /** EndTxnMarker's coordinator epoch; -1 for types other than abort/commit. */
  coordinatorEpoch: number
}

export function controlKey (type: number): Buffer {
  const key = Buffer.allocUnsafe(4)
  key.writeInt16BE(CONTROL_KEY_VERSION, 0)
  key.writeInt16BE(type, 2)
  return key
}

export function endTxnMarkerValue (coordinatorEpoch: number): Buffer {
  const value = Buffer.allocUnsafe(6)
  value.writeInt16BE(END_TXN_MARKER_VERSION, 0)
  value.writeInt32BE(coordinatorEpoch, 2)
  return value
}

export function buildEndTxnMarker (input: EndTxnMarkerInput): Buffer {
  return buildBatchSync({
    baseOffset: input.baseOffset ?? 0n,
    partitionLeaderEpoch: input.partitionLeaderEpoch ?? -1,
    transactional: true,
    control: true,
    producerId: input.producerId,
    producerEpoch: input.producerEpoch,
    baseSequence: -1,
    records: [{
      key: controlKey(input.commit ? ControlType.Commit : ControlType.Abort),
      value: endTxnMarkerValue(input.coordinatorEpoch),
      timestamp: input.timestamp ?? BigInt(Date.now())
    }]
  })
}

/** The control type in a control record's key. */
export function readControlType (key: Buffer | null): number {
  if (key === null || key.length < 4) throw new RecordFormatError('control record key shorter than 4 bytes')
  return key.readInt16BE(2)
}

/**
 * Reads the marker of a control batch (exactly its bytes); null if the batch is not a control batch.
 * Throws RecordFormatError (or CompressionError) on malformed input.
 */
export function readControlMarker (batch: Buffer): ControlMarker | null {
  if (batch.length < RECORDS) throw new RecordFormatError(`batch of ${batch.length} bytes is shorter than a v2 header`)
  if (!isControlBatch(batch, 0)) return null
  const decoded = decodeBatchSync(batch)
  const record = decoded.records[0]
  if (record === undefined) throw new RecordFormatError('control batch without a record')
  const type = readControlType(record.key)
  let coordinatorEpoch = -1
  if (type === ControlType.Abort || type === ControlType.Commit) {
    const value = record.value
    if (value === null || value.length < 6) throw new RecordFormatError('end transaction marker value shorter than 6 bytes')
    coordinatorEpoch = value.readInt32BE(2)
  }
  return { type, producerId: decoded.header.producerId, producerEpoch: decoded.header.producerEpoch, coordinatorEpoch }
}
