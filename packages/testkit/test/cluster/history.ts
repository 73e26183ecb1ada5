// Checks shared by the cluster tests: what a producer was told was written (acknowledged) against
// what the cluster serves afterwards, and the replicas' logs against each other.
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import kafkajs from 'kafkajs'
import { kcatConsumeAll, partitionState, replicaLogPrefix, waitFor, type TestCluster } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs

/** Settings every cluster test's brokers get: quick ISR shrink and fetch retries, no auto-creation. */
export const CLUSTER_SETTINGS = {
  'replica.lag.time.max.ms': '4000',
  'replica.fetch.backoff.ms': '100',
  'replica.fetch.wait.max.ms': '200',
  'auto.create.topics.enable': 'false'
}

/** Reads the whole partition 0 with kcat (librdkafka, no group): payloads in offset order, and the end offset. */
export async function readBack (bootstrap: string, topic: string): Promise<{ payloads: string[], end: number, byOffset: Map<number, string> }> {
  const messages = (await kcatConsumeAll(bootstrap, topic, 30_000)).filter((m) => m.partition === 0).sort((a, b) => a.offset - b.offset)
  messages.forEach((m, i) => { assert.equal(m.offset, messages[0] === undefined ? 0 : messages[0].offset + i, 'offsets are dense') })
  const last = messages[messages.length - 1]
  return {
    payloads: messages.map((m) => m.payload ?? ''),
    end: last === undefined ? 0 : last.offset + 1,
    byOffset: new Map(messages.map((m) => [m.offset, m.payload ?? '']))
  }
}

/** A kafkajs consumer reading partition 0 of a topic during a run: every record it received. */
export interface Watcher {
  readonly received: ReadonlyArray<{ offset: number, value: string }>
  stop: () => Promise<void>
}

export async function watchPartition (cluster: TestCluster, topic: string): Promise<Watcher> {
  const kafka = new Kafka({
    clientId: 'failover-watcher',
    brokers: cluster.bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
    connectionTimeout: 1000,
    requestTimeout: 8000
  })
  const received: Array<{ offset: number, value: string }> = []
  let stopped = false
  // Restarts on its own when a broker it talks to dies, until stopped; few retries make that quick.
  const consumer = kafka.consumer({
    groupId: `${topic}-watcher`,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 200,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 500, restartOnFailure: async () => !stopped }
  })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      if (partition === 0) received.push({ offset: Number(message.offset), value: message.value?.toString() ?? '' })
    }
  })
  return {
    received,
    stop: async () => {
      if (stopped) return
      stopped = true
      // Bounded: a group leaving while its coordinator moves must not hold the test up.
      await Promise.race([consumer.disconnect(), sleep(5000)])
      // A restart kafkajs scheduled just before (it waits up to retry.maxRetryTime) is stopped too.
      await sleep(1000)
      await Promise.race([consumer.disconnect(), sleep(5000)])
    }
  }
}

/**
 * Every record a consumer received during the run is still in the log afterwards, at the same
 * offset with the same bytes: nothing was served above the high watermark and later truncated.
 */
export function checkReceivedStillThere (received: Watcher['received'], byOffset: ReadonlyMap<number, string>): void {
  assert.ok(received.length > 0, 'the consumer received records during the run')
  for (const r of received) {
    const now = byOffset.get(r.offset)
    assert.notEqual(now, undefined, `offset ${r.offset} (${r.value}) was received and no longer exists`)
    assert.equal(now, r.value, `offset ${r.offset} was received as ${r.value} and now holds ${now}`)
  }
}

/**
 * Every acknowledged payload was read exactly once and in the order it was acknowledged;
 * nothing was read twice (unacknowledged payloads may be there, at most once).
 */
export function checkHistory (acknowledged: readonly string[], read: readonly string[]): void {
  const seen = new Map<string, number>()
  read.forEach((payload, i) => {
    assert.equal(seen.has(payload), false, `payload ${payload} read twice (offsets ${seen.get(payload)} and ${i})`)
    seen.set(payload, i)
  })
  let previous = -1
  for (const payload of acknowledged) {
    const at = seen.get(payload)
    assert.notEqual(at, undefined, `acknowledged ${payload} is lost`)
    assert.ok((at as number) > previous, `acknowledged ${payload} is out of order`)
    previous = at as number
  }
}

/** Every replica's log holds the same bytes for all batches below the high watermark `end`. */
export async function checkReplicasEqual (cluster: TestCluster, topic: string, end: number): Promise<void> {
  const prefixes = await Promise.all([...cluster.members.values()].map(async (m) => ({ id: m.id, bytes: await replicaLogPrefix(m.dataDir, topic, 0, end) })))
  const first = prefixes[0]
  assert.ok(first !== undefined && first.bytes.length > 0, 'the log has data')
  for (const p of prefixes) {
    assert.equal(p.bytes.length, first.bytes.length, `broker ${p.id} holds ${p.bytes.length} bytes below offset ${end}, broker ${first.id} ${first.bytes.length}`)
    assert.ok(p.bytes.equals(first.bytes), `broker ${p.id}'s log differs from broker ${first.id}'s below offset ${end}`)
  }
}

/** What cluster_idempotent_producer.py reports on its last line. */
export interface ProducerRun { acked: string[], failed: number, errors: string[], produced: number }

export function producerRun (stdout: Buffer): ProducerRun {
  return JSON.parse(stdout.toString('utf8').trim().split('\n').pop() ?? '{}') as ProducerRun
}

/**
 * After a run: every acknowledged payload is served once, in order; every record the watcher
 * received during the run (if any) is still there, same offset, same bytes; then, once the ISR is full
 * again, the brokers are stopped cleanly and their logs compared below the high watermark.
 */
export async function checkAfterRun (cluster: TestCluster, topic: string, acknowledged: readonly string[], watcher?: Watcher): Promise<void> {
  const { payloads, end, byOffset } = await readBack(cluster.bootstrap, topic)
  checkHistory(acknowledged, payloads)
  if (watcher !== undefined) {
    await watcher.stop()
    checkReceivedStillThere(watcher.received, byOffset)
  }
  await waitFor(async () => (await partitionState(cluster, topic))?.isr.length === 3, 20_000, { message: 'ISR of 3 at the end' })
  await sleep(500)
  for (const id of cluster.members.keys()) await cluster.stop(id)
  await checkReplicasEqual(cluster, topic, end)
}
