// The issue's failover test in full: three brokers and etcd, a topic with replication factor 3 and
// min.insync.replicas=2, two idempotent acks=all producers writing to its partition at once (kafkajs
// and librdkafka through confluent-kafka-python) while the partition's leader is killed with kill -9
// and restarted ten times. Afterwards every message either producer was told was written is read
// back exactly once, in its producer's order; every record a consumer received during the run is
// still there with the same bytes; the latest offset brokers answer never goes back; and the three
// replicas' logs are byte-equal below the high watermark. The killed broker is restarted at once,
// so that a round costs a process start rather than a session expiry and ten rounds fit the
// per-file test timeout.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import kafkajs from 'kafkajs'
import { assertSucceeded, fixturePath, partitionState, runPython, startTestCluster, tempDir, waitFor, type TestCluster } from '@brook/testkit'
import { watchLatestOffset, type LatestOffsetWatch } from './latest-offset-watch.js'
import { CLUSTER_SETTINGS, checkHistory, checkReceivedStillThere, checkReplicasEqual, producerRun, readBack, type Watcher, watchPartition } from './history.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'ten-leader-kills'
const ROUNDS = 10
/** Acknowledgements each producer must get between two kills: both write through every leader. */
const PROGRESS = 5

/** Kills the leader, starts it again at once, and waits for a newer leader epoch with a full ISR. */
async function killAndRestart (cluster: TestCluster, round: number): Promise<{ killed: number, epoch: number, ms: number }> {
  const started = Date.now()
  const state = await partitionState(cluster, TOPIC)
  assert.ok(state !== null && state.leader > 0, `round ${round}: the partition has a leader`)
  await cluster.kill9(state.leader)
  await cluster.start(state.leader)
  await waitFor(async () => {
    const now = await partitionState(cluster, TOPIC)
    return now !== null && now.leader > 0 && now.isr.length === 3 && now.leaderEpoch > state.leaderEpoch
  }, 30_000, { message: `round ${round}: leader re-elected and ISR full` })
  return { killed: state.leader, epoch: state.leaderEpoch, ms: Date.now() - started }
}

test('leader killed with kill -9 and restarted ten times under kafkajs and librdkafka idempotent producers: nothing acknowledged lost or duplicated, replicas byte-equal', { timeout: 115_000 }, async (t) => {
  // Few __consumer_offsets partitions (the watcher's group creates the topic): each kill moves
  // every leadership the broker held, and fifty of them would make each round slower.
  const cluster = await startTestCluster({ overrides: { ...CLUSTER_SETTINGS, 'offsets.topic.num.partitions': '3' } })
  const scratch = await tempDir('brook-ten-kills-')
  const stopFile = join(scratch.path, 'stop')
  let watcher: Watcher | undefined
  let latest: LatestOffsetWatch | undefined
  let stopKafkajs = (): void => {}
  // Each round's kill-to-full-ISR time, for the failure message: process starts dominate on a loaded box.
  const kills: Array<{ killed: number, epoch: number, ms: number }> = []
  try {
    const kafka = new Kafka({
      clientId: 'ten-kills',
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

    // Python and librdkafka take seconds to start on a loaded box: start it while the consumer joins.
    const python = runPython(fixturePath('cluster_producer_until_stopped.py'), [cluster.bootstrap, TOPIC, stopFile], { timeoutMs: 110_000 })
    watcher = await watchPartition(cluster, TOPIC)
    latest = watchLatestOffset(cluster, TOPIC)
    const pythonAcked = async (): Promise<number> => {
      try {
        return Number(await readFile(`${stopFile}.acked`, 'utf8'))
      } catch {
        return 0 // not written yet: the producer is starting
      }
    }

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const acknowledged: string[] = []
    let failures = 0
    let stop = false
    stopKafkajs = () => { stop = true }
    const writing = (async () => {
      for (let i = 0; !stop; i++) {
        const value = `k-${i}`
        try {
          await producer.send({ topic: TOPIC, acks: -1, timeout: 5000, messages: [{ value }] })
          acknowledged.push(value)
        } catch {
          // Not acknowledged: it may or may not be in the log; the checks allow either.
          failures++
        }
      }
    })()

    for (let round = 0; round < ROUNDS; round++) {
      const kafkajsFrom = acknowledged.length
      const pythonFrom = await pythonAcked()
      await waitFor(async () => acknowledged.length >= kafkajsFrom + PROGRESS && await pythonAcked() >= pythonFrom + PROGRESS, 30_000, {
        message: `both producers write before round ${round} (kafkajs ${acknowledged.length - kafkajsFrom}, librdkafka ${await pythonAcked() - pythonFrom} of ${PROGRESS})`
      })
      kills.push(await killAndRestart(cluster, round))
    }
    const kafkajsFrom = acknowledged.length
    const pythonFrom = await pythonAcked()
    await waitFor(async () => acknowledged.length >= kafkajsFrom + PROGRESS && await pythonAcked() >= pythonFrom + PROGRESS, 30_000, { message: 'both producers write after the last round' })
    stop = true
    await latest.stop()
    await writeFile(stopFile, '')
    await writing
    await producer.disconnect()
    const run = producerRun(assertSucceeded('cluster_producer_until_stopped.py', await python).stdout)

    assert.equal(kills.length, ROUNDS)
    assert.ok(latest.answers() > 0, 'brokers answered ListOffsets(latest) during the run')
    assert.deepEqual(latest.backwards, [], 'the latest offset never went back across leader changes')
    assert.ok(new Set(kills.map((k) => k.killed)).size >= 2, `leadership moved between brokers: killed ${kills.map((k) => k.killed).join(',')}`)
    assert.ok(acknowledged.length >= (ROUNDS + 1) * PROGRESS, `kafkajs: ${acknowledged.length} acknowledged, ${failures} sends failed`)
    assert.ok(run.acked.length >= (ROUNDS + 1) * PROGRESS, `librdkafka: ${run.acked.length} of ${run.produced} delivered (errors: ${run.errors.join('; ')})`)

    t.diagnostic(`kafkajs ${acknowledged.length} acknowledged (${failures} failed), librdkafka ${run.acked.length} of ${run.produced}; rounds ${kills.map((k) => `${k.killed}:${k.ms}ms`).join(' ')}; ListOffsets(latest) ${latest.answers()} answers, ${latest.notAvailable()} OFFSET_NOT_AVAILABLE`)
    // Both producers' histories against what the leader serves, then the consumer's view.
    const { payloads, end, byOffset } = await readBack(cluster.bootstrap, TOPIC)
    checkHistory(acknowledged, payloads)
    checkHistory(run.acked, payloads)
    await watcher.stop()
    checkReceivedStillThere(watcher.received, byOffset)
    // Every replica: once the ISR is full again, stop cleanly and compare the logs' bytes.
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3 at the end' })
    await Promise.all([...cluster.members.keys()].map(async (id) => { await cluster.stop(id) }))
    await checkReplicasEqual(cluster, TOPIC, end)
  } catch (err) {
    const rounds = kills.map((k, i) => `round ${i}: broker ${k.killed} (epoch ${k.epoch}) ${k.ms} ms`).join('; ')
    throw new Error(`${(err as Error).message}\n${rounds}\n${cluster.logs()}`, { cause: err })
  } finally {
    stopKafkajs()
    await writeFile(stopFile, '').catch(() => {}) // the producer may be gone already: nothing to stop
    await latest?.stop()
    await watcher?.stop()
    await cluster.close()
    await scratch.cleanup()
  }
})
