// Two of three replicas down: with min.insync.replicas=2 an acks=all produce is refused with
// NOT_ENOUGH_REPLICAS once the controller has removed the dead brokers from the ISR, and nothing
// refused is ever served; when one replica comes back and catches up it rejoins the ISR and
// acks=all writes are accepted again.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { partitionState, startTestCluster, waitFor } from '@brook/testkit'
import { CLUSTER_SETTINGS, readBack } from './history.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'min-insync'

function errorType (err: unknown): string | undefined {
  const e = err as { type?: string, cause?: { type?: string } }
  return e.type ?? e.cause?.type
}

test('two of three replicas down: acks=all gets NOT_ENOUGH_REPLICAS, resumes when one returns', { timeout: 60_000 }, async () => {
  const cluster = await startTestCluster({ overrides: CLUSTER_SETTINGS })
  try {
    const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000, requestTimeout: 8000 })
    const admin = kafka.admin()
    await admin.connect()
    // Broker 1 is the preferred leader; the test kills the other two.
    await admin.createTopics({
      topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }], configEntries: [{ name: 'min.insync.replicas', value: '2' }] }]
    })
    await admin.disconnect()
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3' })
    const initial = await partitionState(cluster, TOPIC)
    assert.deepEqual(initial?.replicas, [1, 2, 3])
    assert.equal(initial?.leader, 1)

    const producer = kafka.producer({ allowAutoTopicCreation: false })
    await producer.connect()
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'before' }] })

    await cluster.kill9(2)
    await cluster.kill9(3)
    await waitFor(async () => {
      const state = await partitionState(cluster, TOPIC)
      return state !== null && state.leader === 1 && state.isr.length === 1
    }, 20_000, { message: 'ISR shrunk to the leader' })
    const down = await partitionState(cluster, TOPIC)
    assert.deepEqual(down?.offline.sort(), [2, 3], 'the dead replicas are reported offline')

    let refusal: unknown
    try {
      await producer.send({ topic: TOPIC, acks: -1, timeout: 3000, messages: [{ value: 'refused' }] })
    } catch (err) {
      refusal = err
    }
    assert.equal(errorType(refusal), 'NOT_ENOUGH_REPLICAS', `acks=all refused: ${String(refusal)}`)
    // acks=1 still writes: only the leader is needed.
    await producer.send({ topic: TOPIC, acks: 1, messages: [{ value: 'acks-1' }] })

    await cluster.start(2)
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 2, 20_000, { message: 'broker 2 rejoined the ISR' })
    await waitFor(async () => {
      try {
        await producer.send({ topic: TOPIC, acks: -1, timeout: 3000, messages: [{ value: 'after' }] })
        return true
      } catch (err) {
        assert.equal(errorType(err), 'NOT_LEADER_OR_FOLLOWER', `only a leader change may refuse now: ${String(err)}`)
        return false
      }
    }, 20_000, { message: 'acks=all accepted again' })
    await producer.disconnect()

    const { payloads } = await readBack(cluster.bootstrap, TOPIC)
    assert.deepEqual(payloads, ['before', 'acks-1', 'after'])
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
