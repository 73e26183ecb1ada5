// Exchange routing survives kill -9: 100,000 records to a topic exchange (two partitions,
// bindings order.*.eu -> eu and order.# -> all) of a broker process: kcat produces the first
// half, a kafkajs transactional producer the second half in one transaction (committed, so that
// half becomes routable at once) after an aborted one. The broker is killed with SIGKILL while it
// routes the committed half (the destinations hold some of their copies, not all), then restarted
// on the same data dir. Every destination ends with each matching record exactly once, and no
// record of the aborted transaction.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { assertSucceeded, kcatConsumeAll, runKcat, startBrokerProcess, tempDir, waitFor } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
const TOTAL = 100_000
const REGIONS = ['eu', 'us', 'asia', 'eu']

const keyOf = (n: number): string => n % 9 === 0 ? `invoice.${n % 5}.eu` : `order.v${n % 5}.${REGIONS[n % 4] as string}`

async function destinationCount (kafka: InstanceType<typeof Kafka>, topic: string): Promise<number> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0)
  } finally {
    await admin.disconnect()
  }
}

test('kill -9 while routing 100,000 records, then restart: each destination holds each match exactly once', { timeout: 300_000 }, async (t) => {
  const dir = await tempDir('brook-exchange-crash-')
  let broker = await startBrokerProcess({ dataDir: dir.path })
  try {
    let kafka = new Kafka({ clientId: 'exchange-crash', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'eu', numPartitions: 2 }, { topic: 'all', numPartitions: 3 }] })
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: 'crash-x', numPartitions: 2, configEntries: [{ name: 'exchange.type', value: 'topic' }, { name: 'exchange.bindings', value: 'eu:order.*.eu;all:order.#' }] }]
    })
    await admin.disconnect()
    const half = TOTAL / 2
    const lines = Array.from({ length: half }, (_, n) => `${keyOf(n)}:${n}`).join('\n') + '\n'
    assertSucceeded('kcat -P', await runKcat(['-P', '-b', broker.bootstrap, '-t', 'crash-x', '-K', ':', '-X', 'linger.ms=20', '-X', 'batch.num.messages=2000'], { input: lines, timeoutMs: 120_000 }))
    const allExpected = Array.from({ length: TOTAL }, (_, n) => n).filter((n) => keyOf(n).startsWith('order.'))
    const euExpected = allExpected.filter((n) => keyOf(n).endsWith('.eu'))
    const producer = kafka.producer({ transactionalId: 'exchange-crash', idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const aborted = await producer.transaction()
    await aborted.send({ topic: 'crash-x', messages: Array.from({ length: 500 }, (_, i) => ({ key: 'order.aborted.eu', value: String(TOTAL + i) })) })
    await aborted.abort()
    const txn = await producer.transaction()
    for (let n = half; n < TOTAL; n += 1000) {
      await txn.send({ topic: 'crash-x', messages: Array.from({ length: 1000 }, (_, i) => ({ key: keyOf(n + i), value: String(n + i) })) })
    }
    const beforeCommit = await destinationCount(kafka, 'all')
    await txn.commit()
    await producer.disconnect()
    // Killed once the committed half is being routed and before it is through.
    let atKill = 0
    await waitFor(async () => {
      atKill = await destinationCount(kafka, 'all')
      return atKill > beforeCommit
    }, 60_000, { intervalMs: 20 })
    await broker.kill9()
    t.diagnostic(`killed with ${atKill} of ${allExpected.length} copies in 'all' (${beforeCommit} before the commit)`)
    assert.ok(beforeCommit <= allExpected.length / 2, 'nothing of the open transaction was routed before its commit')
    assert.ok(atKill < allExpected.length, `killed mid-routing (${atKill} of ${allExpected.length} routed to 'all')`)
    broker = await startBrokerProcess({ dataDir: dir.path, startTimeoutMs: 60_000 })
    kafka = new Kafka({ clientId: 'exchange-crash-2', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    await waitFor(async () => await destinationCount(kafka, 'all') >= allExpected.length && await destinationCount(kafka, 'eu') >= euExpected.length, 120_000)
    // A short grace: a duplicate would land after the counts were reached.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    for (const [topic, expected] of [['all', allExpected], ['eu', euExpected]] as const) {
      const values = (await kcatConsumeAll(broker.bootstrap, topic, 120_000)).map((m) => Number(m.payload))
      assert.equal(values.length, expected.length, `${topic}: no copy twice, none lost (${values.length} of ${expected.length})`)
      assert.deepEqual([...values].sort((a, b) => a - b), expected, `${topic}: exactly its matches`)
    }
  } finally {
    await broker.stop()
    await dir.cleanup()
  }
})
