// What the transaction coordinator needs from the group coordinator for transactional offsets
// (TxnOffsetCommit): offsets committed inside a transaction are held pending per producer id
// until the transaction's marker reaches the group's `__consumer_offsets` partition; then they
// become the group's committed offsets (commit) or are dropped (abort). Kafka keeps them as
// transactional batches in `__consumer_offsets` and completes them when it replays the marker,
// which makes them survive a restart between TxnOffsetCommit and the marker.
//
// The group coordinator (group/) implements this; until it does, TxnOffsetCommit answers
// COORDINATOR_NOT_AVAILABLE and markers for `__consumer_offsets` partitions are plain control
// batches (no pending offsets can exist then).
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponseTopic } from '@brook/protocol'

export interface TransactionalOffsets {
  /**
   * Validates the group membership fields (v3+) and stores the offsets as pending for
   * (producerId, producerEpoch), durably. Answers per partition.
   */
  commitTransactionalOffsets (request: TxnOffsetCommitRequest, apiVersion: number): Promise<TxnOffsetCommitResponseTopic[]>
  /**
   * Writes the transaction marker to one `__consumer_offsets` partition and applies it: the
   * producer's pending offsets on that partition become committed, or are dropped. Resolves with
   * a Kafka error code (NONE once durable).
   */
  completeTransaction (partition: number, producerId: bigint, producerEpoch: number, coordinatorEpoch: number, commit: boolean): Promise<number>
}

/** The group coordinator's transactional-offset methods, if it has them. */
export function transactionalOffsetsOf (groups: object | undefined): TransactionalOffsets | undefined {
  if (groups === undefined) return undefined
  const candidate = groups as Partial<TransactionalOffsets>
  return typeof candidate.commitTransactionalOffsets === 'function' && typeof candidate.completeTransaction === 'function'
    ? candidate as TransactionalOffsets
    : undefined
}
