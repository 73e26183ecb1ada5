// One incremental fetch session (KIP-227), as Kafka's FetchSession: the partitions a client
// fetches, each with the request parameters last sent for it and the high watermark and log
// start offset last sent back. An incremental request only names partitions whose parameters
// changed (and those to forget); an incremental response only carries partitions with news.
import type { FetchRequestPartition, FetchResponsePartitionData } from '@brook/protocol'

/** What a session remembers of one partition. */
export interface CachedPartition {
  readonly topic: string | undefined
  readonly topicId: string | undefined
  readonly partition: number
  /** The request parameters last sent for this partition (fetch offset, max bytes, epochs). */
  request: FetchRequestPartition
  /** Last high watermark sent back; -1 makes the next response include the partition. */
  highWatermark: bigint
  /** Last log start offset sent back. */
  logStartOffset: bigint
}

/** Sessions of Fetch v13+ know partitions by topic id, older ones by topic name. */
export function partitionKey (usesTopicIds: boolean, topic: string | undefined, topicId: string | undefined, partition: number): string {
  return `${usesTopicIds ? topicId ?? '' : topic ?? ''}\u0000${partition}`
}

export class FetchSession {
  readonly id: number
  readonly usesTopicIds: boolean
  /** A follower's session (fetch from a replica id >= 0): harder to evict, as in Kafka. */
  readonly privileged: boolean
  readonly creationMs: number
  lastUsedMs: number
  /** The epoch the next incremental request must carry. */
  epoch: number
  /** In fetch order: partitions that returned records move to the end, so none starves. */
  readonly partitions = new Map<string, CachedPartition>()

  constructor (id: number, usesTopicIds: boolean, privileged: boolean, now: number) {
    this.id = id
    this.usesTopicIds = usesTopicIds
    this.privileged = privileged
    this.creationMs = now
    this.lastUsedMs = now
    this.epoch = nextEpoch(0)
  }

  get size (): number {
    return this.partitions.size
  }

  /** Adds new partitions, updates known ones, then forgets the listed ones (Kafka's order). */
  update (changed: readonly CachedPartition[], forgotten: readonly string[]): void {
    for (const part of changed) {
      const key = partitionKey(this.usesTopicIds, part.topic, part.topicId, part.partition)
      const known = this.partitions.get(key)
      if (known === undefined) this.partitions.set(key, part)
      else known.request = part.request
    }
    for (const key of forgotten) this.partitions.delete(key)
  }

  /**
   * Whether an incremental response must carry this partition (Kafka's maybeUpdateResponseData):
   * records, a moved high watermark or log start offset, an error, or a preferred replica. The
   * cache remembers what is sent; an error resets the high watermark so the partition is sent
   * again once the error is gone. Partitions sent with records move to the end of the order.
   */
  mustRespond (key: string, data: FetchResponsePartitionData): boolean {
    const cached = this.partitions.get(key)
    if (cached === undefined) return true
    let respond = recordsSize(data.records) > 0
    if (cached.highWatermark !== data.highWatermark) {
      respond = true
      cached.highWatermark = data.highWatermark
    }
    const logStart = data.logStartOffset ?? -1n
    if (cached.logStartOffset !== logStart) {
      respond = true
      cached.logStartOffset = logStart
    }
    if ((data.preferredReadReplica ?? -1) >= 0) respond = true
    if (data.errorCode !== 0) {
      cached.highWatermark = -1n
      respond = true
    }
    if (recordsSize(data.records) > 0) {
      this.partitions.delete(key)
      this.partitions.set(key, cached)
    }
    return respond
  }
}

/** Kafka's FetchMetadata.nextEpoch: 1, 2, ... wrapping to 1 after Integer.MAX_VALUE. */
export function nextEpoch (epoch: number): number {
  if (epoch < 0) return 0
  return epoch >= 0x7fffffff ? 1 : epoch + 1
}

function recordsSize (records: FetchResponsePartitionData['records']): number {
  if (records === null || records === undefined) return 0
  if (Buffer.isBuffer(records)) return records.length
  let size = 0
  for (const chunk of records) size += chunk.length
  return size
}
