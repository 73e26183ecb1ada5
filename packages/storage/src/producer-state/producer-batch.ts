// What producer state needs to know about one batch, read in place from its v2 header (see
// @brook/protocol records/record-batch.ts for the layout). Data batches need only header fields;
// a control batch's end-transaction marker is in its single record, so only control batches are
// decoded (readControlMarker), which happens once per transaction per partition.
import { ATTRIBUTES, BASE_SEQUENCE, CONTROL_MASK, LAST_OFFSET_DELTA, MAX_TIMESTAMP, PRODUCER_EPOCH, PRODUCER_ID, RECORD_COUNT, TRANSACTIONAL_MASK, batchBaseOffset, batchSize, ControlType, readControlMarker } from '@brook/protocol'
import { incrementSequence } from './sequence.js'

/** The end-transaction marker of a control batch. */
export interface TxnMarker {
  commit: boolean
  coordinatorEpoch: number
}

export interface ProducerBatch {
  /** Offset assigned to the first record (the log's next offset when appending). */
  baseOffset: number
  /** lastOffset = baseOffset + lastOffsetDelta; lastSequence = baseSequence + lastOffsetDelta (wrapping). */
  lastOffsetDelta: number
  /** -1n: not an idempotent/transactional batch; producer state ignores it. */
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  maxTimestamp: number
  isTransactional: boolean
  isControl: boolean
  /**
   * For a control batch: its commit/abort marker, or null when the batch holds another control
   * type or no record at all (a cleaned transaction): such batches change no producer state.
   */
  marker: TxnMarker | null
}

export function lastOffsetOf (batch: ProducerBatch): number {
  return batch.baseOffset + batch.lastOffsetDelta
}

export function lastSequenceOf (batch: ProducerBatch): number {
  return incrementSequence(batch.baseSequence, batch.lastOffsetDelta)
}

/**
 * Reads the batch at `pos`. `baseOffset` overrides the header's (a batch about to be appended
 * still carries the producer's 0). Throws RecordFormatError for a malformed control batch.
 */
export function readProducerBatch (buf: Buffer, pos = 0, baseOffset = batchBaseOffset(buf, pos)): ProducerBatch {
  const attributes = buf.readInt16BE(pos + ATTRIBUTES)
  const isControl = (attributes & CONTROL_MASK) !== 0
  let marker: TxnMarker | null = null
  // A control batch emptied by compaction carries no marker (Kafka: the transaction was cleaned).
  if (isControl && buf.readInt32BE(pos + RECORD_COUNT) > 0) {
    const control = readControlMarker(buf.subarray(pos, pos + batchSize(buf, pos)))
    if (control !== null && (control.type === ControlType.Commit || control.type === ControlType.Abort)) {
      marker = { commit: control.type === ControlType.Commit, coordinatorEpoch: control.coordinatorEpoch }
    }
  }
  return {
    baseOffset,
    lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA),
    producerId: buf.readBigInt64BE(pos + PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE),
    maxTimestamp: Number(buf.readBigInt64BE(pos + MAX_TIMESTAMP)),
    isTransactional: (attributes & TRANSACTIONAL_MASK) !== 0,
    isControl,
    marker
  }
}

/**
 * Every batch of an append blob, with offsets assigned from `nextOffset` on (as the log will
 * assign them), or with their own offsets when `nextOffset` is null (a follower keeps the
 * leader's). Batches must be framed already (validated by the caller).
 */
export function readProducerBatches (records: Buffer, nextOffset: number | null): ProducerBatch[] {
  const out: ProducerBatch[] = []
  let pos = 0
  let offset = nextOffset ?? 0
  while (pos < records.length) {
    const batch = nextOffset === null ? readProducerBatch(records, pos) : readProducerBatch(records, pos, offset)
    out.push(batch)
    offset += batch.lastOffsetDelta + 1
    pos += batchSize(records, pos)
  }
  return out
}
