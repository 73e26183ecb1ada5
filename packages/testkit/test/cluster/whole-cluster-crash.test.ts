// The whole cluster killed with kill -9 at once and restarted: no acknowledged acks=all write is
// lost, and the restarted brokers (each giving up the leadership of its previous incarnation)
// elect a leader from the ISR again. A process kill keeps the page cache, so this checks recovery
// and re-election after a full restart, not the fsync rule (a power cut would).
import { test } from 'node:test'
import kafkajs from 'kafkajs'
import { partitionState, startTestCluster, waitFor } from '@brook/testkit'
import { CLUSTER_SETTINGS, checkHistory, readBack } from './history.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'whole-cluster-crash'

test('whole cluster killed with kill -9 at once and restarted: no acks=all write lost', { timeout: 60_000 }, async () => {
  const cluster = await startTestCluster({ overrides: CLUSTER_SETTINGS })
  try {
    const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 0 }, requestTimeout: 5000 })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] })
    await admin.disconnect()
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3' })
    const producer = kafka.producer({ maxInFlightRequests: 1 })
    await producer.connect()
    const acknowledged: string[] = []
    let stop = false
    const writing = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: `c-${i}` }] })
          acknowledged.push(`c-${i}`)
        } catch {
          // The crash: from here on nothing is acknowledged.
          return
        }
      }
    })()
    await waitFor(() => acknowledged.length >= 150, 30_000, { message: 'writes before the crash' })
    await Promise.all([...cluster.members.keys()].map(async (id) => await cluster.kill9(id)))
    stop = true
    await writing
    // Every broker is dead: the disconnect may fail, and nothing depends on it.
    await producer.disconnect().catch(() => undefined)

    await Promise.all([...cluster.members.keys()].map(async (id) => await cluster.start(id)))
    await waitFor(async () => {
      const state = await partitionState(cluster, TOPIC)
      return state !== null && state.leader > 0
    }, 30_000, { message: 'a leader after the restart' })
    const { payloads } = await readBack(cluster.bootstrap, TOPIC)
    checkHistory(acknowledged, payloads)
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
