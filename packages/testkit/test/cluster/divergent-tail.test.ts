// A leader's tail that no follower copied (acks=1 just after both followers were killed) is not
// committed; the leader is killed too before the controller noticed anything, the followers come
// back and one of them leads (it was in the ISR), and the old leader restarts as a follower, finds
// the divergence point with OffsetForLeaderEpoch and truncates its tail: the uncommitted record
// is never served, and all three logs end up byte-equal.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { partitionState, startTestCluster, waitFor } from '@brook/testkit'
import { CLUSTER_SETTINGS, checkReplicasEqual, readBack } from './history.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'divergent-tail'

test('a restarted leader truncates the tail its followers never had', { timeout: 60_000 }, async () => {
  const cluster = await startTestCluster({ overrides: CLUSTER_SETTINGS })
  try {
    const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 500 } })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] }] })
    await admin.disconnect()
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3' })
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'committed' }] })

    // All within the 2 s session timeout: the store still has ISR [1, 2, 3] afterwards.
    await Promise.all([cluster.kill9(2), cluster.kill9(3)])
    await producer.send({ topic: TOPIC, acks: 1, messages: [{ value: 'tail' }] })
    await cluster.kill9(1)
    await Promise.all([cluster.start(2), cluster.start(3)])
    await waitFor(async () => {
      const state = await partitionState(cluster, TOPIC)
      return state !== null && state.leader > 1
    }, 20_000, { message: 'a follower took over' })
    await cluster.start(1)
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 30_000, { message: 'broker 1 rejoined the ISR' })
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'after' }] })
    await producer.disconnect()

    const { payloads, end } = await readBack(cluster.bootstrap, TOPIC)
    assert.deepEqual(payloads, ['committed', 'after'], 'the uncommitted tail is gone')
    assert.equal(end, 2)
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3 at the end' })
    for (const id of cluster.members.keys()) await cluster.stop(id)
    await checkReplicasEqual(cluster, TOPIC, end)
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
