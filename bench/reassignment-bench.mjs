#!/usr/bin/env node
// Reassignment throughput (etcd + four `brook` processes on this machine): a partition on brokers
// [1, 2, 3] holding MB of records is reassigned to [2, 3, 4] (AlterPartitionReassignments through
// kafkajs's admin), and the time until the replica set is [2, 3, 4] (broker 4 copied the whole
// log and joined the ISR, the controller completed the move, leadership left broker 1) gives the
// bytes per second of the move. Two topics in one cluster whose brokers have both replication
// rates set: one moved without throttled replicas (unthrottled), one with the lists
// `brook cluster reassign --throttle` sets (leader side 0:1,0:2,0:3, follower side 0:4).
// Needs a build (npx tsc -b) and /usr/bin/etcd.
// Usage: node bench/reassignment-bench.mjs [MB, default 1024] [throttle bytes/s, default 50000000]
import kafkajs from 'kafkajs'
import { partitionState, startTestCluster, waitFor } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
const mb = Number(process.argv[2] ?? 1024)
const rate = Number(process.argv[3] ?? 50_000_000)
const VALUE = Buffer.alloc(10_000, 'x')
const PER_SEND = 100

const cluster = await startTestCluster({
  size: 4,
  overrides: {
    // Sessions that survive a loaded machine: a fenced broker mid-move would measure the failover.
    'broker.session.timeout.ms': '10000',
    'broker.heartbeat.interval.ms': '1000',
    'replica.lag.time.max.ms': '10000',
    'replica.fetch.backoff.ms': '100',
    'replica.fetch.wait.max.ms': '200',
    'auto.leader.rebalance.enable': 'false',
    'leader.replication.throttled.rate': String(rate),
    'follower.replication.throttled.rate': String(rate)
  }
})
try {
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } })
  const admin = kafka.admin()
  await admin.connect()
  for (const [topic, throttled] of [['reassign-unthrottled', false], ['reassign-throttled', true]]) {
    const lists = [{ name: 'leader.replication.throttled.replicas', value: '0:1,0:2,0:3' }, { name: 'follower.replication.throttled.replicas', value: '0:4' }]
    await admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }], configEntries: throttled ? lists : [] }] })
    await waitFor(async () => (await partitionState(cluster, topic))?.isr.length === 3, 60_000)
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const sends = Math.ceil(mb * 1_048_576 / (PER_SEND * VALUE.length))
    for (let i = 0; i < sends; i++) await producer.send({ topic, acks: -1, messages: Array.from({ length: PER_SEND }, () => ({ value: VALUE, partition: 0 })) })
    await producer.disconnect()
    const started = Date.now()
    await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [2, 3, 4] }] }] })
    await waitFor(async () => (await partitionState(cluster, topic))?.replicas.join() === '2,3,4', 3_600_000, { intervalMs: 100 })
    const seconds = (Date.now() - started) / 1000
    const bytes = sends * PER_SEND * VALUE.length
    console.log(`${throttled ? 'throttled' : 'unthrottled'}: ${(bytes / 1_048_576).toFixed(1)} MiB moved to broker 4 in ${seconds.toFixed(1)} s = ${(bytes / seconds / 1e6).toFixed(2)} MB/s${throttled ? ` (throttle ${(rate / 1e6).toFixed(2)} MB/s)` : ''}`)
  }
  await admin.disconnect()
} finally {
  await cluster.close()
}
