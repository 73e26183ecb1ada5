// Three brokers and etcd: the transaction coordinator (the leader of the `__transaction_state`
// partition, one partition here so that every transactional id lives there) is killed with
// kill -9 and stays down. A kafkajs transactional producer completes its next transactions
// against the new coordinator, and a transaction another producer left open on the dead
// coordinator is aborted by the new one when it times out: a read_committed consumer reads every
// committed record and none of the abandoned ones (the last stable offset moved on).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { coordinatorOf, partitionState, startTestCluster, waitFor } from '@brook/testkit'
import { CLUSTER_SETTINGS } from './history.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'coordinator-failover-txn'
const TXN_ID = 'failover-txn'
const HANGING_ID = 'failover-txn-hanging'

test('transaction coordinator killed with kill -9: transactions go on at the new coordinator, an abandoned one is aborted', { timeout: 110_000 }, async () => {
  const cluster = await startTestCluster({
    overrides: {
      ...CLUSTER_SETTINGS,
      'transaction.state.log.num.partitions': '1',
      'offsets.topic.num.partitions': '1',
      'transaction.abort.timed.out.transaction.cleanup.interval.ms': '1000',
      'min.insync.replicas': '2'
    }
  })
  try {
    const kafka = new Kafka({
      clientId: 'txn-failover',
      brokers: cluster.bootstrap.split(','),
      logLevel: process.env.KAFKAJS_DEBUG === undefined ? logLevel.NOTHING : logLevel.INFO,
      retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
      connectionTimeout: 1000,
      requestTimeout: 8000
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3 }] })
    await admin.disconnect()
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3' })

    const committed: string[] = []
    const aborted: string[] = []
    let producer = kafka.producer({ transactionalId: TXN_ID, maxInFlightRequests: 1, idempotent: true })
    await producer.connect()
    /** One transaction of three records; true once committed. A producer that failed is replaced (same id: it fences the old one). */
    const transaction = async (n: number): Promise<boolean> => {
      const values = [0, 1, 2].map((k) => `t${n}-${k}`)
      try {
        const txn = await producer.transaction()
        try {
          await txn.send({ topic: TOPIC, messages: values.map((value) => ({ value })) })
          await txn.commit()
          committed.push(...values)
          return true
        } catch (err) {
          await txn.abort().catch(() => undefined)
          throw err
        }
      } catch {
        // The outcome of a failed commit is checked against what a read_committed consumer reads:
        // these values may or may not be there, but never partly.
        aborted.push(...values)
        await producer.disconnect().catch(() => undefined)
        producer = kafka.producer({ transactionalId: TXN_ID, maxInFlightRequests: 1, idempotent: true })
        await producer.connect().catch(() => undefined)
        return false
      }
    }
    let n = 0
    for (; n < 5; n++) assert.ok(await transaction(n), `transaction ${n} before the kill`)

    // A second producer leaves a transaction open on the same coordinator and goes away.
    const hanging = kafka.producer({ transactionalId: HANGING_ID, maxInFlightRequests: 1, idempotent: true, transactionTimeout: 5000 })
    await hanging.connect()
    const open = await hanging.transaction()
    await open.send({ topic: TOPIC, messages: [{ value: 'hanging-0' }, { value: 'hanging-1' }] })

    const coordinator = await coordinatorOf(cluster, TXN_ID, 1)
    assert.ok(coordinator > 0, 'the transactional id has a coordinator')
    assert.equal(await coordinatorOf(cluster, HANGING_ID, 1), coordinator, 'both ids share the coordinator')
    await cluster.kill9(coordinator)
    await hanging.disconnect().catch(() => undefined)
    await waitFor(async () => {
      const now = await coordinatorOf(cluster, TXN_ID, 1)
      return now > 0 && now !== coordinator
    }, 30_000, { message: 'a new coordinator' })

    let after = 0
    const deadline = Date.now() + 60_000
    while (after < 5 && Date.now() < deadline) {
      if (await transaction(n++)) after++
    }
    assert.equal(after, 5, `5 transactions committed after the kill (${aborted.length / 3} failed)`)
    await producer.disconnect()

    // read_committed: every committed value, none of the abandoned transaction's. The committed
    // transactions after the kill sit behind the abandoned one, so they only show once it is aborted.
    const seen = new Set<string>()
    const consumer = kafka.consumer({ groupId: 'txn-failover-reader', readUncommitted: false })
    await consumer.connect()
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => { seen.add(message.value?.toString() ?? '') } })
    await waitFor(() => committed.every((v) => seen.has(v)), 60_000, { message: 'read_committed reads every committed transaction' })
    await consumer.disconnect()
    assert.equal(seen.has('hanging-0') || seen.has('hanging-1'), false, 'the abandoned transaction was aborted, not committed')
    const partial = aborted.filter((v, i) => i % 3 === 0 && seen.has(v) !== seen.has(aborted[i + 2] ?? ''))
    assert.deepEqual(partial, [], 'no transaction is partly visible')
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
