import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { apiVersionsApi, ApiKey, createTopicsApi, decodeResponseFrame, encodeRequestFrame, ErrorCode, fetchApi, metadataApi, produceApi } from '@brook/protocol'
import { HANDLERS } from '../../src/handlers/index.js'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { fetchBody } from '../helpers/records.js'

let broker: TestBroker

before(async () => { broker = await startTestBroker({ 'socket.request.max.bytes': '4096' }) })
after(async () => { await broker.destroy() })

test('ApiVersions advertises exactly the registry, Produce from v0', async () => {
  const client = await RawClient.connect(broker.bootstrap)
  for (const version of [0, 3]) {
    const response = await client.request(apiVersionsApi, version, { clientSoftwareName: 'test', clientSoftwareVersion: '1' })
    assert.equal(response.errorCode, ErrorCode.NONE)
    assert.deepEqual(response.apiKeys.map((k) => k.apiKey), HANDLERS.map((h) => h.api.key))
    const produce = response.apiKeys.find((k) => k.apiKey === ApiKey.Produce)
    assert.deepEqual(produce, { apiKey: ApiKey.Produce, minVersion: 0, maxVersion: 13 })
    const fetch = response.apiKeys.find((k) => k.apiKey === ApiKey.Fetch)
    assert.deepEqual(fetch, { apiKey: ApiKey.Fetch, minVersion: 4, maxVersion: 18 })
  }
  client.close()
})

test('an unsupported ApiVersions version gets a v0 answer with UNSUPPORTED_VERSION and the list', async () => {
  const client = await RawClient.connect(broker.bootstrap)
  // v4 exists in the schema but Brook serves 0-3: the answer is v0-encoded whatever was asked.
  const frame = await client.requestRaw(apiVersionsApi, 4, {})
  const v0 = decodeResponseFrame(frame, apiVersionsApi, 0).body
  assert.equal(v0.errorCode, ErrorCode.UNSUPPORTED_VERSION)
  assert.ok(v0.apiKeys.some((k) => k.apiKey === ApiKey.ApiVersions && k.maxVersion === 3))
  // The connection stays usable.
  const ok = await client.request(apiVersionsApi, 3, {})
  assert.equal(ok.errorCode, ErrorCode.NONE)
  client.close()
})

test('Produce v0-2 is advertised but refused by closing the connection, as Kafka 4', async () => {
  const client = await RawClient.connect(broker.bootstrap)
  await assert.rejects(client.request(produceApi, 2, { acks: 1, timeoutMs: 1000, topicData: [] }), /connection closed/)
  await client.closed
})

test('an unknown api key closes the connection', async () => {
  const client = await RawClient.connect(broker.bootstrap)
  // A header naming api key 999: int32 size, int16 key, int16 version, int32 correlation id, client id.
  const frame = Buffer.from([0, 0, 0, 10, 0x03, 0xe7, 0, 0, 0, 0, 0, 1, 0xff, 0xff])
  client.writeRaw(frame)
  await client.closed
})

test('an oversized frame closes that connection while another keeps working', async () => {
  const bad = await RawClient.connect(broker.bootstrap)
  const good = await RawClient.connect(broker.bootstrap)
  const size = Buffer.alloc(4)
  size.writeInt32BE(1_000_000)
  bad.writeRaw(size)
  await bad.closed
  const response = await good.request(metadataApi, 12, { topics: [], allowAutoTopicCreation: false })
  assert.equal(response.brokers[0]?.port, broker.port)
  good.close()
})

test('a body that does not decode closes the connection', async () => {
  const client = await RawClient.connect(broker.bootstrap)
  const frame = Buffer.concat(encodeRequestFrame(7, 'x', metadataApi, 1, { topics: [{ name: 'abc' }] }))
  // Claim a huge topics array in a tiny frame.
  const truncated = frame.subarray(0, frame.length - 5)
  truncated.writeInt32BE(truncated.length - 4, 0)
  client.writeRaw(truncated)
  await client.closed
})

test('pipelined requests are answered in request order', async () => {
  const client = await RawClient.connect(broker.bootstrap)
  const answers = await Promise.all([
    client.request(metadataApi, 12, { topics: null, allowAutoTopicCreation: false }),
    client.request(apiVersionsApi, 3, {}),
    client.request(metadataApi, 1, { topics: [] }),
    client.request(apiVersionsApi, 0, {})
  ])
  assert.equal(answers.length, 4)
  assert.equal(client.unexpected.length, 0)
  client.close()
})

test('a quick request waits behind a slow one on the same connection', async () => {
  const client = await RawClient.connect(broker.bootstrap)
  await client.request(createTopicsApi, 7, {
    topics: [{ name: 'slow', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 1000
  })
  const order: string[] = []
  const slow = client.request(fetchApi, 11, fetchBody('slow', 0n, { maxWaitMs: 200 })).then(() => order.push('fetch'))
  const quick = client.request(apiVersionsApi, 3, {}).then(() => order.push('apiVersions'))
  await Promise.all([slow, quick])
  assert.deepEqual(order, ['fetch', 'apiVersions'])
  assert.equal(client.unexpected.length, 0)
  client.close()
})
