// etcd stopped under load and started again: the brokers keep serving the partitions they lead
// (acks=all writes go on while etcd is down, since replication needs no store write), and the
// cluster settles when etcd is back (same leader, full ISR; every acknowledged write readable).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import kafkajs from 'kafkajs'
import { partitionState, startTestCluster, waitFor } from '@brook/testkit'
import { CLUSTER_SETTINGS, checkHistory, readBack } from './history.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'etcd-restart'

test('etcd restarted under load: leaders keep serving acks=all writes, the cluster settles afterwards', { timeout: 60_000 }, async () => {
  const cluster = await startTestCluster({ overrides: CLUSTER_SETTINGS })
  try {
    const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 500 } })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] })
    await admin.disconnect()
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3' })
    const before = await partitionState(cluster, TOPIC)
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const acknowledged: string[] = []
    let stop = false
    const writing = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: `e-${i}` }] })
          acknowledged.push(`e-${i}`)
        } catch {
          // Not acknowledged: allowed in the log at most once.
        }
      }
    })()
    await waitFor(() => acknowledged.length >= 20, 20_000, { message: 'writes before etcd stops' })

    await cluster.etcd.stop()
    const down = acknowledged.length
    await sleep(4000)
    const duringOutage = acknowledged.length - down
    await cluster.etcd.start()
    const back = acknowledged.length
    await waitFor(() => acknowledged.length >= back + 20, 20_000, { message: 'writes after etcd is back' })
    stop = true
    await writing
    await producer.disconnect()

    assert.ok(duringOutage > 0, 'acks=all writes were acknowledged while etcd was down')
    const after = await waitFor(async () => {
      const state = await partitionState(cluster, TOPIC)
      return state !== null && state.isr.length === 3 ? state : null
    }, 20_000, { message: 'full ISR after etcd is back' })
    assert.equal(after.leader, before?.leader, 'no failover was needed')
    const { payloads } = await readBack(cluster.bootstrap, TOPIC)
    checkHistory(acknowledged, payloads)
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
