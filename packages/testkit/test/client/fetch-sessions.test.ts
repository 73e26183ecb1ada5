// @brook/client's consumer fetches in incremental fetch sessions (KIP-227): the first Fetch to a
// broker is full and opens a session, later ones name only the partitions whose position moved.
// Seen on the wire through a capture proxy; every record is still read exactly once.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client, type ConsumerMessage } from '@brook/client'
import { decodeRequest, decodeRequestHeader, fetchApi, type FetchRequest, Reader } from '@brook/protocol'
import { startCaptureProxy, startTestBroker } from '@brook/testkit'

function fetchRequests (frames: Buffer[]): FetchRequest[] {
  return frames.map((frame) => {
    const reader = new Reader(frame.subarray(4))
    const header = decodeRequestHeader(reader)
    return decodeRequest(fetchApi, header.apiVersion, reader)
  })
}

const partitionsOf = (r: FetchRequest): number => r.topics.reduce((n, t) => n + t.partitions.length, 0)

test('the consumer fetches in an incremental session: one full Fetch, then only partitions whose position moved', { timeout: 60_000 }, async () => {
  const proxy = await startCaptureProxy()
  const broker = await startTestBroker({ 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` })
  proxy.setTarget('127.0.0.1', broker.port)
  const client = new Client({ brokers: [proxy.bootstrap] })
  const topic = 'sessions'
  try {
    const admin = client.admin()
    await admin.createTopics([{ topic, numPartitions: 8 }])
    await admin.close()
    const producer = client.producer()
    for (let p = 0; p < 8; p++) await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition: p, value: `${p}-${i}` })) })

    const consumer = client.consumer({ maxWaitMs: 100 })
    consumer.assign(Array.from({ length: 8 }, (_, partition) => ({ topic, partition, offset: 0n })))
    const got: ConsumerMessage[] = []
    const reader = consumer[Symbol.asyncIterator]()
    while (got.length < 80) got.push(...(await reader.next()).value!.messages)
    // Nothing new for a while: the loop keeps long-polling (100 ms) while waiting for a batch.
    const idleFrom = proxy.requests.length
    const pending = reader.next()
    await new Promise((resolve) => setTimeout(resolve, 800))
    const idleTo = proxy.requests.length
    await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ partition: 3, value: `late-${i}` })) })
    got.push(...(await pending).value!.messages)
    while (got.length < 85) got.push(...(await reader.next()).value!.messages)
    await reader.return?.()
    await consumer.close()
    await producer.close()

    assert.equal(got.length, 85)
    assert.equal(new Set(got.map((m) => m.value!.toString())).size, 85, 'every record once')
    const fetches = fetchRequests(proxy.requests.filter((r) => r.apiKey === fetchApi.key).map((r) => r.frame))
    const [first] = fetches
    assert.ok(first !== undefined && first.sessionId === 0 && first.sessionEpoch === 0, 'the first Fetch opens a session')
    assert.equal(partitionsOf(first), 8, 'the opening Fetch is full')
    const incremental = fetches.filter((r) => (r.sessionId ?? 0) !== 0)
    assert.ok(incremental.length > 0, 'later Fetches use the session')
    assert.ok(incremental.every((r) => (r.sessionEpoch ?? 0) >= 1), 'with epochs from 1')
    const epochs = incremental.map((r) => r.sessionEpoch ?? 0)
    assert.deepEqual(epochs, epochs.map((_, i) => epochs[0]! + i), 'epochs count up one per request')
    const idlePolls = fetchRequests(proxy.requests.slice(idleFrom, idleTo).filter((r) => r.apiKey === fetchApi.key).map((r) => r.frame))
    assert.ok(idlePolls.filter((r) => partitionsOf(r) === 0).length >= 2, `idle polls name no partition (${idlePolls.map(partitionsOf).join(',')})`)
    // Within the session a partition is named again only when its position moved.
    const lastNamed = new Map<number, bigint>()
    for (const r of fetches) {
      for (const p of r.topics.flatMap((t) => t.partitions)) {
        assert.notEqual(lastNamed.get(p.partition), p.fetchOffset, `partition ${p.partition} resent at the unchanged offset ${p.fetchOffset}`)
        lastNamed.set(p.partition, p.fetchOffset)
      }
    }
  } finally {
    await broker.close()
    await proxy.close()
  }
})
