#!/usr/bin/env node
// One fault of the cluster-faults campaign on its own, made to show whether ISR lag tracking is
// immune to wall-clock steps: a partition's leader has its wall clock stepped back by ten minutes
// (libfaketime, its monotonic clock untouched, as an NTP step), then the link between it and one
// follower is cut for 15 s while both keep their etcd sessions. The follower stops fetching, so
// after replica.lag.time.max.ms (4 s here) the leader must drop it from the ISR and acks=all
// writes go on with the other follower. A leader that measured lag on the wall clock would see
// the follower as caught up "in the future" and keep it, and every acks=all write would wait for
// the whole cut. Prints the longest gap between acknowledgements during the cut and the ISR the
// brokers reported; exits 1 when the ISR did not shrink or writes stalled past 10 s.
// Needs root (network namespaces), a build, /usr/bin/etcd and Debian's libfaketime.
// Usage: node bench/reliability/cluster-faults-clock-step.mjs [step seconds, default -600]
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import kafkajs from 'kafkajs'
import { createNamespaceNetwork, partitionState, startTestCluster, tempDir, waitFor } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1'
const TOPIC = 'clock-step'
const step = Number(process.argv[2] ?? -600)

const net = createNamespaceNetwork(['etcd', 'b1', 'b2', 'b3'])
const scratch = await tempDir('brook-clock-step-')
const clockFile = (id) => join(scratch.path, `clock-b${id}`)
for (const id of [1, 2, 3]) await writeFile(clockFile(id), '+0')
const cluster = await startTestCluster({
  overrides: { 'replica.lag.time.max.ms': '4000', 'replica.fetch.backoff.ms': '100', 'replica.fetch.wait.max.ms': '200', 'auto.create.topics.enable': 'false' },
  memberHost: (id) => net.ip(`b${id}`),
  memberCommand: (id) => net.command(`b${id}`),
  memberEnv: (id) => ({ LD_PRELOAD: LIBFAKETIME, FAKETIME_TIMESTAMP_FILE: clockFile(id), FAKETIME_CACHE_DURATION: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' }),
  etcd: { host: net.ip('etcd'), command: net.command('etcd') },
  // Brokers start slowly on a machine shared with other heavy work; a start is not a fault.
  startTimeoutMs: 180_000
})
let failed = true
try {
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 }, connectionTimeout: 1000, requestTimeout: 30_000 })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }], configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] })
  await admin.disconnect()
  await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 30_000, { message: 'ISR of 3' })
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const acks = []
  let stop = false
  const writing = (async () => {
    for (let i = 0; !stop; i++) {
      try {
        await producer.send({ topic: TOPIC, acks: -1, timeout: 30_000, messages: [{ value: `k-${i}` }] })
        acks.push(Date.now())
      } catch {
        // Not acknowledged; the gap measure below is what counts.
      }
    }
  })()
  await waitFor(() => acks.length >= 5, 30_000)
  await writeFile(clockFile(1), step >= 0 ? `+${step}` : `${step}`)
  await sleep(3000)
  await waitFor(() => acks.length >= 10, 30_000, { message: 'writes after the clock step' })
  const cutAt = Date.now()
  net.cut('b1', 'b3')
  const isrs = new Set()
  while (Date.now() - cutAt < 15_000) {
    const s = await partitionState(cluster, TOPIC)
    if (s !== null) isrs.add(s.isr.join(','))
    await sleep(500)
  }
  net.healAll()
  const during = acks.filter((t) => t >= cutAt)
  let gap = 0
  let previous = cutAt
  for (const t of during) { gap = Math.max(gap, t - previous); previous = t }
  gap = Math.max(gap, cutAt + 15_000 - previous)
  stop = true
  await writing
  await producer.disconnect()
  const shrank = [...isrs].some((isr) => !isr.includes('3'))
  console.log(`clock of the leader stepped by ${step} s; link 1-3 cut 15 s: ${during.length} writes acknowledged during the cut, longest gap ${gap} ms; ISRs seen: ${[...isrs].join(' | ')}`)
  failed = !shrank || gap > 10_000
  console.log(failed ? 'RESULT: FAIL (the follower cut off was kept in the ISR)' : 'RESULT: PASS')
} finally {
  await cluster.close()
  await scratch.cleanup()
  net.close()
}
process.exit(failed ? 1 : 0)
