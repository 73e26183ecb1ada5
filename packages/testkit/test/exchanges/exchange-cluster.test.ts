// Exchanges in a cluster: three brokers and etcd, a topic exchange (two partitions, replication
// factor 3, bindings order.*.eu -> eu and order.# -> all) whose destinations are led by various
// brokers. kcat produces 30,000 records; while they are routed, the leader of exchange partition 0
// is killed with kill -9 and restarted. Another broker takes the partition over, fences the dead
// router's transactional id and goes on from the committed position: a read_committed reader
// (kcat) finds every matching record once in each destination, per key in produce order, and the
// routing positions (group brook.exchange.<exchange>) reach the exchange's end offsets.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { assertSucceeded, kcatConsumeAll, partitionState, runKcat, startTestCluster, waitFor } from '@brook/testkit'
import { CLUSTER_SETTINGS } from '../cluster/history.js'

const { Kafka, logLevel } = kafkajs
const TOTAL = 30_000
const EXCHANGE = 'cluster-x'
const REGIONS = ['eu', 'us', 'asia', 'eu']

const keyOf = (n: number): string => n % 9 === 0 ? `invoice.${n % 5}.eu` : `order.v${n % 5}.${REGIONS[n % 4] as string}`

test('cluster: an exchange routes across brokers, exactly once for read_committed readers across a kill -9 of the routing leader', { timeout: 240_000 }, async (t) => {
  const cluster = await startTestCluster({ overrides: { ...CLUSTER_SETTINGS, 'min.insync.replicas': '2', 'offsets.topic.num.partitions': '3', 'transaction.state.log.num.partitions': '3' } })
  try {
    const kafka = new Kafka({
      clientId: 'exchange-cluster',
      brokers: cluster.bootstrap.split(','),
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
      connectionTimeout: 1000,
      requestTimeout: 8000
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'eu', numPartitions: 2, replicationFactor: 3 }, { topic: 'all', numPartitions: 3, replicationFactor: 3 }] })
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: EXCHANGE, numPartitions: 2, replicationFactor: 3, configEntries: [{ name: 'exchange.type', value: 'topic' }, { name: 'exchange.bindings', value: 'eu:order.*.eu;all:order.#' }] }]
    })
    const lines = Array.from({ length: TOTAL }, (_, n) => `${keyOf(n)}:${n}`).join('\n') + '\n'
    assertSucceeded('kcat -P', await runKcat(['-P', '-b', cluster.bootstrap, '-t', EXCHANGE, '-K', ':', '-X', 'acks=all', '-X', 'linger.ms=20'], { input: lines, timeoutMs: 120_000 }))
    const ends = await admin.fetchTopicOffsets(EXCHANGE)
    assert.equal(ends.reduce((n, p) => n + Number(p.high), 0), TOTAL)
    const positions = async (): Promise<Map<number, number>> => {
      const [committed] = await admin.fetchOffsets({ groupId: `brook.exchange.${EXCHANGE}`, topics: [EXCHANGE] })
      return new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]))
    }

    // Killed while partition 0 is being routed: some of it committed, not all.
    const end0 = Number(ends.find((e) => e.partition === 0)?.high ?? 0)
    let atKill = 0
    await waitFor(async () => {
      atKill = (await positions()).get(0) ?? -1
      return atKill > 0
    }, 60_000, { intervalMs: 20 })
    const leader = (await partitionState(cluster, EXCHANGE, 0))?.leader ?? -1
    assert.ok(leader > 0, 'partition 0 has a leader')
    await cluster.kill9(leader)
    t.diagnostic(`killed broker ${leader} with partition 0 routed to ${atKill} of ${end0}`)
    await cluster.start(leader)

    await waitFor(async () => {
      const at = await positions()
      return ends.every((e) => at.get(e.partition) === Number(e.high))
    }, 150_000, { intervalMs: 200, message: 'routing positions reach the exchange end offsets' })

    const allExpected = Array.from({ length: TOTAL }, (_, n) => n).filter((n) => keyOf(n).startsWith('order.'))
    const euExpected = allExpected.filter((n) => keyOf(n).endsWith('.eu'))
    for (const [topic, expected] of [['all', allExpected], ['eu', euExpected]] as const) {
      const messages = await kcatConsumeAll(cluster.bootstrap, topic, 120_000)
      const values = messages.map((m) => Number(m.payload))
      assert.equal(values.length, expected.length, `${topic}: no copy twice, none lost (${values.length} of ${expected.length})`)
      assert.deepEqual([...values].sort((a, b) => a - b), expected, `${topic}: exactly its matches`)
      // Per key, in produce order (kcat wrote each key to one exchange partition, in order).
      const perKey = new Map<string, number[]>()
      for (const m of [...messages].sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
        const list = perKey.get(m.key ?? '') ?? []
        list.push(Number(m.payload))
        perKey.set(m.key ?? '', list)
      }
      for (const [key, list] of perKey) assert.deepEqual(list, [...list].sort((a, b) => a - b), `${topic}: key ${key} in produce order`)
    }
    await admin.disconnect()
  } catch (err) {
    t.diagnostic(cluster.logs().split('\n').filter((l) => l.includes('exchange')).slice(-40).join('\n'))
    throw err
  } finally {
    await cluster.close()
  }
})
