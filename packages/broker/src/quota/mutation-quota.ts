// controller_mutation_rate (KIP-599) for one CreateTopics, CreatePartitions or DeleteTopics
// request: each topic's partitions created or deleted are taken from the client's token bucket.
// Strict (the versions that can carry THROTTLING_QUOTA_EXCEEDED: CreateTopics v6+,
// CreatePartitions v3+, DeleteTopics v5+): a topic asked for while the bucket is in debt is
// refused with that error; the topic that takes it into debt still goes through, as Kafka's.
// Permissive (older versions): every topic goes through and the client is throttled.
import { ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'
import type { TokenBucket } from './token-bucket.js'

export class MutationQuota {
  private readonly bucket: TokenBucket
  readonly strict: boolean

  constructor (bucket: TokenBucket, strict: boolean) {
    this.bucket = bucket
    this.strict = strict
  }

  /**
   * Before a topic's mutation, counts its partitions; throws THROTTLING_QUOTA_EXCEEDED (nothing
   * counted) when strict and the client is over its quota. Check and count are one step, so the
   * topics of one request, handled concurrently, see each other's counts in order.
   */
  admit (partitions: number, now: number = Date.now()): void {
    if (partitions <= 0) return
    if (this.strict && this.bucket.waitMs(now) > 0) {
      throw new KafkaError(ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'The throttling quota has been exceeded.')
    }
    this.bucket.take(partitions, now)
  }

  /** The admitted mutation failed: its partitions were not mutated after all. */
  refund (partitions: number, now: number = Date.now()): void {
    if (partitions > 0) this.bucket.take(-partitions, now)
  }

  /** The throttle time the response carries: until the bucket is out of debt. */
  throttleMs (now: number = Date.now()): number {
    return this.bucket.waitMs(now)
  }
}
