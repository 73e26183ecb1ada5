// Partition reassignment (AlterPartitionReassignments / ListPartitionReassignments through
// kafkajs's admin) on four brokers and etcd: a partition written to continuously by an idempotent
// acks=all producer, with a consumer reading it, moves from brokers {1,2,3} to {2,3,4} under
// replication throttles (as kafka-reassign-partitions --throttle sets them). Broker 4 catches up
// no faster than the throttle (+20 %), leadership leaves broker 1, broker 1 deletes its log, and
// every acknowledged record is read exactly once; DescribeLogDirs from every broker shows where
// the replicas are, and AlterReplicaLogDirs moves the new leader's replica to its other log dir
// while the producer writes. Then `brook cluster reassign` generates,
// executes (throttled to a standstill), verifies and cancels a move of another partition.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import kafkajs from 'kafkajs'
import { writeFile } from 'node:fs/promises'
import { Client } from '@brook/client'
import { alterPartitionReassignmentsApi, alterReplicaLogDirsApi, describeLogDirsApi, ErrorCode } from '@brook/protocol'
import { controllerOf, partitionState, requestTo, startTestCluster, tempDir, type TempDir, waitFor } from '@brook/testkit'
import { OPS_SETTINGS } from './helpers.js'
import { brook, brookJson, brookOk } from '../cli/brook.js'

const { Kafka, logLevel } = kafkajs
const RATE = 1_000_000
const VALUE = Buffer.alloc(10_000, 'x')
const PREFILL_SENDS = 20 // 10 records of 10 kB each: 2 MB for broker 4 to copy, about 2 s at the rate
const TOPIC = 'moving'

test('a partition written to continuously moves from {1,2,3} to {2,3,4} under a throttle: nothing lost or duplicated', { timeout: 240_000 }, async () => {
  // Broker 2, the leader after the move, has two log dirs: AlterReplicaLogDirs moves its replica.
  const dirsOf2 = [await tempDir('brook-reassign-2a-'), await tempDir('brook-reassign-2b-')]
  const cluster = await startTestCluster({
    size: 4,
    memberOverrides: (id): Record<string, string> => id === 2 ? { 'log.dirs': dirsOf2.map((d) => d.path).join(',') } : {},
    overrides: {
      ...OPS_SETTINGS,
      // Four brokers on a loaded 2-core box: a missed heartbeat must not fence a broker mid-move.
      'broker.session.timeout.ms': '10000',
      'broker.heartbeat.interval.ms': '1000',
      'leader.replication.throttled.rate': String(RATE),
      'follower.replication.throttled.rate': String(RATE),
      // One 100 kB batch per follower fetch: the copy goes in steps of a fifth of a second of the
      // rate, so the measured rate is not lumped into a few 1 MiB fetches.
      'replica.fetch.max.bytes': '65536'
    }
  })
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } })
  const admin = kafka.admin()
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  const consumer = kafka.consumer({ groupId: 'moving-reader', maxWaitTimeInMs: 200, sessionTimeout: 10_000, heartbeatInterval: 500 })
  let writing = true
  try {
    await admin.connect()
    await admin.createTopics({
      topics: [{
        topic: TOPIC,
        replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }],
        // What kafka-reassign-partitions --throttle sets: the copies from the current replicas, to the new one.
        configEntries: [{ name: 'leader.replication.throttled.replicas', value: '0:1,0:2,0:3' }, { name: 'follower.replication.throttled.replicas', value: '0:4' }]
      }]
    })
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 30_000, { message: 'ISR of 3' })
    await producer.connect()
    let seq = 0
    const acked: string[] = []
    for (let i = 0; i < PREFILL_SENDS; i++) {
      const keys = Array.from({ length: 10 }, () => String(seq++))
      await producer.send({ topic: TOPIC, acks: -1, messages: keys.map((key) => ({ key, value: VALUE, partition: 0 })) })
      acked.push(...keys)
    }
    const received: string[] = []
    await consumer.connect()
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => { received.push(message.key?.toString() ?? '') } })
    // One small record at a time, each acknowledged before the next (one partition per send: see
    // the kafkajs multi-partition note in the controlled-shutdown test).
    const writer = (async () => {
      while (writing) {
        const key = String(seq++)
        await producer.send({ topic: TOPIC, acks: -1, messages: [{ key, value: 'live', partition: 0 }] })
        acked.push(key)
      }
    })()

    const logBytes = (id: number): number => {
      const dir = join(cluster.members.get(id)?.dataDir ?? '', `${TOPIC}-0`)
      return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.log')).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0) : 0
    }
    const prefilled = logBytes(1)
    const started = Date.now()
    await admin.alterPartitionReassignments({ topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 0, replicas: [2, 3, 4] }] }] })
    const listed = await admin.listPartitionReassignments({ topics: [{ topic: TOPIC, partitions: [0] }] })
    // kafkajs 2.2.4 answers { name, partitions: [{ partition, ... }] } whatever its typings say.
    assert.deepEqual(JSON.parse(JSON.stringify(listed.topics)), [{
      name: TOPIC, partitions: [{ partition: 0, replicas: [2, 3, 4, 1], addingReplicas: [4], removingReplicas: [1] }]
    }])
    await assert.rejects(admin.alterPartitionReassignments({ topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 0, replicas: [2, 9] }] }] }),
      (err: unknown) => {
        assert.deepEqual(((err as { errors?: Array<{ type?: string }> }).errors ?? []).map((e) => e.type), ['INVALID_REPLICA_ASSIGNMENT'])
        return true
      })
    // A broker that is not the controller forwards the request to it.
    const controller = await controllerOf(cluster)
    const other = [...cluster.members.values()].find((m) => m.id !== controller)
    const forwarded = await requestTo(other?.port ?? 0, alterPartitionReassignmentsApi, 0,
      { timeoutMs: 10_000, topics: [{ name: 'no-such-topic', partitions: [{ partitionIndex: 0, replicas: [1] }] }] }, 15_000)
    assert.deepEqual(forwarded.responses.flatMap((t) => t.partitions.map((p) => [t.name, p.errorCode])), [['no-such-topic', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
    // The catch-up rate: until broker 4's log holds what was written before the move.
    await waitFor(() => logBytes(4) >= prefilled, 120_000, { intervalMs: 50, message: 'broker 4 copied the log' })
    const seconds = (Date.now() - started) / 1000
    const rate = prefilled / seconds
    console.log(`reassignment: ${prefilled} bytes copied to broker 4 in ${seconds.toFixed(1)} s: ${Math.round(rate)} B/s (throttle ${RATE} B/s)`)
    const moved = await waitFor(async () => {
      const s = await partitionState(cluster, TOPIC)
      return s !== null && s.replicas.join() === '2,3,4' ? s : null
    }, 120_000, { intervalMs: 100, message: 'replicas {2,3,4}' })
    assert.ok(moved.leader === 2 || moved.leader === 3 || moved.leader === 4, `leadership left broker 1: ${JSON.stringify(moved)}`)
    assert.deepEqual([...moved.isr].sort(), [2, 3, 4])
    // The throttle holds the copy down (unthrottled it runs at many times the rate). How close to
    // the rate it gets depends on the machine's load: bench/reassignment-bench.mjs measures that.
    assert.ok(rate <= RATE * 1.2, `catch-up rate ${Math.round(rate)} B/s is above the throttle ${RATE} by more than 20 %`)
    assert.deepEqual((await admin.listPartitionReassignments({})).topics, [])
    const dir = (id: number): string => join(cluster.members.get(id)?.dataDir ?? '', `${TOPIC}-0`)
    await waitFor(() => !existsSync(dir(1)), 30_000, { message: 'broker 1 deleted its log' })
    assert.ok(existsSync(dir(4)), 'broker 4 has the log')
    // DescribeLogDirs gathered from every broker (Brook's admin): each answers for its own replicas.
    const brookAdmin = new Client({ brokers: cluster.bootstrap.split(',') }).admin()
    try {
      const dirs = await brookAdmin.describeLogDirs({ partitions: [{ topic: TOPIC, partitions: [0] }] })
      const holders = dirs.filter((d) => d.replicas.some((r) => r.topic === TOPIC && r.partition === 0 && r.size > 0n)).map((d) => d.brokerId)
      assert.deepEqual([[...new Set(dirs.map((d) => d.brokerId))], holders], [[1, 2, 3, 4], [2, 3, 4]])
    } finally {
      await brookAdmin.close()
    }

    // The leader's replica moves to its other log dir while the producer writes.
    const [, second] = dirsOf2 as [TempDir, TempDir]
    const logDirOn2 = async (): Promise<string | undefined> => (await requestTo(cluster.members.get(2)?.port ?? 0, describeLogDirsApi, 4,
      { topics: [{ topic: TOPIC, partitions: [0] }] })).results.find((d) => d.topics.some((t) => t.name === TOPIC && t.partitions.length > 0))?.logDir
    const before = await logDirOn2()
    assert.ok(before !== undefined && before !== second.path, `broker 2 holds the replica in its first dir: ${String(before)}`)
    const altered = await requestTo(cluster.members.get(2)?.port ?? 0, alterReplicaLogDirsApi, 2,
      { dirs: [{ path: second.path, topics: [{ name: TOPIC, partitions: [0] }] }] }, 30_000)
    assert.deepEqual(altered.results.flatMap((t) => t.partitions.map((p) => p.errorCode)), [ErrorCode.NONE])
    assert.equal(await logDirOn2(), second.path)

    // The producer goes on at the new leader, then stops; the consumer reads everything once.
    const after = acked.length
    await waitFor(() => acked.length >= after + 20, 60_000, { message: 'writes acknowledged by the new leader' })
    writing = false
    await writer
    await waitFor(() => received.length >= acked.length, 60_000, { message: `consumer read ${acked.length} records` })
    const counts = new Map<string, number>()
    for (const key of received) counts.set(key, (counts.get(key) ?? 0) + 1)
    assert.deepEqual([...counts].filter(([, n]) => n > 1), [], 'no record read twice')
    assert.deepEqual(acked.filter((key) => !counts.has(key)), [], 'no acknowledged record lost')

    // The CLI, as kafka-reassign-partitions: generate a plan onto {3,4}, execute it with a throttle
    // so low that broker 4 cannot catch up, see it in progress, cancel it: back to {1,2}.
    await admin.createTopics({ topics: [{ topic: 'moving-cli', replicaAssignment: [{ partition: 0, replicas: [1, 2] }] }] })
    await waitFor(async () => (await partitionState(cluster, 'moving-cli'))?.isr.length === 2, 30_000, { message: 'ISR of 2' })
    for (let i = 0; i < 3; i++) await producer.send({ topic: 'moving-cli', acks: -1, messages: [{ value: VALUE, partition: 0 }] })
    const files = await tempDir('brook-reassign-')
    try {
      const topicsFile = join(files.path, 'topics.json')
      const planFile = join(files.path, 'plan.json')
      await writeFile(topicsFile, JSON.stringify({ topics: [{ topic: 'moving-cli' }] }))
      const generated = await brookOk(['cluster', 'reassign', '--generate', '--topics-to-move-json-file', topicsFile, '--broker-list', '3,4', '-b', cluster.bootstrap])
      assert.deepEqual(JSON.parse(generated.out), { version: 1, partitions: [{ topic: 'moving-cli', partition: 0, replicas: [3, 4] }] })
      await writeFile(planFile, generated.out)
      const executed = await brookJson<{ current: unknown, results: Array<{ result: string }> }>(
        ['cluster', 'reassign', '--execute', '--reassignment-json-file', planFile, '--throttle', '1', '-b', cluster.bootstrap])
      assert.deepEqual(executed.current, { version: 1, partitions: [{ topic: 'moving-cli', partition: 0, replicas: [1, 2] }] })
      assert.deepEqual(executed.results.map((r) => r.result), ['started'])
      const progress = await brookJson<Array<{ state: string, replicas: number[] }>>(['cluster', 'reassign', '--verify', '--reassignment-json-file', planFile, '-b', cluster.bootstrap])
      assert.deepEqual(progress.map((p) => [p.state, p.replicas]), [['in progress', [3, 4, 1, 2]]])
      const cancelled = await brookJson<Array<{ result: string }>>(['cluster', 'reassign', '--cancel', '--reassignment-json-file', planFile, '-b', cluster.bootstrap])
      assert.deepEqual(cancelled.map((r) => r.result), ['cancelled'])
      await waitFor(async () => (await partitionState(cluster, 'moving-cli'))?.replicas.join() === '1,2', 20_000, { message: 'back on {1,2}' })
      const again = await brook(['cluster', 'reassign', '--cancel', '--reassignment-json-file', planFile, '-b', cluster.bootstrap])
      assert.match(again.out, /NO_REASSIGNMENT_IN_PROGRESS/)
      assert.equal(again.code, 0, again.stderr)
      const off = await brook(['cluster', 'reassign', '--verify', '--reassignment-json-file', planFile, '-b', cluster.bootstrap])
      assert.equal(off.code, 1, 'the plan was cancelled: not as planned')
      await waitFor(() => !existsSync(join(cluster.members.get(4)?.dataDir ?? '', 'moving-cli-0')), 30_000, { message: 'broker 4 dropped the cancelled replica' })
    } finally {
      await files.cleanup()
    }
  } catch (err) {
    throw new Error(`${(err as Error).stack ?? String(err)}\n${cluster.logs()}`, { cause: err })
  } finally {
    writing = false
    await consumer.disconnect().catch(() => { /* the cluster closes anyway */ })
    await producer.disconnect().catch(() => { /* the cluster closes anyway */ })
    await admin.disconnect().catch(() => { /* the cluster closes anyway */ })
    await cluster.close()
    for (const d of dirsOf2) await d.cleanup()
  }
})
