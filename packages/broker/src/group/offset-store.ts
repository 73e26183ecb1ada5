// Offsets of one coordinator shard: group -> topic -> partition -> offset, each with the log offset
// of the record that wrote it. Changed only by replaying offset-commit records (tombstones delete)
// and transaction markers. Holds the committed offsets, and (one store per producer) the pending
// transactional offsets of ./txn-offsets.ts.
import type { OffsetAndMetadata } from './records.js'

export interface StoredOffset extends OffsetAndMetadata {
  /**
   * Offset in `__consumer_offsets` of the record this came from: a transaction's offsets become
   * committed only over older commits (Kafka keeps the most recent record when plain and
   * transactional commits of a partition mix).
   */
  recordOffset: number
}

export class OffsetStore {
  readonly #byGroup = new Map<string, Map<string, Map<number, StoredOffset>>>()

  get (groupId: string, topic: string, partition: number): StoredOffset | undefined {
    return this.#byGroup.get(groupId)?.get(topic)?.get(partition)
  }

  put (groupId: string, topic: string, partition: number, value: StoredOffset): void {
    let topics = this.#byGroup.get(groupId)
    if (topics === undefined) {
      topics = new Map()
      this.#byGroup.set(groupId, topics)
    }
    let partitions = topics.get(topic)
    if (partitions === undefined) {
      partitions = new Map()
      topics.set(topic, partitions)
    }
    partitions.set(partition, value)
  }

  /** Whether there was an offset to delete. */
  delete (groupId: string, topic: string, partition: number): boolean {
    const topics = this.#byGroup.get(groupId)
    const partitions = topics?.get(topic)
    if (topics === undefined || partitions === undefined) return false
    const deleted = partitions.delete(partition)
    if (partitions.size === 0) topics.delete(topic)
    if (topics.size === 0) this.#byGroup.delete(groupId)
    return deleted
  }

  /** Every offset: [group, topic, partition, offset]. */
  * entries (): Generator<[string, string, number, StoredOffset]> {
    for (const [groupId, topics] of this.#byGroup) {
      for (const [topic, partitions] of topics) {
        for (const [partition, o] of partitions) yield [groupId, topic, partition, o]
      }
    }
  }

  /** topic -> partition -> offset for one group (a live view; do not mutate). */
  ofGroup (groupId: string): ReadonlyMap<string, ReadonlyMap<number, StoredOffset>> | undefined {
    return this.#byGroup.get(groupId)
  }

  isEmpty (): boolean {
    return this.#byGroup.size === 0
  }

  hasOffsets (groupId: string): boolean {
    return this.#byGroup.has(groupId)
  }

  groupIds (): IterableIterator<string> {
    return this.#byGroup.keys()
  }

  count (groupId: string): number {
    let n = 0
    for (const partitions of this.#byGroup.get(groupId)?.values() ?? []) n += partitions.size
    return n
  }
}
