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
    const ackLog: string[] = []
    let writing = true
    let seq = 0
    const writer = (async () => {
      while (writing) {
        // One partition per send: kafkajs drops the messages of a partition whose leader moved
        // during a send to a broker that had already answered that send for another partition.
        const partition = seq % PARTITIONS
        const batch = Array.from({ length: 10 }, () => `m-${seq++}`)
        try {
          const meta = await producer.send({ topic: TOPIC, acks: -1, messages: batch.map((value) => ({ partition, value })) })
          if (meta.length !== 1 || meta[0]?.partition !== partition) throw new Error(`acknowledged as ${JSON.stringify(meta)}`)
          acked.push(...batch)
          ackLog.push(`${batch[0] ?? ''}..: ${meta.map((m) => `p${m.partition}@${m.baseOffset ?? '?'}`).join(' ')} at ${Date.now()}`)
        } catch (err) {
          failures.push(`send: ${(err as Error).message}`)
        }
      }
    })()

    const received = new Set<string>()
    const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 10_000, heartbeatInterval: 500, retry: { retries: 50, initialRetryTime: 100, maxRetryTime: 500 } })
    // kafkajs restarts a consumer whose connection to a broker that went away keeps failing
    // (restart: true): that is its retry, counted apart; any other crash is a failure.
    const restarts: string[] = []
    let stoppedPort = -1
    consumer.on(consumer.events.CRASH, (event) => {
      const message = String(event.payload.error)
      const retried = event.payload.restart && message.includes(`127.0.0.1:${stoppedPort}`)
      ;(retried ? restarts : failures).push(`consumer crash (restart ${String(event.payload.restart)}): ${message}`)
    })
    await consumer.connect()
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => { received.add(message.value?.toString() ?? '') } })
    await waitFor(() => received.size >= 100, 60_000, { message: 'the group consumes' })

    const victim = await waitFor(async () => { const id = await coordinatorOf(cluster, GROUP); return id > 0 ? id : null }, 20_000, { message: 'the group coordinator' })
    const member = cluster.members.get(victim)
    const proc = member?.process
    assert.ok(proc !== undefined && proc !== null)
    stoppedPort = member?.port ?? -1
    const started = Date.now()
    const exitCode = await proc.stop()
    const stopMs = Date.now() - started
    if (member !== undefined) member.process = null
    assert.equal(exitCode, 0, 'the broker exited by itself after SIGTERM')
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
    // The log first: every acknowledged record exactly once.
    const inLog = await kcatConsumeAll(cluster.bootstrap, TOPIC, 60_000)
    const where = new Map<string, string>()
    const counts = new Map<string, number>()
    for (const m of inLog) {
      const v = m.payload ?? ''
      counts.set(v, (counts.get(v) ?? 0) + 1)
      where.set(v, `${m.partition}@${m.offset}`)
    }
    const lost = acked.filter((v) => counts.get(v) === undefined)
    if (lost.length > 0) {
      const first = Number((lost[0] ?? 'm-0').slice(2))
      const around = ackLog.filter((l) => Math.abs(Number(l.slice(2, l.indexOf('.'))) - first) <= 30)
      const neighbours = [...where].filter(([v]) => Math.abs(Number(v.slice(2)) - first) <= 12).map(([v, at]) => `${v}=${at}`)
      assert.fail(`acknowledged records missing from the log: ${lost.join(', ')}\nacks: ${around.join('\n')}\nin the log: ${neighbours.join(' ')}`)
    }
    assert.deepEqual([...counts].filter(([, n]) => n > 1), [], 'no record twice')
    try {
      await waitFor(() => acked.every((v) => received.has(v)), 60_000, { message: 'the group received every acknowledged record' })
    } catch (err) {
      const missing = acked.filter((v) => !received.has(v))
      throw new Error(`${(err as Error).message}: ${missing.length} of ${acked.length} missing: ${missing.slice(0, 20).map((v) => `${v} (${where.get(v) ?? '?'})`).join(', ')}`)
    }
    await consumer.disconnect()
    assert.deepEqual(failures, [], 'no request failed that the clients did not retry')
    console.log(`controlled shutdown of broker ${victim}: ${stopMs} ms (SIGTERM to exit), ${JSON.stringify(summary)}, ${acked.length} records acknowledged; consumer restarts: ${JSON.stringify(restarts)}`)
  } catch (err) {
    throw new Error(`${(err as Error).message}\nfailures: ${JSON.stringify(failures)}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
