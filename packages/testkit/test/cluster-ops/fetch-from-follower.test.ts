// Fetch from the closest replica (KIP-392): brokers in racks a, b and c, the leader in rack a set
// with Kafka's RackAwareReplicaSelector. A librdkafka consumer with client.rack=b is sent by the
// leader to the follower in rack b and reads there (that broker logs serving consumer fetches as
// a follower), exactly the acknowledged records in order. A follower never serves past its high
// watermark: records a follower holds that are not committed yet (the ISR is waiting for a
// stopped follower) are not returned by it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { ErrorCode, fetchApi } from '@brook/protocol'
import { assertSucceeded, fixturePath, partitionState, requestTo, runPython, startTestCluster, waitFor } from '@brook/testkit'
import { OPS_SETTINGS } from './helpers.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'closest-replica'
const RACKS: Record<number, string> = { 1: 'a', 2: 'b', 3: 'c' }
const COUNT = 200

test('a consumer in rack b reads from the follower in rack b, never past the high watermark', { timeout: 180_000 }, async () => {
  const cluster = await startTestCluster({
    overrides: { ...OPS_SETTINGS, 'replica.selector.class': 'org.apache.kafka.common.replica.RackAwareReplicaSelector' },
    memberOverrides: (id) => ({ 'broker.rack': RACKS[id] ?? '' })
  })
  try {
    const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 500 } })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] }] })
    await admin.disconnect()
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 30_000, { message: 'ISR of 3' })
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const values = Array.from({ length: COUNT }, (_, i) => `r-${i}`)
    for (let i = 0; i < COUNT; i += 50) await producer.send({ topic: TOPIC, acks: -1, messages: values.slice(i, i + 50).map((value) => ({ value })) })

    // The leader names the follower in the client's rack, and sends no records itself.
    const port = (id: number): number => cluster.members.get(id)?.port ?? 0
    const fetchFrom = async (id: number, rackId: string, fetchOffset = 0n): Promise<{ errorCode: number, preferred: number, highWatermark: bigint, records: number }> => {
      const r = await requestTo(port(id), fetchApi, 12, {
        replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
        forgottenTopicsData: [], rackId
      })
      const p = r.responses[0]?.partitions[0]
      return { errorCode: p?.errorCode ?? -1, preferred: p?.preferredReadReplica ?? -1, highWatermark: p?.highWatermark ?? -1n, records: p?.records === null || p?.records === undefined ? 0 : (Array.isArray(p.records) ? Buffer.concat(p.records) : p.records).length }
    }
    const toB = await fetchFrom(1, 'b')
    assert.deepEqual({ errorCode: toB.errorCode, preferred: toB.preferred, records: toB.records }, { errorCode: ErrorCode.NONE, preferred: 2, records: 0 })
    const inA = await fetchFrom(1, 'a')
    assert.equal(inA.preferred, -1, 'a client in the leader\'s rack reads from the leader')
    assert.ok(inA.records > 0)
    assert.equal((await fetchFrom(1, 'z')).preferred, -1, 'no replica in the client\'s rack: the leader')

    const run = assertSucceeded('confluent_rack_consumer.py', await runPython(fixturePath('confluent_rack_consumer.py'), [cluster.bootstrap, TOPIC, 'b', String(COUNT)], { timeoutMs: 90_000 }))
    const got = run.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as { offset: number, value: string })
    assert.deepEqual(got.map((m) => m.value), values)
    assert.deepEqual(got.map((m) => m.offset), values.map((_, i) => i))
    const followerLog = cluster.members.get(2)?.process?.logs() ?? ''
    assert.match(followerLog, /follower serving consumer fetches/, 'broker 2 (rack b) served the consumer')
    assert.doesNotMatch(cluster.members.get(3)?.process?.logs() ?? '', /follower serving consumer fetches/, 'broker 3 (rack c) did not')

    // Never past the high watermark: broker 3 dies (kill -9), so an acks=all write waits until it
    // leaves the ISR (replica.lag.time.max.ms); meanwhile broker 2 already holds the record above
    // the committed offset. Every answer of broker 2 returns records only below its high watermark.
    await cluster.kill9(3)
    let done = false
    const pending = producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'late' }] }).finally(() => { done = true })
    let sawUncommitted = false
    while (!done) {
      const r = await fetchFrom(2, 'b', BigInt(COUNT))
      assert.equal(r.errorCode, ErrorCode.NONE)
      if (r.highWatermark === BigInt(COUNT)) {
        assert.equal(r.records, 0, 'nothing past the high watermark')
        sawUncommitted = true
      } else {
        assert.equal(r.highWatermark, BigInt(COUNT + 1))
      }
    }
    await pending
    assert.ok(sawUncommitted, 'the write waited for the ISR while the follower was asked')
    await waitFor(async () => (await fetchFrom(2, 'b', BigInt(COUNT))).records > 0, 30_000, { message: 'the record once committed' })
    await producer.disconnect()
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
