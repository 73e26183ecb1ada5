// Leader-side replication throttle: with leader.replication.throttled.rate set on the brokers and
// the topic's leader.replication.throttled.replicas = *, a replica that was down and is out of
// the ISR catches up at the throttled rate (within 20 %), while the in-sync replicas keep
// acknowledging acks=all writes unthrottled.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { partitionState, startTestCluster, waitFor } from '@brook/testkit'
import { OPS_SETTINGS } from './helpers.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'throttled-catch-up'
const RATE = Number(process.env.THROTTLE_RATE ?? 300_000)
const VALUE = Buffer.alloc(10_000, 'x')
const SENDS = Number(process.env.THROTTLE_SENDS ?? 100) // 10 records of 10 kB each: 10 MB behind, about 33 s at the rate

test('a replica out of the ISR catches up at leader.replication.throttled.rate', { timeout: 240_000 }, async () => {
  const cluster = await startTestCluster({ overrides: { ...OPS_SETTINGS, 'leader.replication.throttled.rate': String(RATE) } })
  try {
    const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 500 } })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({
      topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }], configEntries: [{ name: 'leader.replication.throttled.replicas', value: '*' }] }]
    })
    await admin.disconnect()
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 30_000, { message: 'ISR of 3' })

    await cluster.kill9(3)
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    // The first write waits until broker 3 leaves the ISR; the rest go at the in-sync pace.
    for (let i = 0; i < SENDS / 10; i++) {
      await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 10 }, () => ({ value: VALUE })) })
    }
    const written = Date.now()
    for (let i = SENDS / 10; i < SENDS; i++) {
      await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 10 }, () => ({ value: VALUE })) })
    }
    const unthrottledRate = (SENDS - SENDS / 10) * 10 * VALUE.length / ((Date.now() - written) / 1000)
    await producer.disconnect()
    assert.deepEqual((await partitionState(cluster, TOPIC))?.isr.sort(), [1, 2])

    await cluster.start(3)
    const started = Date.now()
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.includes(3), 120_000, { intervalMs: 100, message: 'broker 3 back in the ISR' })
    const seconds = (Date.now() - started) / 1000
    const rate = SENDS * 10 * VALUE.length / seconds
    console.log(`catch-up of ${SENDS * 10 * VALUE.length} bytes in ${seconds.toFixed(1)} s: ${Math.round(rate)} B/s (throttle ${RATE} B/s); in-sync writes went at ${Math.round(unthrottledRate)} B/s`)
    assert.ok(Math.abs(rate - RATE) <= RATE * 0.2, `catch-up rate ${Math.round(rate)} B/s is not within 20 % of ${RATE}`)
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
