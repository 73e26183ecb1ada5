// What the transaction coordinator needs from the group coordinator for transactional offsets
// (TxnOffsetCommit), as Kafka splits it: the group coordinator appends the offsets to the group's
// `__consumer_offsets` partition as the producer's transactional batch (durable at once) and keeps
// them pending; the transaction's COMMIT/ABORT marker for that partition is written through the
// group coordinator too, which replays it and makes the offsets committed, or drops them. A restart
// in between replays the batch (pending again) and, later, the marker. group/coordinator.ts
// implements it.
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
