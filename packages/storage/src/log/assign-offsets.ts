// The append path's only touch on batch bytes: framing checks, then baseOffset and
// partitionLeaderEpoch patched in place (both outside the CRC) and, for LogAppendTime topics,
// the timestamp stamped (the one case that recomputes the CRC). Layout: record-batch.ts.
import {
  BATCH_LENGTH, CURRENT_MAGIC, LAST_OFFSET_DELTA, LOG_OVERHEAD, MAGIC, MAX_TIMESTAMP, MIN_BATCH_LENGTH, RECORD_COUNT,
  patchBaseOffset, patchPartitionLeaderEpoch, stampLogAppendTime
} from '@brook/protocol'

export interface BatchesSummary {
  batches: number
  /** Offsets the batches take: the sum of lastOffsetDelta + 1. */
  offsetSpan: number
  records: number
  maxTimestamp: number
}

/** Walks the batches of an append; a reason string when the framing is broken. */
export function summarizeBatches (records: Buffer): BatchesSummary | string {
  if (records.length === 0) return 'no batches'
  let pos = 0
  const summary: BatchesSummary = { batches: 0, offsetSpan: 0, records: 0, maxTimestamp: -1 }
  while (pos < records.length) {
    if (records.length - pos < LOG_OVERHEAD + MIN_BATCH_LENGTH) return `truncated batch at ${pos}`
    const batchLength = records.readInt32BE(pos + BATCH_LENGTH)
    if (batchLength < MIN_BATCH_LENGTH || LOG_OVERHEAD + batchLength > records.length - pos) return `bad batchLength ${batchLength} at ${pos}`
    if (records.readInt8(pos + MAGIC) !== CURRENT_MAGIC) return `magic ${records.readInt8(pos + MAGIC)} at ${pos}`
    const delta = records.readInt32BE(pos + LAST_OFFSET_DELTA)
    if (delta < 0) return `negative lastOffsetDelta at ${pos}`
    summary.batches++
    summary.offsetSpan += delta + 1
    summary.records += Math.max(0, records.readInt32BE(pos + RECORD_COUNT))
    const ts = Number(records.readBigInt64BE(pos + MAX_TIMESTAMP))
    if (ts > summary.maxTimestamp) summary.maxTimestamp = ts
    pos += LOG_OVERHEAD + batchLength
  }
  return summary
}

/**
 * Gives the batches consecutive offsets from baseOffset and the leader epoch; stamps logAppendTime
 * when not null. Returns the next offset.
 */
export function assignOffsets (records: Buffer, baseOffset: number, leaderEpoch: number, logAppendTime: number | null): number {
  let pos = 0
  let next = baseOffset
  while (pos < records.length) {
    patchBaseOffset(records, pos, next)
    patchPartitionLeaderEpoch(records, pos, leaderEpoch)
    if (logAppendTime !== null) stampLogAppendTime(records, pos, logAppendTime)
    next += records.readInt32BE(pos + LAST_OFFSET_DELTA) + 1
    pos += LOG_OVERHEAD + records.readInt32BE(pos + BATCH_LENGTH)
  }
  return next
}
