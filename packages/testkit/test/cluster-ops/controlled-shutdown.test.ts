// Controlled shutdown: SIGTERM to the broker that leads partitions of a topic and coordinates the
// consumer group reading it, while an idempotent acks=all kafkajs producer writes and the group
// consumes. The broker hands its leaderships (and with them the group coordinator) to the others
// before it exits: no send fails, the consumer never crashes, every acknowledged record is in the
// log exactly once and reaches the group. After the restart, the controller's automatic
// rebalance puts leadership back on the preferred replicas.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { coordinatorOf, kcatConsumeAll, startTestCluster, waitFor } from '@brook/testkit'
import { OPS_SETTINGS, onPreferred, waitForPartitions } from './helpers.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'controlled-shutdown'
const GROUP = 'controlled-shutdown-group'
const PARTITIONS = 3

test('SIGTERM moves leadership and the coordinator away first; clients see no failure; rebalance after restart', { timeout: 240_000 }, async () => {
  const cluster = await startTestCluster({
    overrides: {
      ...OPS_SETTINGS,
      'offsets.topic.num.partitions': '3',
      'min.insync.replicas': '2',
      'auto.leader.rebalance.enable': 'true',
      'leader.imbalance.check.interval.seconds': '1',
      'leader.imbalance.per.broker.percentage': '0'
    }
  })
  const failures: string[] = []
  try {
    const kafka = new Kafka({
      clientId: 'controlled-shutdown',
      brokers: cluster.bootstrap.split(','),
      logLevel: logLevel.NOTHING,
      retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
      connectionTimeout: 2000,
      requestTimeout: 10_000
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }] })
    await admin.disconnect()
    await waitForPartitions(cluster, TOPIC, PARTITIONS, (s) => s.isr.length === 3 && onPreferred(s), 'in sync on preferred leaders')

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const acked: string[] = []
    let writing = true
    let seq = 0
    const writer = (async () => {
      while (writing) {
        const batch = Array.from({ length: 10 }, () => `m-${seq++}`)
        try {
          await producer.send({ topic: TOPIC, acks: -1, messages: batch.map((value) => ({ key: value, value })) })
          acked.push(...batch)
        } catch (err) {
          failures.push(`send: ${(err as Error).message}`)
        }
      }
    })()

    const received = new Set<string>()
    const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 10_000, heartbeatInterval: 500 })
    consumer.on(consumer.events.CRASH, (event) => { failures.push(`consumer crash: ${String(event.payload.error)}`) })
    await consumer.connect()
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => { received.add(message.value?.toString() ?? '') } })
    await waitFor(() => received.size >= 100, 60_000, { message: 'the group consumes' })

    const victim = await waitFor(async () => { const id = await coordinatorOf(cluster, GROUP); return id > 0 ? id : null }, 20_000, { message: 'the group coordinator' })
    const member = cluster.members.get(victim)
    const proc = member?.process
    assert.ok(proc !== undefined && proc !== null)
    const started = Date.now()
    await cluster.stop(victim)
    const stopMs = Date.now() - started
    const logs = proc.logs()
    assert.match(logs, /controlled shutdown: leadership handed over/, 'the broker handed over before it stopped')
    const handed = logs.split('\n').find((l) => l.includes('controlled shutdown: leadership handed over')) ?? ''
    const summary = JSON.parse(handed) as { moved: number, leftIsr: number, stranded: number }
    // The victim coordinated the group (a __consumer_offsets leader) and led one partition of the topic.
    assert.ok(summary.moved >= 2, handed)
    assert.equal(summary.stranded, 0, handed)
    await waitFor(async () => { const id = await coordinatorOf(cluster, GROUP); return id > 0 && id !== victim }, 20_000, { message: 'a new coordinator' })

    // Writing and reading go on while it is down, and after it is back.
    const atStop = acked.length
    await waitFor(() => acked.length >= atStop + 100, 60_000, { message: 'writes go on without the broker' })
    await cluster.start(victim)
    await waitForPartitions(cluster, TOPIC, PARTITIONS, (s) => s.isr.length === 3 && onPreferred(s), 'back on preferred leaders (auto rebalance)', 60_000)
    const atRestart = acked.length
    await waitFor(() => acked.length >= atRestart + 100, 60_000, { message: 'writes go on after the restart' })
    writing = false
    await writer
    await producer.disconnect()
    await waitFor(() => acked.every((v) => received.has(v)), 60_000, { message: 'the group received every acknowledged record' })
    await consumer.disconnect()

    assert.deepEqual(failures, [], 'no request failed that the clients did not retry')
    const inLog = (await kcatConsumeAll(cluster.bootstrap, TOPIC, 60_000)).map((m) => m.payload ?? '')
    const counts = new Map<string, number>()
    for (const v of inLog) counts.set(v, (counts.get(v) ?? 0) + 1)
    const missing = acked.filter((v) => counts.get(v) === undefined)
    const duplicated = [...counts].filter(([, n]) => n > 1)
    assert.deepEqual(missing, [], 'every acknowledged record is in the log')
    assert.deepEqual(duplicated, [], 'no record twice')
    console.log(`controlled shutdown of broker ${victim}: ${stopMs} ms (SIGTERM to exit), ${JSON.stringify(summary)}, ${acked.length} records acknowledged`)
  } catch (err) {
    throw new Error(`${(err as Error).message}\nfailures: ${JSON.stringify(failures)}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
