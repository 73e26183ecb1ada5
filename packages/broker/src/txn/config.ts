// Settings of the transaction coordinator, with Kafka's broker config names; the broker's config
// module owns parsing and defaults, this is the typed view the coordinator reads.

export const TXN_TOPIC = '__transaction_state'

export interface TxnCoordinatorConfig {
  /** transaction.state.log.num.partitions (an existing topic's count wins) */
  numPartitions: number
  /** transaction.state.log.segment.bytes */
  segmentBytes: number
  /** transaction.max.timeout.ms: larger transaction.timeout.ms values are refused */
  maxTimeoutMs: number
  /** transactional.id.expiration.ms */
  transactionalIdExpirationMs: number
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  abortTimedOutIntervalMs: number
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  removeExpiredIntervalMs: number
  /** Backoff between attempts to write a marker that failed (Kafka retries until it lands). */
  markerRetryBackoffMs: number
}

export function txnConfigFrom (int: (name: string) => number): TxnCoordinatorConfig {
  return {
    numPartitions: int('transaction.state.log.num.partitions'),
    segmentBytes: int('transaction.state.log.segment.bytes'),
    maxTimeoutMs: int('transaction.max.timeout.ms'),
    transactionalIdExpirationMs: int('transactional.id.expiration.ms'),
    abortTimedOutIntervalMs: int('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
    removeExpiredIntervalMs: int('transaction.remove.expired.transaction.cleanup.interval.ms'),
    markerRetryBackoffMs: 100
  }
}
