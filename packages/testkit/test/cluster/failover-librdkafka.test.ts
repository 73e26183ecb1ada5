// The failover test with librdkafka (confluent-kafka-python through /usr/bin/python3): an
// idempotent acks=all producer writes for a while as the partition's leader is killed with
// kill -9 and restarted twice; every message librdkafka reported delivered is read back exactly
// once, in order, and the replicas' logs are byte-equal below the high watermark.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import kafkajs from 'kafkajs'
import { assertSucceeded, fixturePath, partitionState, runPython, startTestCluster, waitFor } from '@brook/testkit'
import { CLUSTER_SETTINGS, checkAfterRun, killAndRestartLeader, producerRun, type Watcher, watchPartition } from './history.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'failover-librdkafka'

test('librdkafka idempotent acks=all producer across two leader kill -9/restarts: delivered messages read back exactly once, in order', { timeout: 110_000 }, async () => {
  const cluster = await startTestCluster({ overrides: CLUSTER_SETTINGS })
  // A consumer reading during the run: what it received must still be there afterwards.
  let watcher: Watcher | undefined
  try {
    const admin = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] })
    await admin.disconnect()
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3' })

    watcher = await watchPartition(cluster, TOPIC)
    const producing = runPython(fixturePath('cluster_idempotent_producer.py'), [cluster.bootstrap, TOPIC, '14'], { timeoutMs: 80_000 })
    const epochs: number[] = []
    for (let round = 0; round < 2; round++) {
      await sleep(3000)
      epochs.push(await killAndRestartLeader(cluster, TOPIC, round))
    }
    const run = assertSucceeded('cluster_idempotent_producer.py', await producing)
    const result = producerRun(run.stdout)
    assert.ok(result.acked.length > 100, `librdkafka delivered ${result.acked.length} of ${result.produced} (errors: ${result.errors.join('; ')})`)

    await checkAfterRun(cluster, TOPIC, result.acked, watcher)
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await watcher?.stop()
    await cluster.close()
  }
})
