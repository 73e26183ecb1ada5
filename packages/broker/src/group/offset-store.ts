// Committed offsets of one coordinator shard: group -> topic -> partition -> OffsetAndMetadata.
// Changed only by replaying offset-commit records (tombstones delete).
import type { OffsetAndMetadata } from './records.js'

export class OffsetStore {
  readonly #byGroup = new Map<string, Map<string, Map<number, OffsetAndMetadata>>>()

  get (groupId: string, topic: string, partition: number): OffsetAndMetadata | undefined {
    return this.#byGroup.get(groupId)?.get(topic)?.get(partition)
  }

  put (groupId: string, topic: string, partition: number, value: OffsetAndMetadata): void {
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

  delete (groupId: string, topic: string, partition: number): void {
    const topics = this.#byGroup.get(groupId)
    const partitions = topics?.get(topic)
    if (topics === undefined || partitions === undefined) return
    partitions.delete(partition)
    if (partitions.size === 0) topics.delete(topic)
    if (topics.size === 0) this.#byGroup.delete(groupId)
  }

  /** topic -> partition -> offset for one group (a live view; do not mutate). */
  ofGroup (groupId: string): ReadonlyMap<string, ReadonlyMap<number, OffsetAndMetadata>> | undefined {
    return this.#byGroup.get(groupId)
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
