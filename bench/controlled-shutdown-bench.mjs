#!/usr/bin/env node
// Controlled shutdown time of a Brook cluster (etcd + three `brook` processes on this machine):
// broker 1 leads every partition of a topic (assignment [1, 2, 3] each, RF 3, all in sync), then
// gets SIGTERM. Prints the time from SIGTERM to the process's exit, the hand-over time the broker
// logged (leaderships moved, ISRs left), and when every partition was led elsewhere as Metadata
// from the others showed it. Needs a build (npx tsc -b) and /usr/bin/etcd.
// Usage: node bench/controlled-shutdown-bench.mjs [partitions, default 1000] [off: controlled.shutdown.enable=false, to compare]
import kafkajs from 'kafkajs'
import { startTestCluster, waitFor } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
const partitions = Number(process.argv[2] ?? 1000)
const TOPIC = 'controlled-shutdown-bench'

const cluster = await startTestCluster({ overrides: { 'replica.fetch.backoff.ms': '100', 'replica.fetch.wait.max.ms': '200', 'auto.leader.rebalance.enable': 'false', 'controlled.shutdown.enable': process.argv[3] === 'off' ? 'false' : 'true' } })
try {
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 }, requestTimeout: 300_000 })
  const admin = kafka.admin()
  await admin.connect()
  const created = Date.now()
  await admin.createTopics({ timeout: 300_000, topics: [{ topic: TOPIC, replicaAssignment: Array.from({ length: partitions }, (_, partition) => ({ partition, replicas: [1, 2, 3] })) }] })
  const state = async () => (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0]?.partitions ?? []
  await waitFor(async () => { const ps = await state(); return ps.length === partitions && ps.every((p) => p.leader === 1 && p.isr.length === 3) }, 300_000, { intervalMs: 500 })
  console.log(`${partitions} partitions led by broker 1, in sync, after ${Date.now() - created} ms`)
  const proc = cluster.members.get(1).process
  const started = Date.now()
  let movedAt = null
  const watching = (async () => {
    const other = new Kafka({ brokers: [`127.0.0.1:${cluster.members.get(2).port}`], logLevel: logLevel.NOTHING }).admin()
    await other.connect()
    try {
      await waitFor(async () => {
        const ps = (await other.fetchTopicMetadata({ topics: [TOPIC] })).topics[0]?.partitions ?? []
        return ps.length === partitions && ps.every((p) => p.leader !== 1 && p.leader >= 0)
      }, 120_000, { intervalMs: 100 })
      movedAt = Date.now()
    } finally {
      await other.disconnect()
    }
  })()
  await cluster.stop(1)
  const exitMs = Date.now() - started
  await watching
  const line = proc.logs().split('\n').find((l) => l.includes('controlled shutdown: leadership handed over'))
  console.log(`SIGTERM to exit: ${exitMs} ms; every partition led elsewhere (Metadata of broker 2) after ${movedAt - started} ms`)
  console.log(`broker 1 logged: ${line ?? '(no hand-over line)'}`)
  if (process.env.BENCH_LOGS !== undefined) console.log(proc.logs().split('\n').slice(-40).join('\n'))
  await admin.disconnect()
} finally {
  await cluster.close()
}
