// The client metrics subscription store on its own: matching on every KIP-714 selector, the
// union / smallest-interval rule, persistence across a restart (the file in the log dir) and the
// recovery rule for a file that does not parse.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CLIENT_METRICS_FILE, ClientMetricsSubscriptions, type ClientSelectorInput } from '../../src/telemetry/subscriptions.js'

const client: ClientSelectorInput = {
  clientId: 'orders-1',
  clientInstanceId: 'a7c3b5e2-0000-4000-8000-000000000001',
  clientSoftwareName: 'confluent-kafka-javascript',
  clientSoftwareVersion: '1.4.0-librdkafka-2.15.0',
  clientSourceAddress: '127.0.0.1',
  clientSourcePort: 50123
}

test('a client gets the union of the subscriptions it matches, at the smallest interval', { timeout: 10_000 }, async () => {
  const subs = new ClientMetricsSubscriptions(null)
  assert.deepEqual(subs.subscriptionFor(client), { requestedMetrics: [], pushIntervalMs: 300_000 })
  await subs.alter('producers', [{ name: 'metrics', value: 'org.apache.kafka.producer.', op: 0 }, { name: 'interval.ms', value: '20000', op: 0 }], false)
  await subs.alter('rdkafka', [
    { name: 'metrics', value: 'org.apache.kafka.consumer.,org.apache.kafka.producer.', op: 0 },
    { name: 'interval.ms', value: '5000', op: 0 },
    { name: 'match', value: 'client_software_name=confluent-.*,client_software_version=.*librdkafka-2\\.15.*,client_source_address=127\\.0\\.0\\.1,client_source_port=50\\d+,client_id=orders-\\d', op: 0 }
  ], false)
  await subs.alter('elsewhere', [{ name: 'metrics', value: '*', op: 0 }, { name: 'interval.ms', value: '100', op: 0 }, { name: 'match', value: 'client_instance_id=nobody', op: 0 }], false)
  assert.deepEqual(subs.subscriptionFor(client), { requestedMetrics: ['org.apache.kafka.consumer.', 'org.apache.kafka.producer.'], pushIntervalMs: 5000 })
  // One selector that fails is enough to leave a subscription out.
  assert.deepEqual(subs.subscriptionFor({ ...client, clientSourcePort: 60000 }), { requestedMetrics: ['org.apache.kafka.producer.'], pushIntervalMs: 20000 })
  // `*` from any matching subscription means every metric.
  assert.deepEqual(subs.subscriptionFor({ ...client, clientInstanceId: 'nobody' }), { requestedMetrics: ['*'], pushIntervalMs: 100 })
  assert.deepEqual(subs.names(), ['elsewhere', 'producers', 'rdkafka'])
})

test('subscriptions survive a restart; a file that does not parse stops the start', { timeout: 10_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brook-client-metrics-'))
  try {
    const subs = new ClientMetricsSubscriptions(dir)
    await subs.load()
    await subs.alter('all', [{ name: 'metrics', value: '*', op: 0 }, { name: 'interval.ms', value: '500', op: 0 }], false)
    await subs.alter('checked', [{ name: 'metrics', value: '*', op: 0 }], true)
    const before = subs.version
    await subs.alter('gone', [{ name: 'metrics', value: 'x', op: 0 }], false)
    await subs.alter('gone', [{ name: 'metrics', op: 1 }], false)
    assert.ok(subs.version > before)

    const reopened = new ClientMetricsSubscriptions(dir)
    await reopened.load()
    assert.deepEqual(reopened.names(), ['all'], 'validate-only and removed subscriptions are not kept')
    assert.deepEqual(reopened.configs('all'), { metrics: '*', 'interval.ms': '500' })
    assert.deepEqual(reopened.subscriptionFor(client), { requestedMetrics: ['*'], pushIntervalMs: 500 })

    const text = await readFile(join(dir, CLIENT_METRICS_FILE), 'utf8')
    await writeFile(join(dir, CLIENT_METRICS_FILE), text.slice(0, text.length / 2))
    await assert.rejects(new ClientMetricsSubscriptions(dir).load(), /BROOK_BAD_CLIENT_METRICS_FILE/)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
