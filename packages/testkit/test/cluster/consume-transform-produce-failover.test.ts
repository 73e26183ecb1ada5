// Three brokers and etcd: a consume-transform-produce loop (a kafkajs consumer group reading the
// input read_committed, a transactional producer writing each batch's transform to the output and
// sending the batch's offsets in the same transaction) and a second consumer group reading the
// output keep making progress while an input partition's leader, the transaction coordinator and
// the loop's group coordinator are each killed with kill -9 (the first two restarted at once, the
// last left down). Afterwards the output holds every input record exactly once, in the input's
// order within each partition, and neither group's committed offsets ever went backwards as the
// coordinators reported them during the run.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import kafkajs from 'kafkajs'
import { assertSucceeded, coordinatorOf, partitionState, runKcat, startTestCluster, waitFor, type KcatMessage, type TestCluster } from '@brook/testkit'
import { CLUSTER_SETTINGS } from './history.js'

const { Kafka, logLevel } = kafkajs
const INPUT = 'ctp-input'
const OUTPUT = 'ctp-output'
const LOOP_GROUP = 'ctp-loop'
const READER_GROUP = 'ctp-reader'
const TXN_ID = 'ctp-loop-txn'
const PARTITIONS = 2

/** Every record of a topic up to its last stable offset, per partition in offset order. */
async function readCommitted (bootstrap: string, topic: string): Promise<Map<number, string[]>> {
  const result = assertSucceeded('kcat -C', await runKcat(
    ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-J', '-q', '-X', 'isolation.level=read_committed'],
    { timeoutMs: 30_000 }
  ))
  const byPartition = new Map<number, KcatMessage[]>()
  for (const line of result.stdout.toString('utf8').split('\n')) {
    if (line.trim() === '') continue
    const m = JSON.parse(line) as KcatMessage
    byPartition.set(m.partition, [...(byPartition.get(m.partition) ?? []), m])
  }
  return new Map([...byPartition].map(([p, list]) => [p, list.sort((a, b) => a.offset - b.offset).map((m) => m.payload ?? '')]))
}

/** Kills a broker with kill -9 and starts it again at once. */
async function bounce (cluster: TestCluster, id: number): Promise<void> {
  await cluster.kill9(id)
  await cluster.start(id)
}

test('consume-transform-produce and a consumer group across a leader kill and coordinator kills: output is the input exactly once, committed offsets never go back', { timeout: 115_000 }, async (t) => {
  const cluster = await startTestCluster({
    overrides: {
      ...CLUSTER_SETTINGS,
      'transaction.state.log.num.partitions': '1',
      'offsets.topic.num.partitions': '1',
      'transaction.abort.timed.out.transaction.cleanup.interval.ms': '1000',
      'min.insync.replicas': '2'
    }
  })
  let stopped = false
  let inputStopped = false
  const background: Array<Promise<unknown>> = []
  const clients: Array<{ disconnect: () => Promise<void> }> = []
  try {
    const kafka = new Kafka({
      clientId: 'ctp-failover',
      brokers: cluster.bootstrap.split(','),
      logLevel: process.env.KAFKAJS_DEBUG === undefined ? logLevel.NOTHING : logLevel.INFO,
      retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
      connectionTimeout: 1000,
      requestTimeout: 8000
    })
    const admin = kafka.admin()
    await admin.connect()
    clients.push(admin)
    await admin.createTopics({
      topics: [INPUT, OUTPUT].map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 3 }))
    })
    for (const topic of [INPUT, OUTPUT]) {
      for (let p = 0; p < PARTITIONS; p++) {
        await waitFor(async () => (await partitionState(cluster, topic, p))?.isr.length === 3, 20_000, { message: `ISR of 3 for ${topic}-${p}` })
      }
    }

    // The input: an idempotent acks=all producer, one record at a time, alternating partitions.
    const input = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await input.connect()
    clients.push(input)
    const acknowledged: string[] = []
    const writing = (async () => {
      for (let i = 0; !inputStopped && !stopped; i++) {
        try {
          await input.send({ topic: INPUT, acks: -1, timeout: 5000, messages: [{ partition: i % PARTITIONS, value: `in-${i}` }] })
          acknowledged.push(`in-${i}`)
        } catch {
          // Not acknowledged: it may or may not be in the input; the output is compared with the input as stored.
        }
        await sleep(10)
      }
    })()
    background.push(writing)

    // The loop. A failed transaction is aborted, the producer replaced (the same transactional id
    // fences the old one and settles its last transaction), and the consumer crashes on purpose:
    // it restarts from the offsets committed through the transactions, so nothing is skipped or
    // written twice.
    const newLoopProducer = (): kafkajs.Producer => kafka.producer({ transactionalId: TXN_ID, idempotent: true, maxInFlightRequests: 1 })
    let loopProducer = newLoopProducer()
    await loopProducer.connect()
    let committedTransactions = 0
    let failedTransactions = 0
    const loop = kafka.consumer({
      groupId: LOOP_GROUP,
      readUncommitted: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 200,
      retry: { retries: 0, initialRetryTime: 200, maxRetryTime: 500, restartOnFailure: async () => !stopped }
    })
    await loop.connect()
    clients.push(loop)
    await loop.subscribe({ topic: INPUT, fromBeginning: true })
    await loop.run({
      autoCommit: false,
      eachBatch: async (payload) => {
        const { batch } = payload
        const last = batch.messages[batch.messages.length - 1]
        if (last === undefined || payload.isStale()) return
        const txn = await loopProducer.transaction()
        try {
          await txn.send({ topic: OUTPUT, messages: batch.messages.map((m) => ({ partition: batch.partition, value: `out-${m.value?.toString() ?? ''}` })) })
          await txn.sendOffsets({ consumerGroupId: LOOP_GROUP, topics: [{ topic: INPUT, partitions: [{ partition: batch.partition, offset: String(Number(last.offset) + 1) }] }] })
          await txn.commit()
          committedTransactions++
        } catch (err) {
          failedTransactions++
          await txn.abort().catch(() => undefined) // the producer is replaced either way
          await loopProducer.disconnect().catch(() => undefined) // a producer whose broker died may fail to close
          loopProducer = newLoopProducer()
          await waitFor(async () => { await loopProducer.connect(); return true }, 30_000, { message: 'the loop producer reconnects' })
          throw err
        }
      }
    })

    // The reader group on the output, committing as it goes.
    const read: string[] = []
    const reader = kafka.consumer({
      groupId: READER_GROUP,
      readUncommitted: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 200,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 500, restartOnFailure: async () => !stopped }
    })
    await reader.connect()
    clients.push(reader)
    await reader.subscribe({ topic: OUTPUT, fromBeginning: true })
    await reader.run({ autoCommitInterval: 300, eachMessage: async ({ message }) => { read.push(message.value?.toString() ?? '') } })

    // Both groups' committed offsets as their coordinator reports them, sampled throughout.
    const highest = new Map<string, number>()
    const backwards: string[] = []
    background.push((async () => {
      while (!stopped) {
        for (const [groupId, topic] of [[LOOP_GROUP, INPUT], [READER_GROUP, OUTPUT]] as const) {
          try {
            const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] })
            for (const p of offsets?.partitions ?? []) {
              const key = `${groupId}/${p.partition}`
              const now = Number(p.offset)
              const before = highest.get(key)
              if (before !== undefined && now < before) backwards.push(`${key}: ${before} then ${now}`)
              if (before === undefined || now > before) highest.set(key, now)
            }
          } catch {
            // The coordinator is moving: the next sample asks the new one.
          }
        }
        await sleep(250)
      }
    })())

    const progress = async (what: string): Promise<void> => {
      const [txns, reads] = [committedTransactions, read.length]
      await waitFor(() => committedTransactions >= txns + 5 && read.length >= reads + 20, 40_000, {
        message: `progress ${what} (transactions ${committedTransactions - txns} of 5, read ${read.length - reads} of 20)`
      })
    }
    await progress('before the kills')

    const inputLeader = (await partitionState(cluster, INPUT, 0))?.leader ?? -1
    assert.ok(inputLeader > 0, 'the input partition has a leader')
    await bounce(cluster, inputLeader)
    await progress(`after killing broker ${inputLeader}, leader of ${INPUT}-0`)

    const txnCoordinator = await coordinatorOf(cluster, TXN_ID, 1)
    assert.ok(txnCoordinator > 0, 'the transactional id has a coordinator')
    await bounce(cluster, txnCoordinator)
    await waitFor(async () => await coordinatorOf(cluster, TXN_ID, 1) > 0, 30_000, { message: 'a transaction coordinator again' })
    await progress(`after killing broker ${txnCoordinator}, the transaction coordinator`)

    const groupCoordinator = await coordinatorOf(cluster, LOOP_GROUP)
    assert.ok(groupCoordinator > 0, 'the loop group has a coordinator')
    // Left down to the end: two brokers still make min.insync.replicas, and no process start is paid.
    await cluster.kill9(groupCoordinator)
    await waitFor(async () => {
      const now = await coordinatorOf(cluster, LOOP_GROUP)
      return now > 0 && now !== groupCoordinator
    }, 30_000, { message: 'a new group coordinator' })
    await progress(`after killing broker ${groupCoordinator}, the loop's group coordinator`)

    // Stop the input; the loop drains it: its committed offsets reach the input's end.
    inputStopped = true
    await writing
    const inputEnds = new Map((await admin.fetchTopicOffsets(INPUT)).map((o) => [o.partition, Number(o.high)]))
    await waitFor(() => [...inputEnds].every(([p, end]) => highest.get(`${LOOP_GROUP}/${p}`) === end), 40_000, {
      message: `the loop commits up to the input's end (${[...inputEnds].map(([p, end]) => `${p}: ${highest.get(`${LOOP_GROUP}/${p}`)} of ${end}`).join(', ')})`,
      intervalMs: 250
    })
    const inputRecords = await readCommitted(cluster.bootstrap, INPUT)
    const outputRecords = await readCommitted(cluster.bootstrap, OUTPUT)
    const allInput = [...inputRecords.values()].flat()
    assert.equal(new Set(allInput).size, allInput.length, 'the idempotent producer wrote no input record twice')
    const stored = new Set(allInput)
    assert.deepEqual(acknowledged.filter((v) => !stored.has(v)), [], 'every acknowledged input record is stored')
    // Exactly once, in order: each output partition is its input partition, transformed.
    for (let p = 0; p < PARTITIONS; p++) {
      const expected = (inputRecords.get(p) ?? []).map((v) => `out-${v}`)
      const got = outputRecords.get(p) ?? []
      assert.ok(expected.length > 0, `input partition ${p} has records`)
      assert.equal(got.length, expected.length, `output partition ${p}: ${got.length} records for ${expected.length} input records`)
      assert.deepEqual(got, expected, `output partition ${p} is its input partition transformed, once each, in order`)
    }
    // The reader group gets to the end of the output too.
    const outputValues = new Set([...outputRecords.values()].flat())
    await waitFor(() => { for (const v of read) outputValues.delete(v); return outputValues.size === 0 }, 40_000, { message: `the reader group reads the whole output (${outputValues.size} left)` })
    const outputEnds = new Map((await admin.fetchTopicOffsets(OUTPUT)).map((o) => [o.partition, Number(o.high)]))
    // The last record of each output partition is a transaction marker, which a consumer need not commit past.
    await waitFor(() => [...outputEnds].every(([p, end]) => (highest.get(`${READER_GROUP}/${p}`) ?? -1) >= end - 1), 30_000, { message: 'the reader group commits up to the output\'s end', intervalMs: 250 })
    stopped = true
    await Promise.all(background)

    assert.deepEqual(backwards, [], 'committed offsets never went backwards')
    assert.ok(committedTransactions >= 20, `${committedTransactions} transactions committed (${failedTransactions} failed)`)
    t.diagnostic(`${acknowledged.length} input records acknowledged, ${committedTransactions} transactions committed, ${failedTransactions} failed and retried; killed ${inputLeader}, ${txnCoordinator}, ${groupCoordinator}`)
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    stopped = true
    await Promise.allSettled(background)
    for (const c of clients.reverse()) await Promise.race([c.disconnect().catch(() => undefined), sleep(5000)])
    await cluster.close()
  }
})
