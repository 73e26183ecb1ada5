// A kafkajs group member for the brook group command tests: reads, optionally commits, leaves.
import type { Kafka } from 'kafkajs'
import { waitFor } from '@brook/testkit'

/** A kafkajs member of `groupId` reads until it has `count` records, commits `commit(partition, offsetsSeen)` and leaves. */
export async function kafkajsRead (kafka: Kafka, groupId: string, topic: string, count: number, commit?: (partition: number, seen: number) => number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 })
  await consumer.connect()
  const values: string[] = []
  const seen = new Map<number, number>()
  try {
    await consumer.subscribe({ topic, fromBeginning: commit !== undefined })
    await consumer.run({
      autoCommit: commit === undefined,
      eachMessage: async ({ partition, message }) => {
        values.push(message.value?.toString() ?? '')
        seen.set(partition, (seen.get(partition) ?? 0) + 1)
      }
    })
    await waitFor(() => values.length >= count, 60_000, { message: `kafkajs read ${count} records of ${topic}` })
    if (commit !== undefined) {
      await consumer.commitOffsets([...seen].map(([partition, n]) => ({ topic, partition, offset: String(commit(partition, n)) })))
    }
  } finally {
    await consumer.disconnect()
  }
  return values
}
