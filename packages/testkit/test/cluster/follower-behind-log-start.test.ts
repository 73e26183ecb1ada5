// A follower that was down while the leader moved its log start past the follower's log end
// (DeleteRecords) gets OFFSET_OUT_OF_RANGE when it fetches again: it restarts its log at the
// leader's log start, catches up and rejoins the ISR.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import kafkajs from 'kafkajs'
import { deleteRecordsApi, ErrorCode } from '@brook/protocol'
import { partitionState, requestTo, startTestCluster, waitFor } from '@brook/testkit'
import { CLUSTER_SETTINGS } from './history.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'behind-log-start'

test('a follower behind the leader\'s log start restarts its log there and rejoins the ISR', { timeout: 60_000 }, async () => {
  const cluster = await startTestCluster({ overrides: CLUSTER_SETTINGS })
  try {
    const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 500 } })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] }] })
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3' })
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'first' }] })

    await cluster.kill9(3)
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 2, 20_000, { message: 'broker 3 out of the ISR' })
    for (let i = 0; i < 9; i++) await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: `m-${i}` }] })
    const deleted = await requestTo(cluster.members.get(1)?.port ?? 0, deleteRecordsApi, 1, { timeoutMs: 5000, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, offset: 8n }] }] })
    assert.deepEqual(deleted.topics[0]?.partitions[0], { partitionIndex: 0, errorCode: ErrorCode.NONE, lowWatermark: 8n })

    await cluster.start(3)
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 30_000, { message: 'broker 3 rejoined the ISR' })
    await producer.disconnect()
    await admin.disconnect()
    const dir = join(cluster.members.get(3)?.dataDir ?? '', `${TOPIC}-0`)
    const segments = (await readdir(dir)).filter((f) => f.endsWith('.log')).sort()
    assert.equal(segments[0], '00000000000000000008.log', `broker 3's log restarts at the leader's log start: ${segments.join(', ')}`)
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
