// The checks of a follower's append (Kafka's appendAsFollower, which keeps the leader's offsets):
// framing and CRC of every batch, offsets strictly increasing from batch to batch, and the first
// batch at or after the log end. A gap between the log end and the first batch, or between two
// batches, is allowed: a compacted leader log has them.
import { LAST_OFFSET_DELTA, PARTITION_LEADER_EPOCH, batchBaseOffset, batchSize, hasValidCrc } from '@brook/protocol'
import { type BatchesSummary, summarizeBatches } from './assign-offsets.js'

export interface FollowerBatches extends BatchesSummary {
  firstOffset: number
  lastOffset: number
  /** Each batch's partitionLeaderEpoch and base offset, in order (the epoch cache takes the new ones). */
  epochs: Array<{ epoch: number, baseOffset: number }>
}

/** The batches' offsets and epochs; a reason string when they cannot be appended as they are. */
export function summarizeFollowerBatches (records: Buffer): FollowerBatches | string {
  const summary = summarizeBatches(records)
  if (typeof summary === 'string') return summary
  const epochs: FollowerBatches['epochs'] = []
  let firstOffset = -1
  let lastOffset = -1
  for (let pos = 0; pos < records.length; pos += batchSize(records, pos)) {
    if (!hasValidCrc(records, pos)) return `CRC mismatch in the batch at ${pos}`
    const base = batchBaseOffset(records, pos)
    if (!Number.isSafeInteger(base) || base < 0) return `base offset ${base} out of range at ${pos}`
    if (base <= lastOffset) return `offsets go backwards: batch at ${base} after offset ${lastOffset}`
    if (firstOffset < 0) firstOffset = base
    lastOffset = base + records.readInt32BE(pos + LAST_OFFSET_DELTA)
    epochs.push({ epoch: records.readInt32BE(pos + PARTITION_LEADER_EPOCH), baseOffset: base })
  }
  return { ...summary, firstOffset, lastOffset, epochs }
}
