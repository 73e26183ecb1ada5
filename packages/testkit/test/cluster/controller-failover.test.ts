// The controller is killed: another broker is elected controller, and it still moves leadership
// when the partition's leader dies next.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { controllerOf, partitionState, startTestCluster, waitFor } from '@brook/testkit'
import { CLUSTER_SETTINGS, readBack } from './history.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'controller-failover'

test('controller killed: another takes over and the next leader election still happens', { timeout: 60_000 }, async () => {
  const cluster = await startTestCluster({ overrides: CLUSTER_SETTINGS })
  try {
    const first = await waitFor(async () => { const id = await controllerOf(cluster); return id > 0 ? id : null }, 20_000, { message: 'a controller' })
    const others = [...cluster.members.keys()].filter((id) => id !== first)
    const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 500 } })
    const admin = kafka.admin()
    await admin.connect()
    // The leader is not the controller, so killing the controller alone moves no leadership.
    await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [...others, first] }] }] })
    await admin.disconnect()
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3' })
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'one' }] })

    await cluster.kill9(first)
    const second = await waitFor(async () => { const id = await controllerOf(cluster); return id > 0 && id !== first ? id : null }, 20_000, { message: 'a new controller' })
    assert.ok(others.includes(second))
    const before = await partitionState(cluster, TOPIC)
    assert.equal(before?.leader, others[0], 'the leader did not move')
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 2, 20_000, { message: 'the dead controller left the ISR' })

    await cluster.kill9(others[0] as number)
    const after = await waitFor(async () => {
      const state = await partitionState(cluster, TOPIC)
      return state !== null && state.leader === others[1] ? state : null
    }, 20_000, { message: 'the last broker leads' })
    assert.ok(after.leaderEpoch > (before?.leaderEpoch ?? 0))
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'two' }] })
    await producer.disconnect()
    assert.deepEqual((await readBack(cluster.bootstrap, TOPIC)).payloads, ['one', 'two'])
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
