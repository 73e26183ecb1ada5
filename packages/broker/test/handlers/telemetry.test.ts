// GetTelemetrySubscriptions / PushTelemetry (KIP-714) over a real socket, and what the broker
// keeps: the latest metrics per client instance, decompressed.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import { ErrorCode, getTelemetrySubscriptionsApi, pushTelemetryApi, ZERO_UUID } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'

let broker: TestBroker
let client: RawClient

before(async () => {
  broker = await startTestBroker({ 'telemetry.max.bytes': '1024' })
  client = await RawClient.connect(broker.bootstrap)
})
after(async () => {
  client.close()
  await broker.destroy()
})

const GZIP = 1

test('a new client gets an id and the empty subscription; its pushes are kept', { timeout: 10_000 }, async () => {
  const sub = await client.request(getTelemetrySubscriptionsApi, 0, { clientInstanceId: ZERO_UUID })
  assert.equal(sub.errorCode, ErrorCode.NONE)
  assert.notEqual(sub.clientInstanceId, ZERO_UUID)
  assert.deepEqual(sub.requestedMetrics, [])
  assert.equal(sub.pushIntervalMs, 300_000)
  assert.equal(sub.telemetryMaxBytes, 1024)
  assert.deepEqual(sub.acceptedCompressionTypes, [4, 3, 1, 2])
  assert.equal(sub.deltaTemporality, true)

  const metrics = Buffer.from('otlp-metrics-data-bytes')
  const push = (over: Partial<{ subscriptionId: number, terminating: boolean, compressionType: number, metrics: Buffer }>) =>
    client.request(pushTelemetryApi, 0, { clientInstanceId: sub.clientInstanceId, subscriptionId: sub.subscriptionId, terminating: false, compressionType: GZIP, metrics: gzipSync(metrics), ...over })

  assert.equal((await push({ subscriptionId: sub.subscriptionId + 1 })).errorCode, ErrorCode.UNKNOWN_SUBSCRIPTION_ID)
  // After an UNKNOWN_SUBSCRIPTION_ID the client may ask again at once.
  const again = await client.request(getTelemetrySubscriptionsApi, 0, { clientInstanceId: sub.clientInstanceId })
  assert.equal(again.errorCode, ErrorCode.NONE)
  assert.equal(again.subscriptionId, sub.subscriptionId)
  assert.equal((await push({})).errorCode, ErrorCode.NONE)
  const kept = broker.clientMetrics.get(sub.clientInstanceId)
  assert.equal(kept?.latest?.metrics.toString(), metrics.toString(), 'kept decompressed')
  assert.equal(kept?.clientId, 'brook-test')

  // Sooner than the push interval: throttled; a terminating push is still taken, then no more.
  assert.equal((await push({})).errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED)
  assert.equal((await push({ terminating: true, metrics: gzipSync(Buffer.from('last')) })).errorCode, ErrorCode.NONE)
  assert.equal(broker.clientMetrics.get(sub.clientInstanceId)?.latest?.metrics.toString(), 'last')
  assert.equal((await push({ terminating: true })).errorCode, ErrorCode.INVALID_REQUEST)
})

test('bad pushes get Kafka\'s codes; asking again too soon is throttled', { timeout: 10_000 }, async () => {
  const zero = await client.request(pushTelemetryApi, 0, { clientInstanceId: ZERO_UUID, subscriptionId: 0, terminating: false, compressionType: 0, metrics: Buffer.alloc(0) })
  assert.equal(zero.errorCode, ErrorCode.INVALID_REQUEST)
  const fresh = async () => await client.request(getTelemetrySubscriptionsApi, 0, { clientInstanceId: ZERO_UUID })
  const a = await fresh()
  const b = await fresh()
  assert.notEqual(a.clientInstanceId, b.clientInstanceId)
  const base = { clientInstanceId: a.clientInstanceId, subscriptionId: a.subscriptionId, terminating: false }
  assert.equal((await client.request(pushTelemetryApi, 0, { ...base, compressionType: 7, metrics: Buffer.from('x') })).errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE)
  const big = await client.request(getTelemetrySubscriptionsApi, 0, { clientInstanceId: b.clientInstanceId })
  assert.equal(big.errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'a second request within the interval')
  const tooLarge = { clientInstanceId: b.clientInstanceId, subscriptionId: b.subscriptionId, terminating: false, compressionType: 0, metrics: Buffer.alloc(2048) }
  assert.equal((await client.request(pushTelemetryApi, 0, tooLarge)).errorCode, ErrorCode.TELEMETRY_TOO_LARGE)
  const c = await fresh()
  const corrupt = { clientInstanceId: c.clientInstanceId, subscriptionId: c.subscriptionId, terminating: false, compressionType: GZIP, metrics: Buffer.from('not gzip') }
  assert.equal((await client.request(pushTelemetryApi, 0, corrupt)).errorCode, ErrorCode.INVALID_RECORD)
})
