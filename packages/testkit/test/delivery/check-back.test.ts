// Transactional check-back with real clients: a transactional producer (librdkafka through
// confluent_kafka, and kafkajs) writes to two partitions, flushes and is abandoned before EndTxn.
// At its timeout the coordinator fences it and asks the endpoint registered for its
// transactional.id prefix (a small HTTP server here, playing the application): "commit" makes the
// records visible to read_committed consumers, "abort" never; an endpoint that is down, hangs or
// answers garbage ends in an abort after the retry limit. A producer killed in the middle of its
// sends is answered "abort" by the application, and nothing of it is ever visible.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import kafkajs from 'kafkajs'
import { Connection } from '@brook/client'
import { describeTransactionsApi, listTransactionsApi } from '@brook/protocol'
import { assertSucceeded, fixturePath, runKcat, runPython, startTestBroker, waitFor, type TestBroker } from '@brook/testkit'

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs
const TOPIC = 'orders'

interface Asked { transactionalId: string, producerEpoch: number, partitions: Array<{ topic: string, partition: number }>, attempt: number }

/** The application's endpoint: answers by transactional id prefix. */
async function startApplication (): Promise<{ url: string, asked: Asked[], close: () => Promise<void> }> {
  const asked: Asked[] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = ''
    req.on('data', (chunk: Buffer) => { body += chunk.toString('utf8') })
    req.on('end', () => {
      const request = JSON.parse(body) as Asked
      asked.push(request)
      const id = request.transactionalId
      if (id.includes('hang')) return // never answers: the broker's request timeout
      if (id.includes('junk')) { res.writeHead(200).end('<html>surely not</html>'); return }
      const decision = id.includes('commit') ? 'commit' : 'abort'
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ decision }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/check`,
    asked,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

async function readCommitted (broker: TestBroker): Promise<string[]> {
  const out = assertSucceeded('kcat read_committed', await runKcat(['-C', '-b', broker.bootstrap, '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%s\n', '-X', 'isolation.level=read_committed'], { timeoutMs: 30_000 }))
  return out.stdout.toString('utf8').split('\n').filter((l) => l !== '')
}

async function stateOf (connection: Connection, transactionalId: string): Promise<string> {
  const { transactionStates } = await connection.request(describeTransactionsApi, { transactionalIds: [transactionalId] })
  return transactionStates[0]?.transactionState ?? ''
}

test('check-back: commit, abort, endpoint down / hanging / garbage, producer killed mid-sends', { timeout: 240_000 }, async (t) => {
  const app = await startApplication()
  const broker = await startTestBroker({
    'transaction.checkback.endpoints': `cb-=${app.url},cbdown-=http://127.0.0.1:9/check`,
    'transaction.checkback.max.attempts': '3',
    'transaction.checkback.retry.backoff.ms': '200',
    'transaction.checkback.request.timeout.ms': '1000',
    'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500'
  })
  const connection = new Connection('127.0.0.1', broker.port)
  const kafka = new Kafka({ clientId: 'check-back', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  try {
    await connection.connect()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }] })
    const abandonPython = async (id: string, flush: boolean): Promise<void> => {
      const run = assertSucceeded(`txn_abandon.py ${id}`, await runPython(fixturePath('txn_abandon.py'), [broker.bootstrap, TOPIC, id, '6', flush ? '1' : '0'], { timeoutMs: 60_000 }))
      assert.match(run.stdout.toString('utf8'), /abandoned/)
    }
    const abandonKafkajs = async (id: string): Promise<void> => {
      const producer = kafka.producer({ transactionalId: id, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 3000 })
      await producer.connect()
      const txn = await producer.transaction()
      await txn.send({ topic: TOPIC, messages: [0, 1, 2, 3].map((i) => ({ value: `${id}-${i}`, partition: i % 2 })) })
      // Gone before EndTxn: the connection closes, the transaction stays open on the broker.
      await producer.disconnect()
    }
    const decided = async (id: string): Promise<void> => {
      await waitFor(() => broker.transactionCheckBacks().find((s) => s.transactionalId === id)?.decision != null, 60_000, { message: `check-back of ${id} decided` })
      await waitFor(async () => /^Complete/.test(await stateOf(connection, id)), 30_000, { message: `${id} completed` })
    }

    await abandonPython('cb-commit-py', true)
    await abandonKafkajs('cb-commit-js')
    await abandonPython('cb-abort-py', true)
    await abandonKafkajs('cb-abort-js')
    await abandonPython('cb-abort-killed-mid-sends', false)
    await abandonPython('cbdown-py', true)
    await abandonPython('cb-hang-py', true)
    await abandonKafkajs('cb-junk-js')

    // While the hanging endpoint is asked, the transaction shows as being fenced.
    await waitFor(async () => await stateOf(connection, 'cb-hang-py') === 'PrepareEpochFence', 30_000, { message: 'cb-hang-py shown as PrepareEpochFence while asked' })
    const listed = await connection.request(listTransactionsApi, { stateFilters: ['PrepareEpochFence'], producerIdFilters: [], durationFilter: -1n })
    assert.ok(listed.transactionStates.some((s) => s.transactionalId === 'cb-hang-py'), 'ListTransactions lists it under PrepareEpochFence')

    for (const id of ['cb-commit-py', 'cb-commit-js', 'cb-abort-py', 'cb-abort-js', 'cb-abort-killed-mid-sends', 'cbdown-py', 'cb-hang-py', 'cb-junk-js']) await decided(id)
    const status = new Map(broker.transactionCheckBacks().map((s) => [s.transactionalId, s]))
    assert.equal(status.get('cb-commit-py')?.decision, 'commit')
    assert.equal(status.get('cb-commit-js')?.decision, 'commit')
    assert.equal(status.get('cb-abort-py')?.decision, 'abort')
    for (const id of ['cbdown-py', 'cb-hang-py', 'cb-junk-js']) {
      assert.equal(status.get(id)?.decision, 'abort', `${id} aborts`)
      assert.equal(status.get(id)?.reason, 'attempts exhausted', `${id}: after the retry limit`)
      assert.equal(status.get(id)?.attempts, 3)
      assert.ok((status.get(id)?.lastCheckMs ?? -1) > 0, 'the time of the last check is kept')
    }
    // The same on the wire: DescribeTransactions carries Brook's tagged check-back fields.
    const described = await connection.request(describeTransactionsApi, { transactionalIds: ['cb-hang-py', 'cb-commit-py'] })
    const hang = described.transactionStates.find((s) => s.transactionalId === 'cb-hang-py')
    assert.equal(hang?.brookCheckBackAttempts, 3)
    assert.equal(hang?.brookLastCheckBackTimeMs, BigInt(status.get('cb-hang-py')?.lastCheckMs ?? -2))
    assert.ok((described.transactionStates.find((s) => s.transactionalId === 'cb-commit-py')?.brookLastCheckBackTimeMs ?? -1n) > 0n)
    assert.equal(await stateOf(connection, 'cb-commit-py'), 'CompleteCommit')
    assert.equal(await stateOf(connection, 'cb-abort-py'), 'CompleteAbort')
    const asked = app.asked.find((a) => a.transactionalId === 'cb-commit-py')
    assert.deepEqual(asked?.partitions.map((p) => p.partition).sort(), [0, 1], 'the endpoint is told the partitions')
    assert.ok((asked?.producerEpoch ?? -1) >= 1, 'the producer epoch was bumped (fenced) before the check')

    // Something after the transactions, so that read_committed reads past all of them.
    const plain = kafka.producer()
    await plain.connect()
    await plain.send({ topic: TOPIC, messages: [{ value: 'after-0', partition: 0 }, { value: 'after-1', partition: 1 }] })
    await plain.disconnect()
    const seen = await waitFor(async () => {
      const got = await readCommitted(broker)
      return got.filter((v) => v.startsWith('after-')).length === 2 ? got : null
    }, 30_000, { message: 'read_committed reads past every transaction' })
    const committed = seen.filter((v) => !v.startsWith('after-')).sort()
    const expected = [...Array.from({ length: 6 }, (_, i) => `cb-commit-py-${i}`), ...Array.from({ length: 4 }, (_, i) => `cb-commit-js-${i}`)].sort()
    assert.deepEqual(committed, expected, 'exactly the records of the transactions the application committed')
    t.diagnostic(`endpoint asked ${app.asked.length} times`)
  } finally {
    connection.close()
    await admin.disconnect()
    await broker.close()
    await app.close()
  }
})

test('check-back endpoints set dynamically (AlterConfigs on the broker): a bad URL is refused, a good one is used', { timeout: 120_000 }, async () => {
  const app = await startApplication()
  const broker = await startTestBroker({ 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500' })
  const kafka = new Kafka({ clientId: 'check-back-dynamic', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }] })
    const alter = async (value: string): Promise<void> => {
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: String(broker.nodeId), configEntries: [{ name: 'transaction.checkback.endpoints', value }] }] })
    }
    await assert.rejects(alter('dyn-=ftp://127.0.0.1/check'), (err: Error & { type?: string }) => err.type === 'INVALID_CONFIG' || /http or https/.test(err.message), 'only http(s) URLs')
    await alter(`dyn-=${app.url}`)
    const producer = kafka.producer({ transactionalId: 'dyn-commit', idempotent: true, maxInFlightRequests: 1, transactionTimeout: 3000 })
    await producer.connect()
    const txn = await producer.transaction()
    await txn.send({ topic: TOPIC, messages: [{ value: 'dyn-0', partition: 0 }, { value: 'dyn-1', partition: 1 }] })
    await producer.disconnect()
    await waitFor(() => broker.transactionCheckBacks().find((s) => s.transactionalId === 'dyn-commit')?.decision === 'commit', 60_000, { message: 'the dynamically registered endpoint decided commit' })
    const values = await waitFor(async () => {
      const got = await readCommitted(broker)
      return got.length === 2 ? got : null
    }, 30_000, { message: 'the committed records visible' })
    assert.deepEqual(values.sort(), ['dyn-0', 'dyn-1'])
  } finally {
    await admin.disconnect()
    await broker.close()
    await app.close()
  }
})
