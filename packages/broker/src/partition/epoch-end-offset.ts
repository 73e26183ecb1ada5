// The end offset of a leader epoch, as Kafka's LeaderEpochFileCache.endOffsetFor answers
// OffsetForLeaderEpoch: the requested epoch's end is where the next epoch starts, the current
// epoch ends at the log end, and an epoch the cache cannot place gets (-1, -1).
// The entries are the log's own epoch cache (storage, filled from the epochs of appended
// batches), plus the partition's current epoch where the cache does not have it yet: Kafka
// records a new leader's epoch at the log end when it takes over, which this broker's partitions
// never do (they lead at epoch 0 from the start), so an empty cache means epoch 0 from the log start.
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

/** The partition's epoch cache, with its current epoch as the leader would have recorded it. */
function epochEntries (partition: Partition): EpochEntry[] {
  const log = partition.log
  const entries = log.leaderEpochEntries()
  const latest = entries[entries.length - 1]
  if (latest === undefined) entries.push({ epoch: partition.leaderEpoch, startOffset: log.logStartOffset })
  else if (latest.epoch < partition.leaderEpoch) entries.push({ epoch: partition.leaderEpoch, startOffset: log.logEndOffset })
  return entries
}

export function endOffsetForEpoch (partition: Partition, requestedEpoch: number): EpochEndOffset {
  return endOffsetFor(epochEntries(partition), requestedEpoch, partition.log.logEndOffset)
}
