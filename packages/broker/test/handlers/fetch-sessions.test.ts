// Fetch sessions (KIP-227) over a real socket: a full fetch at epoch 0 opens a session, an
// incremental fetch names only what changed and gets back only partitions with news, and the
// session errors and limits are Kafka's.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createTopicsApi, ErrorCode, type FetchRequest, fetchApi, metadataApi, produceApi, ZERO_UUID } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { batchOf, produceBody } from '../helpers/records.js'

let broker: TestBroker
let client: RawClient

const TOPIC = 'sessions'

function partitionRequest (partition: number, fetchOffset: bigint) {
  return { partition, fetchOffset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 }
}

function request (sessionId: number, sessionEpoch: number, partitions: Array<[number, bigint]>, forgotten: number[] = []): FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId,
    sessionEpoch,
    topics: partitions.length === 0 ? [] : [{ topic: TOPIC, partitions: partitions.map(([p, o]) => partitionRequest(p, o)) }],
    forgottenTopicsData: forgotten.length === 0 ? [] : [{ topic: TOPIC, partitions: forgotten }],
    rackId: ''
  }
}

/** Partition index -> record bytes returned, for every partition in the response. */
function answered (response: { responses: Array<{ partitions: Array<{ partitionIndex: number, records?: Buffer | Buffer[] | null }> }> }): Map<number, number> {
  const out = new Map<number, number>()
  for (const t of response.responses) {
    for (const p of t.partitions) {
      const r = p.records
      out.set(p.partitionIndex, r === null || r === undefined ? 0 : Buffer.isBuffer(r) ? r.length : r.reduce((n, c) => n + c.length, 0))
    }
  }
  return out
}

before(async () => {
  broker = await startTestBroker()
  client = await RawClient.connect(broker.bootstrap)
  await client.request(createTopicsApi, 7, {
    topics: [{ name: TOPIC, numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 1000
  })
  for (const partition of [0, 1, 2]) await client.request(produceApi, 9, produceBody(TOPIC, await batchOf([`p${partition}-a`]), 1, partition))
})
after(async () => {
  client.close()
  await broker.destroy()
})

// Before sessions, epoch 0 was answered with session id 0 and every later epoch with
// FETCH_SESSION_ID_NOT_FOUND; this fails on that broker.
test('a full fetch opens a session; incremental fetches return only partitions with news', { timeout: 20_000 }, async () => {
  const full = await client.request(fetchApi, 12, request(0, 0, [[0, 0n], [1, 0n], [2, 0n]]))
  assert.equal(full.errorCode, ErrorCode.NONE)
  assert.ok((full.sessionId ?? 0) > 0, 'a session id is handed out')
  assert.deepEqual([...answered(full).keys()], [0, 1, 2])
  const id = full.sessionId ?? 0

  // Every partition was read to its end: the client sends the new offsets (changed parameters).
  const quiet = await client.request(fetchApi, 12, request(id, 1, [[0, 1n], [1, 1n], [2, 1n]]))
  assert.equal(quiet.errorCode, ErrorCode.NONE)
  assert.equal(quiet.sessionId, id)
  assert.deepEqual([...answered(quiet).entries()], [], 'nothing changed, nothing is sent')

  // New data on partition 2 (not named by the next request) comes back from the session.
  await client.request(produceApi, 9, produceBody(TOPIC, await batchOf(['p2-b']), 1, 2))
  const news = await client.request(fetchApi, 12, request(id, 2, []))
  const got = answered(news)
  assert.deepEqual([...got.keys()], [2], 'only the partition with news')
  assert.ok((got.get(2) ?? 0) > 0, 'with its records (from the cached offset 1)')
  // Unchanged and caught up: the next incremental fetch is empty again.
  const after = await client.request(fetchApi, 12, request(id, 3, [[2, 2n]]))
  assert.deepEqual([...answered(after).keys()], [])
  assert.equal(news.responses[0]?.partitions[0]?.highWatermark, 2n)
})

test('wrong epochs and unknown sessions are refused; epoch -1 closes the session', { timeout: 20_000 }, async () => {
  const full = await client.request(fetchApi, 12, request(0, 0, [[0, 1n]]))
  const id = full.sessionId ?? 0
  assert.ok(id > 0)
  const stale = await client.request(fetchApi, 12, request(id, 5, []))
  assert.equal(stale.errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH)
  assert.equal(stale.sessionId, 0)
  assert.deepEqual(stale.responses, [])
  const unknown = await client.request(fetchApi, 12, request(id + 1 === 0x7fffffff ? 1 : id + 1, 1, []))
  assert.equal(unknown.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
  // The refused epoch did not advance the session: epoch 1 is still the next one.
  const ok = await client.request(fetchApi, 12, request(id, 1, []))
  assert.equal(ok.errorCode, ErrorCode.NONE)
  const closing = await client.request(fetchApi, 12, request(id, -1, [[0, 1n]]))
  assert.equal(closing.errorCode, ErrorCode.NONE)
  assert.equal(closing.sessionId, 0, 'a sessionless fetch')
  assert.deepEqual([...answered(closing).keys()], [0])
  const gone = await client.request(fetchApi, 12, request(id, 2, []))
  assert.equal(gone.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
})

test('forgotten partitions leave the session; forgetting the last one closes it', { timeout: 20_000 }, async () => {
  const full = await client.request(fetchApi, 12, request(0, 0, [[0, 0n], [1, 0n]]))
  const id = full.sessionId ?? 0
  // Forget partition 0, and ask partition 1 again from 0 (changed parameters are resent).
  const next = await client.request(fetchApi, 12, { ...request(id, 1, [[1, 0n]], [0]) })
  assert.deepEqual([...answered(next).keys()], [1])
  await client.request(produceApi, 9, produceBody(TOPIC, await batchOf(['p0-b']), 1, 0))
  const without0 = await client.request(fetchApi, 12, request(id, 2, []))
  assert.ok(!answered(without0).has(0), 'news on a forgotten partition is not sent')
  const last = await client.request(fetchApi, 12, request(id, 3, [], [1]))
  assert.equal(last.errorCode, ErrorCode.NONE)
  assert.equal(last.sessionId, 0, 'an emptied session is closed')
  const gone = await client.request(fetchApi, 12, request(id, 4, []))
  assert.equal(gone.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
})

test('a session made with topic ids cannot continue by name (and the reverse)', { timeout: 20_000 }, async () => {
  const metadata = await client.request(metadataApi, 12, { topics: [{ name: TOPIC }], allowAutoTopicCreation: false })
  const topicId = metadata.topics[0]?.topicId ?? ZERO_UUID
  const byId: FetchRequest = { ...request(0, 0, []), topics: [{ topicId, partitions: [partitionRequest(0, 0n)] }] }
  const full = await client.request(fetchApi, 13, byId)
  const id = full.sessionId ?? 0
  assert.ok(id > 0)
  assert.equal(full.responses[0]?.topicId, topicId)
  const byName = await client.request(fetchApi, 12, request(id, 1, []))
  assert.equal(byName.errorCode, ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR)
  // v13 forgets by topic id.
  const forget = await client.request(fetchApi, 13, { ...request(id, 1, []), forgottenTopicsData: [{ topicId, partitions: [0] }] })
  assert.equal(forget.sessionId, 0, 'forgetting its only partition by id closed the session')
})

test('max.incremental.fetch.session.cache.slots bounds the sessions; 0 turns them off', { timeout: 20_000 }, async () => {
  for (const slots of ['0', '1']) {
    const small = await startTestBroker({ 'max.incremental.fetch.session.cache.slots': slots })
    const c = await RawClient.connect(small.bootstrap)
    try {
      await c.request(createTopicsApi, 7, { topics: [{ name: TOPIC, numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000 })
      const first = await c.request(fetchApi, 12, request(0, 0, [[0, 0n]]))
      // A second fresh session of the same size cannot push out one younger than two minutes.
      const second = await c.request(fetchApi, 12, request(0, 0, [[0, 0n], [1, 0n], [2, 0n]]))
      if (slots === '0') {
        assert.equal(first.sessionId, 0)
      } else {
        assert.ok((first.sessionId ?? 0) > 0)
        assert.equal(second.sessionId, 0, 'no free slot, and the only session is not evictable yet')
        const still = await c.request(fetchApi, 12, request(first.sessionId ?? 0, 1, []))
        assert.equal(still.errorCode, ErrorCode.NONE, 'the first session survives')
      }
      assert.equal(second.errorCode, ErrorCode.NONE, 'without a slot the fetch is still answered')
      assert.deepEqual([...answered(second).keys()], [0, 1, 2])
    } finally {
      c.close()
      await small.destroy()
    }
  }
})

test('an incremental fetch with nothing new waits max_wait_ms for news on any session partition', { timeout: 20_000 }, async () => {
  const full = await client.request(fetchApi, 12, request(0, 0, [[0, 0n], [1, 0n]]))
  const id = full.sessionId ?? 0
  const hw = (p: number): bigint => full.responses[0]?.partitions.find((d) => d.partitionIndex === p)?.highWatermark ?? 0n
  const producer = await RawClient.connect(broker.bootstrap)
  const waiting = client.request(fetchApi, 12, { ...request(id, 1, [[0, hw(0)], [1, hw(1)]]), maxWaitMs: 10_000, minBytes: 1 })
  await new Promise((resolve) => setTimeout(resolve, 50))
  await producer.request(produceApi, 9, produceBody(TOPIC, await batchOf(['wake']), 1, 1))
  const woken = await waiting
  assert.deepEqual([...answered(woken).keys()], [1], 'woken by the append, with only that partition')
  assert.ok((answered(woken).get(1) ?? 0) > 0, 'and its new records')
  producer.close()
})
