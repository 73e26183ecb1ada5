// The client's check-back server against the broker's transactional check-back: Brook's
// transactional producers write to two partitions and are abandoned before EndTxn; at the
// timeout the broker asks the server, whose decide() answers from the "application's database":
// "commit" makes the records visible to a read_committed consumer, "abort" never; a decide() that
// throws answers 500 and the broker asks again. Bad requests get 4xx answers.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client, type CheckBackRequest, type ConsumerMessage, parseCheckBackRequest, startCheckBackServer } from '@brook/client'
import { startTestBroker, waitFor } from '@brook/testkit'

test('check-back server: commit, abort, a failing decide asked again; a read_committed consumer sees only the committed', { timeout: 180_000 }, async () => {
  const committedInDatabase = new Set(['app-commit', 'app-flaky'])
  const asked: CheckBackRequest[] = []
  let flakyFailures = 0
  const server = await startCheckBackServer({
    decide: (request) => {
      asked.push(request)
      if (request.transactionalId === 'app-flaky' && flakyFailures++ === 0) throw new Error('database unreachable')
      return committedInDatabase.has(request.transactionalId) ? 'commit' : 'abort'
    }
  })
  const broker = await startTestBroker({
    'transaction.checkback.endpoints': `app-=${server.url}`,
    'transaction.checkback.max.attempts': '3',
    'transaction.checkback.retry.backoff.ms': '200',
    'transaction.checkback.request.timeout.ms': '2000',
    'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500'
  })
  const client = new Client({ brokers: [broker.bootstrap] })
  const admin = client.admin()
  const reader = client.consumer({ isolationLevel: 'read_committed', maxWaitMs: 200 })
  try {
    await admin.createTopics([{ topic: 'ledger', numPartitions: 2 }])
    for (const id of ['app-commit', 'app-abort', 'app-flaky']) {
      const producer = client.producer({ transactionalId: id, transactionTimeoutMs: 2000 })
      await producer.initTransactions()
      producer.beginTransaction()
      await producer.send({ topic: 'ledger', messages: [0, 1, 2, 3].map((i) => ({ value: `${id}-${i}`, partition: i % 2 })) })
      // Flushed and gone before EndTxn: the transaction stays open on the broker.
      await producer.close()
    }
    for (const id of ['app-commit', 'app-abort', 'app-flaky']) {
      await waitFor(() => broker.transactionCheckBacks().find((s) => s.transactionalId === id)?.decision != null, 60_000, { message: `${id} decided` })
    }
    const status = new Map(broker.transactionCheckBacks().map((s) => [s.transactionalId, s]))
    assert.equal(status.get('app-commit')?.decision, 'commit')
    assert.equal(status.get('app-abort')?.decision, 'abort')
    assert.equal(status.get('app-flaky')?.decision, 'commit')
    assert.equal(status.get('app-flaky')?.attempts, 2, 'asked again after the 500')
    assert.deepEqual(asked.filter((a) => a.transactionalId === 'app-flaky').map((a) => a.attempt), [1, 2])
    const first = asked.find((a) => a.transactionalId === 'app-commit')!
    assert.deepEqual([...first.partitions].sort((a, b) => a.partition - b.partition), [{ topic: 'ledger', partition: 0 }, { topic: 'ledger', partition: 1 }])
    assert.equal(typeof first.producerId, 'bigint')

    reader.assign([{ topic: 'ledger', partition: 0, offset: 0n }, { topic: 'ledger', partition: 1, offset: 0n }])
    const seen: ConsumerMessage[] = []
    const reading = (async () => { for await (const b of reader) seen.push(...b.messages) })()
    await waitFor(() => seen.length >= 8, 60_000, { message: 'the committed records' })
    // Read to the end of both partitions (past the markers) before judging what is absent.
    await waitFor(async () => {
      const ends = await admin.fetchTopicOffsets('ledger')
      return ends.every((e) => (reader.position({ topic: 'ledger', partition: e.partition }) ?? -1n) >= e.offset)
    }, 60_000, { message: 'the reader at the end of the log' })
    reader.stop()
    await reading
    const values = seen.map((m) => m.value!.toString()).sort()
    assert.deepEqual(values, ['app-commit-0', 'app-commit-1', 'app-commit-2', 'app-commit-3', 'app-flaky-0', 'app-flaky-1', 'app-flaky-2', 'app-flaky-3'])
  } finally {
    await reader.close()
    await admin.close()
    await broker.close()
    await server.close()
  }
})

test('check-back server answers bad requests with 4xx and never decides on them', { timeout: 30_000 }, async () => {
  let decided = 0
  const server = await startCheckBackServer({ path: '/check', decide: () => { decided++; return 'commit' } })
  try {
    const post = async (body: string, path = '/check'): Promise<number> => (await fetch(server.url.replace('/check', path), { method: 'POST', body })).status
    assert.equal(await post('not json'), 400)
    assert.equal(await post(JSON.stringify({ transactionalId: 'x' })), 400)
    assert.equal(await post(JSON.stringify({ transactionalId: 'x', producerId: 7, producerEpoch: 0, partitions: [], transactionStartTimeMs: 0, attempt: 1 })), 400, 'producerId is a decimal string')
    assert.equal(await post('{}', '/other'), 404)
    assert.equal((await fetch(server.url)).status, 405)
    assert.equal(decided, 0)
    const good = { transactionalId: 'x', producerId: '4001', producerEpoch: 3, partitions: [{ topic: 't', partition: 1 }], transactionStartTimeMs: 1, attempt: 1 }
    const res = await fetch(server.url, { method: 'POST', body: JSON.stringify(good) })
    assert.equal(res.status, 200)
    assert.deepEqual(await res.json(), { decision: 'commit' })
    assert.equal(parseCheckBackRequest(JSON.stringify(good)).producerId, 4001n)
  } finally {
    await server.close()
  }
})
