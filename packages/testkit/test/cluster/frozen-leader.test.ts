// A leader frozen with SIGSTOP past its session: the controller elects another leader and acks=all
// writes (librdkafka, idempotent) go on there. When the old leader resumes it finds its session
// expired, steps down, registers again and rejoins as a follower: every acknowledged write is
// still there exactly once, in order, and the three logs are byte-equal below the high watermark.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import kafkajs from 'kafkajs'
import { assertSucceeded, fixturePath, partitionState, runPython, startTestCluster, waitFor } from '@brook/testkit'
import { CLUSTER_SETTINGS, checkAfterRun, producerRun, type Watcher, watchPartition } from './history.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'frozen-leader'

test('a leader frozen past its session is replaced, and rejoins as a follower when it resumes', { timeout: 90_000 }, async () => {
  const cluster = await startTestCluster({ overrides: CLUSTER_SETTINGS })
  // A consumer reading during the run: what it received must still be there afterwards.
  let watcher: Watcher | undefined
  try {
    const admin = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }], configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] })
    await admin.disconnect()
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3' })

    watcher = await watchPartition(cluster, TOPIC)
    const producing = runPython(fixturePath('cluster_idempotent_producer.py'), [cluster.bootstrap, TOPIC, '14'], { timeoutMs: 50_000 })
    await sleep(2500)
    const leader = cluster.members.get(1)?.process?.process
    assert.ok(leader !== undefined)
    leader.kill('SIGSTOP')
    try {
      await waitFor(async () => {
        const state = await partitionState(cluster, TOPIC)
        return state !== null && state.leader > 1
      }, 20_000, { message: 'a new leader while broker 1 is frozen' })
      await sleep(1500)
    } finally {
      leader.kill('SIGCONT')
    }
    await waitFor(async () => {
      const state = await partitionState(cluster, TOPIC)
      return state !== null && state.leader > 1 && state.isr.length === 3
    }, 30_000, { message: 'broker 1 rejoined the ISR as a follower' })
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
