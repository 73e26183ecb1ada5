#!/usr/bin/env node
// Failover time of a Brook cluster (etcd + three `brook` processes on this machine, Brook's
// default session settings): from kill -9 of a partition's leader to the first acks=all produce
// acknowledged by the new leader, with an idempotent kafkajs producer writing one message at a
// time throughout. Two cases: the killed broker restarted at once (its new incarnation fences the
// old one immediately, once the new process has started) and left down (its session must expire
// first). The sample is the first message sent after the kill, so it includes that message's
// wait behind the one in flight. Prints each sample and the
// median and max per case. Each sample is split in two: kill -> a broker's Metadata names the new
// leader (session expiry or fencing, the controller's election, the store's watch to the brokers),
// and that -> the acknowledgement (the client's metadata refresh and retry, the produce itself).
// Needs a build (npx tsc -b) and /usr/bin/etcd.
// Usage: node bench/failover-bench.mjs [rounds per case, default 10]
import { loadavg } from 'node:os'
import kafkajs from 'kafkajs'
import { partitionState, startTestCluster, waitFor } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
const rounds = Number(process.argv[2] ?? 10)
const TOPIC = 'failover-bench'

const cluster = await startTestCluster({ overrides: { 'replica.fetch.backoff.ms': '100', 'replica.fetch.wait.max.ms': '200' } })
try {
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 100, initialRetryTime: 50, maxRetryTime: 200 }, connectionTimeout: 500, requestTimeout: 3000 })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] })
  await admin.disconnect()
  await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000)
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const acks = []
  let stop = false
  const writing = (async () => {
    for (let i = 0; !stop; i++) {
      const sent = Date.now()
      try {
        await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: `b-${i}` }] })
        acks.push({ sent, acked: Date.now() })
      } catch (err) {
        console.error(`send failed: ${err.message}`)
      }
    }
  })()
  const results = { restarted: [], down: [] }
  const split = { restarted: [], down: [] }
  for (const mode of ['restarted', 'down']) {
    for (let r = 0; r < rounds; r++) {
      await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 30_000)
      const before = acks.length
      await waitFor(() => acks.length >= before + 20, 30_000)
      const state = await partitionState(cluster, TOPIC)
      const killedAt = Date.now()
      await cluster.kill9(state.leader)
      // Polled while the killed broker restarts: when the surviving brokers name a new leader.
      const elected = waitFor(async () => {
        const now = await partitionState(cluster, TOPIC)
        return now !== null && now.leader > 0 && now.leaderEpoch > state.leaderEpoch ? Date.now() : false
      }, 30_000, { intervalMs: 20 })
      if (mode === 'restarted') await cluster.start(state.leader)
      const electedAt = await elected
      // The first message sent after the kill: one in flight at the kill may have been answered by
      // the dying leader.
      const first = await waitFor(() => acks.find((a) => a.sent > killedAt), 30_000)
      const ms = first.acked - killedAt
      results[mode].push(ms)
      split[mode].push(electedAt - killedAt)
      console.log(`${mode} #${r + 1}: ${ms} ms (new leader named after ${electedAt - killedAt} ms; killed ${state.leader}, epoch ${state.leaderEpoch})`)
      if (mode === 'down') await cluster.start(state.leader)
    }
  }
  stop = true
  await writing
  await producer.disconnect()
  for (const [mode, list] of Object.entries(results)) {
    const sorted = [...list].sort((a, b) => a - b)
    const named = [...split[mode]].sort((a, b) => a - b)
    console.log(`${mode}: median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted[sorted.length - 1]} ms over ${sorted.length}; new leader named: median ${named[Math.floor(named.length / 2)]} ms, max ${named[named.length - 1]} ms`)
  }
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
} finally {
  await cluster.close()
}
