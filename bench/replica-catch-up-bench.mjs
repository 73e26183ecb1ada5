#!/usr/bin/env node
// Catch-up throughput of a replica that was down (etcd + three `brook` processes on this
// machine), with and without the leader-side replication throttle: broker 3 is killed, MB of
// records are written to a partition [1, 2, 3] with acks=all, broker 3 is restarted and the time
// until it is back in the ISR gives the bytes per second it copied. Two topics in one cluster,
// the brokers' leader.replication.throttled.rate set: one topic without throttled replicas
// (unthrottled), one with leader.replication.throttled.replicas=* (throttled). The same copy a
// partition reassignment makes: bench/reassignment-bench.mjs measures that one.
// Needs a build (npx tsc -b) and /usr/bin/etcd.
// Usage: node bench/replica-catch-up-bench.mjs [MB, default 20] [throttle bytes/s, default 5000000]
import kafkajs from 'kafkajs'
import { partitionState, startTestCluster, waitFor } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
const mb = Number(process.argv[2] ?? 20)
const rate = Number(process.argv[3] ?? 5_000_000)
const VALUE = Buffer.alloc(10_000, 'x')

const cluster = await startTestCluster({ overrides: { 'replica.lag.time.max.ms': '4000', 'replica.fetch.backoff.ms': '100', 'replica.fetch.wait.max.ms': '200', 'leader.replication.throttled.rate': String(rate) } })
try {
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } })
  const admin = kafka.admin()
  await admin.connect()
  for (const [topic, throttled] of [['catch-up-unthrottled', false], ['catch-up-throttled', true]]) {
    await admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }], configEntries: throttled ? [{ name: 'leader.replication.throttled.replicas', value: '*' }] : [] }] })
    await waitFor(async () => (await partitionState(cluster, topic))?.isr.length === 3, 60_000)
    await cluster.kill9(3)
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const sends = Math.ceil(mb * 1_000_000 / (10 * VALUE.length))
    for (let i = 0; i < sends; i++) await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, () => ({ value: VALUE })) })
    await producer.disconnect()
    await cluster.start(3)
    const started = Date.now()
    await waitFor(async () => (await partitionState(cluster, topic))?.isr.includes(3), 600_000, { intervalMs: 100 })
    const seconds = (Date.now() - started) / 1000
    const bytes = sends * 10 * VALUE.length
    console.log(`${throttled ? 'throttled' : 'unthrottled'}: ${(bytes / 1e6).toFixed(1)} MB caught up in ${seconds.toFixed(1)} s = ${(bytes / seconds / 1e6).toFixed(2)} MB/s${throttled ? ` (throttle ${(rate / 1e6).toFixed(2)} MB/s)` : ''}`)
  }
  await admin.disconnect()
} finally {
  await cluster.close()
}
