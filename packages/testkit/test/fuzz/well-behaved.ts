// The well-behaved client beside the network fuzzer: a kafkajs producer (acks=all) sending small
// batches for as long as the fuzzer runs, and a kafkajs consumer group reading them. It must never
// see a failed send, and must read back every acknowledged record.
import kafkajs from 'kafkajs'
import { waitFor } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs

export interface WellBehaved {
  /** Stops producing, waits until everything acknowledged was consumed, disconnects. */
  finish: (timeoutMs: number) => Promise<{ acknowledged: number, consumed: number, errors: string[] }>
}

export async function startWellBehaved (bootstrap: string, topic: string): Promise<WellBehaved> {
  const kafka = new Kafka({ clientId: 'fuzz-well-behaved', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true })
  await admin.disconnect()
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  const consumer = kafka.consumer({ groupId: `${topic}-group`, sessionTimeout: 30_000, heartbeatInterval: 1000 })
  await Promise.all([producer.connect(), consumer.connect()])
  await consumer.subscribe({ topic, fromBeginning: true })
  const consumed = new Set<string>()
  await consumer.run({ eachMessage: async ({ message }) => { consumed.add(message.value?.toString() ?? '') } })
  const acknowledged: string[] = []
  const errors: string[] = []
  let running = true
  const producing = (async () => {
    for (let batch = 0; running; batch++) {
      const values = Array.from({ length: 5 }, (_, i) => `${batch}-${i}`)
      try {
        await producer.send({ topic, acks: -1, messages: values.map((value) => ({ key: value, value })) })
        acknowledged.push(...values)
      } catch (err) {
        errors.push(`send ${batch}: ${String(err)}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })()
  return {
    finish: async (timeoutMs) => {
      running = false
      await producing
      try {
        await waitFor(() => acknowledged.every((v) => consumed.has(v)), timeoutMs, { message: 'every acknowledged record consumed' })
      } catch (err) {
        errors.push(String(err))
      }
      await Promise.all([producer.disconnect(), consumer.disconnect()])
      return { acknowledged: acknowledged.length, consumed: consumed.size, errors }
    }
  }
}
