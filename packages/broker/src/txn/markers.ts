// Writing transaction markers (Kafka's WriteTxnMarkers, sent by the coordinator to each
// partition leader). On this single broker the coordinator appends the COMMIT/ABORT control
// batch (records/control-batch.ts) to each partition directly through the partition layer, and
// hands `__consumer_offsets` partitions to the group coordinator, which writes the same marker
// through its own runtime and replays it (the producer's pending offsets become committed or are
// dropped) before it counts as written.
//
// A marker is durable (fsynced) before it counts as written. Outcome per partition, as Kafka's
// marker handler treats them:
//   NONE                                   written
//   UNKNOWN_TOPIC_OR_PARTITION             the partition is gone: nothing left to mark
//   INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED
//                                          the partition's producer state is newer: stale marker
//   anything else (storage errors; in cluster mode NOT_LEADER_OR_FOLLOWER, too few replicas)
//                                          retried by the coordinator until it lands
import { buildEndTxnMarker, ErrorCode } from '@brook/protocol'
import { StorageError } from '@brook/storage'
import type { Logger } from '@brook/common'
import { OFFSETS_TOPIC } from '../group/config.js'
import { KafkaError } from '../errors.js'
import type { TransactionalOffsets } from './group-offsets.js'
import type { TopicPartition } from './metadata.js'

export interface TxnMarker {
  producerId: bigint
  producerEpoch: number
  commit: boolean
  coordinatorEpoch: number
}

/** The part of the broker's Partition the marker writer uses. */
export interface MarkablePartition {
  appendControl (records: Buffer, marker: TxnMarker): Promise<unknown>
}

export interface MarkerWriter {
  /** Writes one marker; resolves with a Kafka error code, never rejects. */
  write (tp: TopicPartition, marker: TxnMarker): Promise<number>
}

/** Codes after which a marker is not retried. */
export function isFinalMarkerCode (code: number): boolean {
  return code === ErrorCode.NONE || code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ||
    code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.TRANSACTION_COORDINATOR_FENCED
}

export class PartitionMarkerWriter implements MarkerWriter {
  readonly #partition: (topic: string, index: number) => MarkablePartition | undefined
  readonly #offsets: TransactionalOffsets | undefined
  readonly #logger: Logger

  constructor (partition: (topic: string, index: number) => MarkablePartition | undefined, offsets: TransactionalOffsets | undefined, logger: Logger) {
    this.#partition = partition
    this.#offsets = offsets
    this.#logger = logger
  }

  async write (tp: TopicPartition, marker: TxnMarker): Promise<number> {
    try {
      if (tp.topic === OFFSETS_TOPIC && this.#offsets !== undefined) {
        return await this.#offsets.completeTransaction(tp.partition, marker.producerId, marker.producerEpoch, marker.coordinatorEpoch, marker.commit)
      }
      const partition = this.#partition(tp.topic, tp.partition)
      if (partition === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      await partition.appendControl(buildEndTxnMarker(marker), marker)
      return ErrorCode.NONE
    } catch (err) {
      // Cluster mode: not the leader, too few replicas, not replicated in time (retried).
      if (err instanceof KafkaError) return err.code
      if (err instanceof StorageError) {
        if (err.kind === 'KAFKA_STORAGE_ERROR') this.#logger.warn({ err, topic: tp.topic, partition: tp.partition }, 'writing a transaction marker failed')
        return ErrorCode[err.kind]
      }
      this.#logger.error({ err, topic: tp.topic, partition: tp.partition }, 'unexpected failure writing a transaction marker')
      return ErrorCode.UNKNOWN_SERVER_ERROR
    }
  }
}
