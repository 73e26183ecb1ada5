// Three brokers and etcd: a kafkajs consumer group commits offsets while the broker that leads its
// `__consumer_offsets` partition (its coordinator) is killed with kill -9 and stays down. The group
// finds the new coordinator (the partition's new leader), its committed offsets are all there, it
// never rewinds past one, and it goes on to consume everything written before and after the kill.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { coordinatorOf, partitionState, startTestCluster, waitFor } from '@brook/testkit'
import { CLUSTER_SETTINGS } from './history.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'coordinator-failover-group'
const GROUP = 'failover-group'
const BEFORE = 200
const AFTER = 100

test('group coordinator killed with kill -9: committed offsets survive, the group goes on without rewinding', { timeout: 110_000 }, async () => {
  const cluster = await startTestCluster({
    overrides: { ...CLUSTER_SETTINGS, 'offsets.topic.num.partitions': '3', 'min.insync.replicas': '2' }
  })
  try {
    const kafka = new Kafka({
      clientId: 'coordinator-failover',
      brokers: cluster.bootstrap.split(','),
      logLevel: process.env.KAFKAJS_DEBUG === undefined ? logLevel.NOTHING : logLevel.INFO,
      retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
      connectionTimeout: 1000,
      requestTimeout: 8000
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2, replicationFactor: 3 }] })
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3' })
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const write = async (from: number, count: number): Promise<void> => {
      for (let i = from; i < from + count; i += 20) {
        await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: Math.min(20, from + count - i) }, (_, k) => ({ key: `k-${i + k}`, value: `v-${i + k}` })) })
      }
    }
    await write(0, BEFORE)

    // What the consumer received, when, and what the coordinator acknowledged as committed.
    const received: Array<{ partition: number, offset: number, value: string, afterKill: boolean }> = []
    const committed = new Map<number, number>()
    let killed = false
    // kafkajs keeps heartbeating the coordinator it found until its retries run out; then the
    // consumer restarts and looks the coordinator up again (few retries: that comes soon).
    const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 10_000, heartbeatInterval: 500, retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 500 } })
    consumer.on(consumer.events.COMMIT_OFFSETS, (event) => {
      for (const t of event.payload.topics) {
        for (const p of t.partitions) {
          const partition = Number(p.partition)
          const offset = Number(p.offset)
          if (offset > (committed.get(partition) ?? -1)) committed.set(partition, offset)
        }
      }
    })
    await consumer.connect()
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
    await consumer.run({
      autoCommitThreshold: 5,
      eachMessage: async ({ partition, message }) => {
        received.push({ partition, offset: Number(message.offset), value: message.value?.toString() ?? '', afterKill: killed })
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    })
    await waitFor(() => received.length >= BEFORE / 2 && committed.size > 0, 60_000, { message: 'the group consumed and committed' })

    const coordinator = await coordinatorOf(cluster, GROUP)
    assert.ok(coordinator > 0, 'the group has a coordinator')
    const committedAtKill = new Map(committed)
    killed = true
    await cluster.kill9(coordinator)
    await waitFor(async () => {
      const now = await coordinatorOf(cluster, GROUP)
      return now > 0 && now !== coordinator
    }, 30_000, { message: 'a new coordinator' })
    await write(BEFORE, AFTER)

    const all = new Set(Array.from({ length: BEFORE + AFTER }, (_, i) => `v-${i}`))
    await waitFor(() => {
      for (const r of received) all.delete(r.value)
      return all.size === 0
    }, 60_000, { message: `the group consumed everything (${all.size} left)` })
    // Offsets committed after the failover reach the end of every partition.
    const ends = new Map((await admin.fetchTopicOffsets(TOPIC)).map((o) => [o.partition, Number(o.high)]))
    await waitFor(() => [...ends].every(([p, end]) => (committed.get(p) ?? -1) >= end), 30_000, { message: 'commits reach the end after the failover' })
    await consumer.disconnect()

    for (const [partition, offset] of committedAtKill) {
      // Nothing committed before the kill was lost: the new coordinator's offsets are at least there.
      const now = (await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] }))[0]?.partitions.find((p) => p.partition === partition)
      assert.ok(now !== undefined && Number(now.offset) >= offset, `partition ${partition}: committed ${offset} before the kill, ${now?.offset} after`)
      // No rewind: after the kill the group never consumed below an offset committed before it.
      const rewound = received.filter((r) => r.afterKill && r.partition === partition && r.offset < offset)
      assert.equal(rewound.length, 0, `partition ${partition}: consumed ${rewound.map((r) => r.offset).join(',')} again after committing ${offset}`)
    }
    assert.ok(received.some((r) => r.afterKill), 'the group consumed after the kill')
    await producer.disconnect()
    await admin.disconnect()
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
