// Three brokers and etcd, a topic with replication factor 3 and min.insync.replicas=2: an
// idempotent acks=all kafkajs producer writes while the partition's leader is killed with kill -9
// and restarted, three times. Afterwards every acknowledged message is read back exactly once,
// in order, and the three replicas' logs are byte-equal below the high watermark.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { partitionState, startTestCluster, waitFor } from '@brook/testkit'
import { CLUSTER_SETTINGS, checkAfterRun, killAndRestartLeader, type Watcher, watchPartition } from './history.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'failover-kafkajs'
const ROUNDS = 3

test('leader killed with kill -9 and restarted three times: no acknowledged write lost or duplicated, replicas byte-equal', { timeout: 110_000 }, async () => {
  const cluster = await startTestCluster({ overrides: CLUSTER_SETTINGS })
  // A consumer reading during the run: what it received must still be there afterwards.
  let watcher: Watcher | undefined
  try {
    const kafka = new Kafka({
      clientId: 'failover',
      brokers: cluster.bootstrap.split(','),
      logLevel: logLevel.NOTHING,
      retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
      connectionTimeout: 1000,
      requestTimeout: 8000
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] })
    await admin.disconnect()
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3' })

    watcher = await watchPartition(cluster, TOPIC)
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const acknowledged: string[] = []
    let failures = 0
    let stop = false
    const writing = (async () => {
      for (let i = 0; !stop; i++) {
        const value = `m-${i}`
        try {
          await producer.send({ topic: TOPIC, acks: -1, timeout: 5000, messages: [{ value }] })
          acknowledged.push(value)
        } catch {
          // Not acknowledged: it may or may not be in the log; the check allows either.
          failures++
        }
      }
    })()

    const epochs: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      await waitFor(() => acknowledged.length >= (round + 1) * 30, 30_000, { message: `progress before round ${round}` })
      epochs.push(await killAndRestartLeader(cluster, TOPIC, round))
    }
    const before = acknowledged.length
    await waitFor(() => acknowledged.length >= before + 20, 30_000, { message: 'writes continue after the last round' })
    stop = true
    await writing
    await producer.disconnect()

    const final = await partitionState(cluster, TOPIC)
    assert.ok(final !== null && final.leaderEpoch > (epochs[0] ?? 0), 'leadership moved')
    assert.ok(acknowledged.length > ROUNDS * 30, `acknowledged ${acknowledged.length} (${failures} sends failed)`)
    // Followers have everything below the HW once the ISR is full; stop cleanly and compare.
    await checkAfterRun(cluster, TOPIC, acknowledged, watcher)
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await watcher?.stop()
    await cluster.close()
  }
})
