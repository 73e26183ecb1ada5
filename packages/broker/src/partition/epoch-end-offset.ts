// The end offset of a leader epoch, as Kafka's LeaderEpochFileCache.endOffsetFor answers
// OffsetForLeaderEpoch: the requested epoch's end is where the next epoch starts, the current
// epoch ends at the log end, and an epoch the cache cannot place gets (-1, -1).
// A partition here has one epoch (it became leader at epoch 0 at its log start and never
// changed), so the cache is that single entry. A real per-partition epoch cache replaces
// `endOffsetForEpoch` without touching its callers.
import type { Partition } from './partition.js'

export const UNDEFINED_EPOCH = -1
export const UNDEFINED_EPOCH_OFFSET = -1

export interface EpochEndOffset {
  /** The largest known epoch <= the requested one (or the requested one, as Kafka). */
  leaderEpoch: number
  endOffset: number
}

export interface EpochEntry {
  epoch: number
  startOffset: number
}

/** Kafka's endOffsetFor over a list of (epoch, start offset) entries sorted by epoch. */
export function endOffsetFor (entries: readonly EpochEntry[], requestedEpoch: number, logEndOffset: number): EpochEndOffset {
  const undefinedAnswer = { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET }
  if (requestedEpoch === UNDEFINED_EPOCH) return undefinedAnswer
  const latest = entries[entries.length - 1]
  // The current epoch is still being written: it ends at the log end.
  if (latest !== undefined && latest.epoch === requestedEpoch) return { leaderEpoch: requestedEpoch, endOffset: logEndOffset }
  const higher = entries.find((e) => e.epoch > requestedEpoch)
  if (higher === undefined) return undefinedAnswer
  const floor = entries.filter((e) => e.epoch <= requestedEpoch).at(-1)
  // Older than anything known: the data is gone; the next known epoch's start is the answer.
  if (floor === undefined) return { leaderEpoch: requestedEpoch, endOffset: higher.startOffset }
  return { leaderEpoch: floor.epoch, endOffset: higher.startOffset }
}

/** The partition's epoch cache today: its one epoch, starting at the log start. */
export function epochEntries (partition: Partition): EpochEntry[] {
  return [{ epoch: partition.leaderEpoch, startOffset: partition.log.logStartOffset }]
}

export function endOffsetForEpoch (partition: Partition, requestedEpoch: number): EpochEndOffset {
  return endOffsetFor(epochEntries(partition), requestedEpoch, partition.log.logEndOffset)
}
