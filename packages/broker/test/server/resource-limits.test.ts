// Connection limits under abuse: the per-connection read-ahead, queued.max.requests, a client that
// never reads, and connections.max.idle.ms. Long polls on an empty topic make requests that stay
// under way for a known time, so "was it held?" is a lower bound on when it was answered (robust
// on a loaded machine), never an upper one.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { apiVersionsApi, createTopicsApi, encodeRequestFrame, ErrorCode, fetchApi, FrameSplitter, metadataApi, produceApi, readCorrelationId } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { batchOf, fetchBody, produceBody } from '../helpers/records.js'

const POLL_MS = 600
let broker: TestBroker

before(async () => {
  broker = await startTestBroker({ 'queued.max.requests': '140' })
  const admin = await createTopics(broker, ['empty', 'data'])
  const produced = await admin.request(produceApi, 9, produceBody('data', await batchOf(Array.from({ length: 64 }, () => 'x'.repeat(1024)))))
  assert.equal(produced.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.NONE)
  admin.close()
})
after(async () => { await broker.destroy() })

async function createTopics (on: TestBroker, names: string[]): Promise<RawClient> {
  const admin = await RawClient.connect(on.bootstrap)
  const created = await admin.request(createTopicsApi, 7, {
    topics: names.map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
    timeoutMs: 5000
  })
  assert.ok(created.topics.every((t) => t.errorCode === ErrorCode.NONE))
  return admin
}

const longPoll = (ms: number): ReturnType<typeof fetchBody> => fetchBody('empty', 0n, { maxWaitMs: ms, minBytes: 1024 * 1024 })

/** Sends every request at once; resolves with each answer's arrival time (ms after sending). */
async function pipelined (client: RawClient, count: number, pollMs: number, from = performance.now()): Promise<number[]> {
  const answers = Array.from({ length: count }, async () => {
    const response = await client.request(fetchApi, 11, longPoll(pollMs))
    assert.equal(response.errorCode, ErrorCode.NONE)
    return performance.now() - from
  })
  return await Promise.all(answers)
}

test('one connection runs at most 128 requests at once; the rest of what it read waits, in order', { timeout: 30_000 }, async () => {
  const client = await RawClient.connect(broker.bootstrap)
  const times = await pipelined(client, 130, POLL_MS)
  // The first 128 long polls end together; the last two could only start after them.
  assert.ok((times[129] as number) >= 2 * POLL_MS - 50, `130th answered after ${times[129]} ms`)
  assert.ok((times[0] as number) < (times[129] as number))
  client.close()
})

test('queued.max.requests bounds requests under way broker-wide, but every connection may run one', { timeout: 30_000 }, async () => {
  const busy = await RawClient.connect(broker.bootstrap)
  const other = await RawClient.connect(broker.bootstrap)
  const started = performance.now()
  const pollMs = 1000
  // 100 + 100 long polls against a budget of 140: the second connection gets 40 at first.
  const first = pipelined(busy, 100, pollMs, started)
  await new Promise((resolve) => setTimeout(resolve, 100))
  const second = pipelined(other, 100, pollMs, started)
  // A third connection with nothing under way is served at once, budget or not.
  const polite = await RawClient.connect(broker.bootstrap)
  const versions = await polite.request(apiVersionsApi, 3, {})
  const politeMs = performance.now() - started
  assert.equal(versions.errorCode, ErrorCode.NONE)
  const [a, b] = await Promise.all([first, second])
  // Held, it would have waited for the first long polls to end (about 2 s): it ran at once.
  assert.ok(politeMs < Math.max(...b), 'the connection with nothing under way was not held')
  assert.equal(a.length, 100)
  assert.ok(Math.max(...b) >= 2 * pollMs - 50, `the second connection's last poll was held (${Math.max(...b)} ms)`)
  for (const c of [busy, other, polite]) c.close()
})

test('a client that never reads: reading from it stops, others are served, it gets every answer in order once it reads', { timeout: 30_000 }, async () => {
  const socket = connect({ host: broker.host, port: broker.port })
  await once(socket, 'connect')
  socket.pause()
  // Each answer carries 64 KiB of records: the broker's writes back up after a few of them.
  const count = 200
  for (let id = 1; id <= count; id++) {
    socket.write(Buffer.concat(encodeRequestFrame(id, 'never-reads', fetchApi, 11, fetchBody('data', 0n))))
  }
  await new Promise((resolve) => setTimeout(resolve, 300))
  const polite = await RawClient.connect(broker.bootstrap)
  const metadata = await polite.request(metadataApi, 1, { topics: null })
  assert.ok(metadata.topics.some((t) => t.name === 'data'))
  polite.close()
  const ids: number[] = []
  const splitter = new FrameSplitter(16 * 1024 * 1024)
  const all = new Promise<void>((resolve) => socket.on('data', (chunk: Buffer) => splitter.push(chunk, (frame) => {
    ids.push(readCorrelationId(frame))
    if (ids.length === count) resolve()
  })))
  socket.resume()
  await all
  assert.deepEqual(ids, Array.from({ length: count }, (_, i) => i + 1))
  socket.destroy()
})

test('connections.max.idle.ms closes a silent connection and one stuck halfway through a frame, not one with a request under way', { timeout: 30_000 }, async () => {
  const idling = await startTestBroker({ 'connections.max.idle.ms': '300' })
  ;(await createTopics(idling, ['empty'])).close()
  const silent = connect({ host: idling.host, port: idling.port })
  const half = connect({ host: idling.host, port: idling.port })
  for (const s of [silent, half]) {
    s.on('error', () => { /* a reset is the close being tested */ })
    await once(s, 'connect')
  }
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(100 * 1024 * 1024 - 1, 0)
  half.write(prefix)
  const closes = [silent, half].map(async (s: Socket) => { await once(s, 'close') })
  // A long poll longer than the idle time is answered, not cut.
  const polling = await RawClient.connect(idling.bootstrap)
  const response = await polling.request(fetchApi, 11, fetchBody('empty', 0n, { maxWaitMs: 900, minBytes: 1024 * 1024 }))
  assert.equal(response.errorCode, ErrorCode.NONE)
  await Promise.all(closes)
  await polling.closed
  await idling.destroy()
})
