// Partitioners. The default one is Kafka's (Java client 3.x+): a record with an explicit
// partition goes there; a keyed record goes to toPositive(murmur2(key)) % partitions, the same
// placement as the Java client, librdkafka's murmur2_random and kafkajs's default partitioner; a
// keyless record sticks to one partition until that partition's batch closes, then another
// partition is picked at random (KIP-480), so keyless records fill batches instead of spreading
// one record per partition.
import { partitionForKey } from '@brook/protocol'

export interface PartitionerInput {
  topic: string
  key: Buffer | null
  value: Buffer | null
  partitionCount: number
}

/** A custom partitioner: return a partition in [0, partitionCount). */
export type PartitionerFunction = (input: PartitionerInput) => number

export interface Partitioner {
  partition: (input: PartitionerInput) => number
  /** Called when the batch of (topic, partition) closes, so a sticky choice can move on. */
  batchClosed: (topic: string, partition: number) => void
}

export function defaultPartitioner (): Partitioner {
  const sticky = new Map<string, number>()
  return {
    partition ({ topic, key, partitionCount }) {
      if (key !== null) return partitionForKey(key, partitionCount)
      let p = sticky.get(topic)
      if (p === undefined || p >= partitionCount) {
        p = Math.floor(Math.random() * partitionCount)
        sticky.set(topic, p)
      }
      return p
    },
    batchClosed (topic, partition) {
      const current = sticky.get(topic)
      if (current !== partition) return
      sticky.delete(topic)
    }
  }
}

export function customPartitioner (fn: PartitionerFunction): Partitioner {
  return { partition: fn, batchClosed: () => {} }
}
