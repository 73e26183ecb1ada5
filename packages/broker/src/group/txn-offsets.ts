// Pending transactional offsets of one coordinator shard (Kafka's pendingTransactionalOffsets and
// openTransactions): offsets a producer committed inside a transaction (TxnOffsetCommit, written
// as a transactional batch) that its COMMIT/ABORT marker has not ended yet. They are invisible to
// OffsetFetch (which answers UNSTABLE_OFFSET_COMMIT for them when asked for stable offsets), keep
// their partition's committed offset from expiring and their group from being deleted.
//
// Changed only by replay: a transactional offset record adds (a later one of the same producer for
// the same partition replaces it), a tombstone of the partition drops every producer's pending
// offset for it, a marker takes the producer's whole set (the shard commits or drops it).
import { OffsetStore, type StoredOffset } from './offset-store.js'

export class TxnOffsets {
  readonly #byProducer = new Map<bigint, OffsetStore>()
  /** group -> topic -> partition -> producers with a pending offset there. */
  readonly #open = new Map<string, Map<string, Map<number, Set<bigint>>>>()

  put (producerId: bigint, groupId: string, topic: string, partition: number, value: StoredOffset): void {
    let store = this.#byProducer.get(producerId)
    if (store === undefined) {
      store = new OffsetStore()
      this.#byProducer.set(producerId, store)
    }
    store.put(groupId, topic, partition, value)
    let topics = this.#open.get(groupId)
    if (topics === undefined) {
      topics = new Map()
      this.#open.set(groupId, topics)
    }
    let partitions = topics.get(topic)
    if (partitions === undefined) {
      partitions = new Map()
      topics.set(topic, partitions)
    }
    let producers = partitions.get(partition)
    if (producers === undefined) {
      producers = new Set()
      partitions.set(partition, producers)
    }
    producers.add(producerId)
  }

  /** A tombstone for the partition: no producer's pending offset for it survives. */
  deletePartition (groupId: string, topic: string, partition: number): void {
    for (const producerId of this.#open.get(groupId)?.get(topic)?.get(partition) ?? []) {
      const store = this.#byProducer.get(producerId)
      store?.delete(groupId, topic, partition)
      if (store?.isEmpty() === true) this.#byProducer.delete(producerId)
    }
    this.#forget(groupId, topic, partition, null)
  }

  /** Removes and returns the producer's pending offsets (its marker was replayed). */
  take (producerId: bigint): OffsetStore | undefined {
    const store = this.#byProducer.get(producerId)
    if (store === undefined) return undefined
    this.#byProducer.delete(producerId)
    for (const [groupId, topic, partition] of store.entries()) this.#forget(groupId, topic, partition, producerId)
    return store
  }

  has (groupId: string, topic: string, partition: number): boolean {
    return this.#open.get(groupId)?.get(topic)?.has(partition) ?? false
  }

  hasGroup (groupId: string): boolean {
    return this.#open.has(groupId)
  }

  /** Partitions of a group with a pending offset: [topic, partition]. */
  * partitionsOf (groupId: string): Generator<[string, number]> {
    for (const [topic, partitions] of this.#open.get(groupId) ?? []) {
      for (const partition of partitions.keys()) yield [topic, partition]
    }
  }

  /** Every pending offset: [producer, group, topic, partition, offset], producers in id order. */
  * entries (): Generator<[bigint, string, string, number, StoredOffset]> {
    for (const producerId of [...this.#byProducer.keys()].sort((a, b) => a < b ? -1 : a > b ? 1 : 0)) {
      for (const [groupId, topic, partition, o] of this.#byProducer.get(producerId)?.entries() ?? []) yield [producerId, groupId, topic, partition, o]
    }
  }

  pending (producerId: bigint, groupId: string, topic: string, partition: number): StoredOffset | undefined {
    return this.#byProducer.get(producerId)?.get(groupId, topic, partition)
  }

  /** Removes one producer (or, with null, every producer) from the partition's open set. */
  #forget (groupId: string, topic: string, partition: number, producerId: bigint | null): void {
    const topics = this.#open.get(groupId)
    const partitions = topics?.get(topic)
    const producers = partitions?.get(partition)
    if (topics === undefined || partitions === undefined || producers === undefined) return
    if (producerId === null) producers.clear()
    else producers.delete(producerId)
    if (producers.size === 0) partitions.delete(partition)
    if (partitions.size === 0) topics.delete(topic)
    if (topics.size === 0) this.#open.delete(groupId)
  }
}
