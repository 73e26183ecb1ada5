// KIP-714 client metrics on /metrics: a client instance subscribes (GetTelemetrySubscriptions) and
// pushes an OTLP MetricsData (PushTelemetry) over a real socket; the scrape, parsed with the
// Prometheus parser, shows each gauge and sum data point as brook_client_metric with the client's
// id, instance id, metric name and attributes. A push of bytes that are not OTLP is counted as
// undecodable and the scrape still works.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { getTelemetrySubscriptionsApi, pushTelemetryApi, ZERO_UUID } from '@brook/protocol'
import { requestTo } from '@brook/testkit'
import { sample, scrape, startHttpBroker, type HttpBroker } from './harness.js'

let h: HttpBroker
before(async () => { h = await startHttpBroker() })
after(async () => { await h.close() })

// A minimal protobuf writer for the test's OTLP message (field numbers of OpenTelemetry's metrics.proto).
function varint (n: number): Buffer {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  out.push(n)
  return Buffer.from(out)
}
const bytes = (field: number, value: Buffer): Buffer => Buffer.concat([varint(field * 8 + 2), varint(value.length), value])
const str = (field: number, value: string): Buffer => bytes(field, Buffer.from(value, 'utf8'))
function double (field: number, value: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeDoubleLE(value)
  return Buffer.concat([varint(field * 8 + 1), b])
}
function int64 (field: number, value: bigint): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigInt64LE(value)
  return Buffer.concat([varint(field * 8 + 1), b])
}
const attribute = (key: string, value: string): Buffer => bytes(7, Buffer.concat([str(1, key), bytes(2, str(1, value))]))

function metricsData (): Buffer {
  const gauge = Buffer.concat([str(1, 'org.apache.kafka.producer.record.queue.time.avg'), bytes(5, bytes(1, double(4, 12.5)))])
  const sum = Buffer.concat([
    str(1, 'org.apache.kafka.producer.node.request.count'),
    bytes(7, Buffer.concat([
      bytes(1, Buffer.concat([attribute('node.id', '1'), int64(6, 42n)])),
      bytes(1, Buffer.concat([attribute('node.id', '2'), attribute('client.rack', 'a'), int64(6, 7n)]))
    ]))
  ])
  const histogram = Buffer.concat([str(1, 'org.apache.kafka.some.histogram'), bytes(9, Buffer.from([]))])
  const scopeMetrics = Buffer.concat([bytes(2, gauge), bytes(2, sum), bytes(2, histogram)])
  return bytes(1, bytes(2, scopeMetrics))
}

async function pushed (metrics: Buffer): Promise<string> {
  const sub = await requestTo(h.broker.port, getTelemetrySubscriptionsApi, 0, { clientInstanceId: ZERO_UUID })
  assert.equal(sub.errorCode, 0)
  const push = await requestTo(h.broker.port, pushTelemetryApi, 0, { clientInstanceId: sub.clientInstanceId, subscriptionId: sub.subscriptionId, terminating: false, compressionType: 0, metrics })
  assert.equal(push.errorCode, 0)
  return sub.clientInstanceId
}

test('pushed client metrics are scraped per client instance, metric and attributes', { timeout: 60_000 }, async () => {
  const instance = await pushed(metricsData())
  const samples = await scrape(h.url)
  const labels = { client_id: 'brook-testkit', client_instance_id: instance }
  assert.equal(sample(samples, 'brook_client_metric', { ...labels, metric: 'org.apache.kafka.producer.record.queue.time.avg', attributes: '' }), 12.5)
  assert.equal(sample(samples, 'brook_client_metric', { ...labels, metric: 'org.apache.kafka.producer.node.request.count', attributes: 'node.id=1' }), 42)
  assert.equal(sample(samples, 'brook_client_metric', { ...labels, metric: 'org.apache.kafka.producer.node.request.count', attributes: 'client.rack=a,node.id=2' }), 7)
  assert.equal(samples.filter((s) => s.name === 'brook_client_metric' && s.labels.client_instance_id === instance).length, 3, 'the histogram is left out')
  assert.ok(sample(samples, 'brook_client_telemetry_instances') >= 1)

  const garbage = await pushed(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]))
  const after = await scrape(h.url)
  assert.equal(sample(after, 'brook_client_metric_undecodable_instances'), 1)
  assert.ok(!after.some((s) => s.name === 'brook_client_metric' && s.labels.client_instance_id === garbage))
  assert.equal(sample(after, 'brook_client_metric', { ...labels, metric: 'org.apache.kafka.producer.record.queue.time.avg', attributes: '' }), 12.5)
  assert.equal(sample(after, 'brook_client_metric_dropped_series'), 0)
})
