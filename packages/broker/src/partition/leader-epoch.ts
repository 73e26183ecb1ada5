// The current_leader_epoch check of Fetch, ListOffsets and friends (Kafka's
// Partition.getLocalLog): -1 skips it; an older epoch is FENCED_LEADER_EPOCH (the client is
// behind), a newer one UNKNOWN_LEADER_EPOCH (this broker is behind).
import { ErrorCode } from '@brook/protocol'
import type { Partition } from './partition.js'

export function leaderEpochError (partition: Partition, currentLeaderEpoch: number | undefined): number {
  if (currentLeaderEpoch === undefined || currentLeaderEpoch < 0) return ErrorCode.NONE
  if (currentLeaderEpoch < partition.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH
  if (currentLeaderEpoch > partition.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH
  return ErrorCode.NONE
}
