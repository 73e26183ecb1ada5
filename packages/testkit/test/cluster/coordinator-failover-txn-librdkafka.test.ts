// The transaction coordinator failover with librdkafka (confluent-kafka-python through
// /usr/bin/python3): a transactional producer runs transactions while the leader of the
// `__transaction_state` partition (its coordinator) is killed with kill -9 and stays down. It
// completes transactions against the new coordinator, and a read_committed consumer reads every
// transaction librdkafka reported committed, whole.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { assertSucceeded, coordinatorOf, fixturePath, partitionState, runPython, startTestCluster, waitFor } from '@brook/testkit'
import { CLUSTER_SETTINGS } from './history.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'coordinator-failover-txn-librdkafka'
const TXN_ID = 'failover-txn-librdkafka'

interface TxnRun { committed: Array<{ n: number, at: number }>, errors: string[], attempted: number }

test('librdkafka transactional producer across a kill -9 of its coordinator: transactions complete at the new one, read whole with read_committed', { timeout: 110_000 }, async () => {
  const cluster = await startTestCluster({
    overrides: { ...CLUSTER_SETTINGS, 'transaction.state.log.num.partitions': '1', 'offsets.topic.num.partitions': '1', 'min.insync.replicas': '2' }
  })
  try {
    const kafka = new Kafka({ clientId: 'txn-failover-reader', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10 } })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3 }] })
    await admin.disconnect()
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3' })

    const producing = runPython(fixturePath('cluster_txn_producer.py'), [cluster.bootstrap, TOPIC, TXN_ID, '25'], { timeoutMs: 90_000 })
    let coordinator = -1
    await waitFor(async () => {
      coordinator = await coordinatorOf(cluster, TXN_ID, 1)
      return coordinator > 0
    }, 30_000, { message: 'the transactional id has a coordinator' })
    // Transactions run for a while on the first coordinator before it is killed.
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.leader !== undefined, 10_000)
    await new Promise((resolve) => setTimeout(resolve, 6000))
    const killedAt = Date.now()
    await cluster.kill9(coordinator)
    const run = assertSucceeded('cluster_txn_producer.py', await producing)
    const result = JSON.parse(run.stdout.toString('utf8').trim().split('\n').pop() ?? '{}') as TxnRun
    const before = result.committed.filter((c) => c.at < killedAt)
    const after = result.committed.filter((c) => c.at > killedAt)
    assert.ok(before.length > 0, `transactions committed before the kill (errors: ${result.errors.join('; ')})`)
    assert.ok(after.length >= 5, `${after.length} transactions committed after the kill (errors: ${result.errors.join('; ')})`)
    assert.notEqual(await coordinatorOf(cluster, TXN_ID, 1), coordinator, 'the coordinator moved')

    const seen = new Map<number, number>()
    const consumer = kafka.consumer({ groupId: 'txn-failover-librdkafka-reader', readUncommitted: false })
    await consumer.connect()
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        const n = Number((message.value?.toString() ?? '').split('-')[0])
        seen.set(n, (seen.get(n) ?? 0) + 1)
      }
    })
    await waitFor(() => result.committed.every((c) => seen.get(c.n) === 3), 60_000, { message: 'read_committed reads every committed transaction' })
    await consumer.disconnect()
    for (const [n, count] of seen) assert.equal(count, 3, `transaction ${n} is read whole (${count} of 3 records)`)
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
