// Replication throttles: with leader.replication.throttled.rate and
// follower.replication.throttled.rate set on the brokers, a replica that was down and is out of
// the ISR catches up at the throttled rate (within 20 %), once with the topic listing the
// leader's replica in leader.replication.throttled.replicas (the leader holds the copy back), once
// with the follower's in follower.replication.throttled.replicas (the follower waits), while the
// in-sync replicas keep acknowledging acks=all writes unthrottled.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { partitionState, startTestCluster, type TestCluster, waitFor } from '@brook/testkit'
import { OPS_SETTINGS } from './helpers.js'

const { Kafka, logLevel } = kafkajs
const RATE = 300_000
const VALUE = Buffer.alloc(10_000, 'x')
const SENDS = 100 // 10 records of 10 kB each: 10 MB behind, about 33 s at the rate

async function catchUpRate (cluster: TestCluster, kafka: kafkajs.Kafka, topic: string, configs: Record<string, string>): Promise<number> {
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }], configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }]
  })
  await admin.disconnect()
  await waitFor(async () => (await partitionState(cluster, topic))?.isr.length === 3, 30_000, { message: 'ISR of 3' })
  await cluster.kill9(3)
  // Until its session expires, Metadata still lists broker 3, and kafkajs may pick it for
  // InitProducerId and fail on the refused connection.
  await waitFor(async () => (await partitionState(cluster, topic))?.offline.includes(3), 30_000, { message: 'broker 3 offline' })
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  // The first write waits until broker 3 leaves the ISR; the rest go at the in-sync pace.
  for (let i = 0; i < SENDS; i++) await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, () => ({ value: VALUE })) })
  await producer.disconnect()
  assert.deepEqual((await partitionState(cluster, topic))?.isr.sort(), [1, 2])
  await cluster.start(3)
  const started = Date.now()
  await waitFor(async () => (await partitionState(cluster, topic))?.isr.includes(3), 120_000, { intervalMs: 100, message: 'broker 3 back in the ISR' })
  const seconds = (Date.now() - started) / 1000
  const rate = SENDS * 10 * VALUE.length / seconds
  console.log(`${topic}: catch-up of ${SENDS * 10 * VALUE.length} bytes in ${seconds.toFixed(1)} s: ${Math.round(rate)} B/s (throttle ${RATE} B/s)`)
  return rate
}

test('a replica out of the ISR catches up at the leader-side, then the follower-side throttle', { timeout: 300_000 }, async () => {
  const cluster = await startTestCluster({
    overrides: { ...OPS_SETTINGS, 'leader.replication.throttled.rate': String(RATE), 'follower.replication.throttled.rate': String(RATE) }
  })
  try {
    // Bootstrapped from brokers 1 and 2 only: broker 3 is down whenever a client connects.
    const survivors = [1, 2].map((id) => `127.0.0.1:${cluster.members.get(id)?.port ?? 0}`)
    const kafka = new Kafka({ brokers: survivors, logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 500 } })
    const leaderSide = await catchUpRate(cluster, kafka, 'throttled-leader-side', { 'leader.replication.throttled.replicas': '*' })
    assert.ok(Math.abs(leaderSide - RATE) <= RATE * 0.2, `leader side: catch-up rate ${Math.round(leaderSide)} B/s is not within 20 % of ${RATE}`)
    const followerSide = await catchUpRate(cluster, kafka, 'throttled-follower-side', { 'follower.replication.throttled.replicas': '0:3' })
    assert.ok(Math.abs(followerSide - RATE) <= RATE * 0.2, `follower side: catch-up rate ${Math.round(followerSide)} B/s is not within 20 % of ${RATE}`)
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
