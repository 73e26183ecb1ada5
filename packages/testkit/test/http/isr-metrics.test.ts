// ISR change counters in a three-broker cluster (etcd, broker processes, each with its HTTP API):
// killing a follower shrinks the ISR of the partition broker 1 leads and brook_isr_shrinks_total
// on broker 1 moves by one; restarting it, it catches up and brook_isr_expands_total moves by one;
// brook_under_replicated_partitions reports the partition meanwhile.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { controllerOf, partitionState, startTestCluster, waitFor, type TestCluster } from '@brook/testkit'
import { sample, scrape } from './harness.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'isr-metered'
const HTTP_LINE = /HTTP API on (http:\/\/[^\s"]+)/

function httpUrlOf (cluster: TestCluster, id: number): string {
  const url = HTTP_LINE.exec(cluster.members.get(id)?.process?.logs() ?? '')?.[1]
  assert.ok(url !== undefined, `broker ${id} logged its HTTP address`)
  return url
}

test('a follower killed and restarted: ISR shrink and expand counted on the leader', { timeout: 240_000 }, async () => {
  const cluster = await startTestCluster({
    overrides: { 'replica.lag.time.max.ms': '4000', 'replica.fetch.backoff.ms': '100', 'replica.fetch.wait.max.ms': '200', 'auto.create.topics.enable': 'false', 'http.listeners': 'http://127.0.0.1:0' }
  })
  try {
    await waitFor(async () => (await controllerOf(cluster)) >= 0, 30_000, { message: 'a controller elected' })
    const admin = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 3 } }).admin()
    await admin.connect()
    try {
      // The assignment names all three brokers: each must have registered first.
      await waitFor(async () => (await admin.describeCluster()).brokers.length === 3, 60_000, { message: 'three brokers registered' })
      await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] }] })
    } finally {
      await admin.disconnect()
    }
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 30_000, { message: 'ISR of 3' })
    const url = await waitFor(() => HTTP_LINE.exec(cluster.members.get(1)?.process?.logs() ?? '')?.[1], 30_000, { message: 'broker 1 serves HTTP' })
    assert.equal(url, httpUrlOf(cluster, 1))
    const start = await scrape(url)
    const shrinks = sample(start, 'brook_isr_shrinks_total')
    const expands = sample(start, 'brook_isr_expands_total')

    await cluster.kill9(3)
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 2, 30_000, { message: 'ISR shrunk to 2' })
    const down = await waitFor(async () => {
      const s = await scrape(url)
      return sample(s, 'brook_isr_shrinks_total') === shrinks + 1 ? s : null
    }, 30_000, { message: 'one shrink counted on broker 1' })
    assert.equal(sample(down, 'brook_under_replicated_partitions'), 1)
    assert.equal(sample(down, 'brook_isr_expands_total'), expands)

    await cluster.start(3)
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 60_000, { message: 'broker 3 rejoined the ISR' })
    const up = await waitFor(async () => {
      const s = await scrape(url)
      return sample(s, 'brook_isr_expands_total') === expands + 1 ? s : null
    }, 30_000, { message: 'one expansion counted on broker 1' })
    assert.equal(sample(up, 'brook_isr_shrinks_total'), shrinks + 1)
    assert.equal(sample(up, 'brook_under_replicated_partitions'), 0)
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
