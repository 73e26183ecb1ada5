// What the transaction coordinator needs from the group coordinator for transactional offsets
// (TxnOffsetCommit): offsets committed inside a transaction are held pending per producer id
// until the transaction's marker reaches the group's `__consumer_offsets` partition; then they
// become the group's committed offsets (commit) or are dropped (abort). Kafka keeps them as
// transactional batches in `__consumer_offsets` and completes them when it replays the marker,
// which makes them survive a restart between TxnOffsetCommit and the marker.
//
// The group coordinator (group/) should implement this (Kafka's way, durable); until it does,
// ./pending-offsets.ts stands in for it (pending offsets in memory, applied through the group
// coordinator's runtime as ordinary offset commits when the COMMIT marker arrives).
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
