// Topic ids on the wire (KIP-516): against a broker that offers them, @brook/client produces at
// Produce 13 and fetches at Fetch 13+ naming topics by the ids Metadata gave; it falls back to
// names (Produce 12, Fetch 12) when the broker offers no more, or when its Metadata carries no
// topic ids (before v10). Transactional producers stay at Produce 11 (12 means transaction
// protocol v2, which this client does not run). Seen through a capture proxy that narrows the
// broker's ApiVersions answer.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client, type ConsumerMessage } from '@brook/client'
import {
  type ApiSchema, decodeRequest, decodeRequestHeader, fetchApi, type FetchRequest, metadataApi, produceApi, type ProduceRequest, Reader
} from '@brook/protocol'
import { type CapturedRequest, startCaptureProxy, startTestBroker } from '@brook/testkit'

const ZERO = '00000000-0000-0000-0000-000000000000'

function decoded<T> (r: CapturedRequest, api: ApiSchema<T, unknown>): T {
  const reader = new Reader(r.frame.subarray(4))
  const header = decodeRequestHeader(reader)
  return decodeRequest(api, header.apiVersion, reader)
}

async function roundTrip (bootstrap: string, topic: string, options: { transactional?: boolean } = {}): Promise<void> {
  const client = new Client({ brokers: [bootstrap] })
  const producer = client.producer(options.transactional === true ? { transactionalId: `${topic}-txn` } : {})
  const consumer = client.consumer({ maxWaitMs: 100, isolationLevel: 'read_committed' })
  try {
    if (options.transactional === true) { await producer.initTransactions(); producer.beginTransaction() }
    await producer.send({ topic, messages: [0, 1, 2, 3].map((i) => ({ value: `${topic}-${i}`, partition: i % 2 })) })
    if (options.transactional === true) await producer.commitTransaction()
    consumer.assign([{ topic, partition: 0, offset: 0n }, { topic, partition: 1, offset: 0n }])
    const got: ConsumerMessage[] = []
    for await (const batch of consumer) {
      got.push(...batch.messages)
      if (got.length >= 4) break
    }
    assert.deepEqual(got.map((m) => m.value!.toString()).sort(), [0, 1, 2, 3].map((i) => `${topic}-${i}`))
  } finally {
    await consumer.close()
    await producer.close()
  }
}

test('Produce 13 and Fetch 13+ name topics by id; names at 12 when the broker offers no more or Metadata has no ids', { timeout: 120_000 }, async () => {
  const proxy = await startCaptureProxy()
  const broker = await startTestBroker({ 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` })
  proxy.setTarget('127.0.0.1', broker.port)
  const admin = new Client({ brokers: [broker.bootstrap] }).admin()
  try {
    for (const t of ['by-id', 'by-name', 'no-ids', 'txn']) await admin.createTopics([{ topic: t, numPartitions: 2 }])
    const [meta] = await admin.describeTopics(['by-id'])
    const id = meta!.topicId!
    assert.notEqual(id, null)

    // Each round trip is a new client on new connections (a late request of an earlier client's
    // closing connection is not counted).
    const requestsOf = async (run: () => Promise<void>): Promise<CapturedRequest[]> => {
      const lastConnection = Math.max(-1, ...proxy.requests.map((r) => r.connection))
      await run()
      return proxy.requests.filter((r) => r.connection > lastConnection)
    }

    // The broker's own versions: Produce 13, Fetch 18.
    const withIds = await requestsOf(async () => await roundTrip(proxy.bootstrap, 'by-id'))
    const produced = withIds.filter((r) => r.apiKey === produceApi.key)
    assert.ok(produced.length > 0 && produced.every((r) => r.apiVersion === 13), `Produce versions ${produced.map((r) => r.apiVersion).join(', ')}`)
    const p13 = decoded<ProduceRequest>(produced[0]!, produceApi)
    // A field absent at a version decodes as its default: no name on the wire.
    assert.deepEqual(p13.topicData.map((t) => [t.topicId, t.name ?? '']), [[id, '']], 'Produce 13 names the topic by id only')
    const fetched = withIds.filter((r) => r.apiKey === fetchApi.key)
    assert.ok(fetched.length > 0 && fetched.every((r) => r.apiVersion === 18), `Fetch versions ${fetched.map((r) => r.apiVersion).join(', ')}`)
    const f18 = decoded<FetchRequest>(fetched[0]!, fetchApi)
    assert.deepEqual(f18.topics.map((t) => [t.topicId, t.topic ?? '']), [[id, '']], 'Fetch 18 names the topic by id only')

    // A broker that offers up to Produce 12 / Fetch 12 (Kafka 3.x): names.
    proxy.setVersionCaps(new Map([[produceApi.key, 12], [fetchApi.key, 12]]))
    const named = await requestsOf(async () => await roundTrip(proxy.bootstrap, 'by-name'))
    assert.deepEqual([...new Set(named.filter((r) => r.apiKey === produceApi.key).map((r) => r.apiVersion))], [12])
    assert.deepEqual([...new Set(named.filter((r) => r.apiKey === fetchApi.key).map((r) => r.apiVersion))], [12])
    const f12 = decoded<FetchRequest>(named.find((r) => r.apiKey === fetchApi.key)!, fetchApi)
    assert.deepEqual(f12.topics.map((t) => t.topic), ['by-name'])

    // Produce 13 and Fetch 18 offered, but Metadata before v10 carries no topic ids: names at 12.
    proxy.setVersionCaps(new Map([[metadataApi.key, 9]]))
    const noIds = await requestsOf(async () => await roundTrip(proxy.bootstrap, 'no-ids'))
    assert.deepEqual([...new Set(noIds.filter((r) => r.apiKey === metadataApi.key).map((r) => r.apiVersion))], [9])
    assert.deepEqual([...new Set(noIds.filter((r) => r.apiKey === produceApi.key).map((r) => r.apiVersion))], [12])
    assert.deepEqual([...new Set(noIds.filter((r) => r.apiKey === fetchApi.key).map((r) => r.apiVersion))], [12])
    const p12 = decoded<ProduceRequest>(noIds.find((r) => r.apiKey === produceApi.key)!, produceApi)
    assert.deepEqual(p12.topicData.map((t) => t.name), ['no-ids'])

    // Transactional: Produce 11 (transaction protocol v1), Fetch by id.
    proxy.setVersionCaps(new Map())
    const txn = await requestsOf(async () => await roundTrip(proxy.bootstrap, 'txn', { transactional: true }))
    assert.deepEqual([...new Set(txn.filter((r) => r.apiKey === produceApi.key).map((r) => r.apiVersion))], [11])
    assert.deepEqual([...new Set(txn.filter((r) => r.apiKey === fetchApi.key).map((r) => r.apiVersion))], [18])
    assert.ok(txn.filter((r) => r.apiKey === fetchApi.key).every((r) => decoded<FetchRequest>(r, fetchApi).topics.every((t) => t.topicId !== ZERO)))
  } finally {
    await admin.close()
    await broker.close()
    await proxy.close()
  }
})
