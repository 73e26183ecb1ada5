// KIP-714 client metrics subscriptions end to end: a subscription set with IncrementalAlterConfigs
// (CLIENT_METRICS, type 16) through Brook's admin client makes a real librdkafka 2.15 client push
// its metrics, which the broker's /metrics then shows under the client's id. DescribeConfigs and
// ListConfigResources report the subscription; bad values are INVALID_CONFIG; a client matched
// under an older set of subscriptions gets UNKNOWN_SUBSCRIPTION_ID and a new subscription.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin, ConfigResourceType, KafkaError } from '@brook/client'
import { ErrorCode, getTelemetrySubscriptionsApi, listConfigResourcesApi, pushTelemetryApi, ZERO_UUID } from '@brook/protocol'
import { loadKafkaJavascript, requestTo } from '@brook/testkit'
import { scrape, startHttpBroker, type HttpBroker } from '../http/harness.js'

const CLIENT_METRICS = ConfigResourceType.ClientMetrics
let h: HttpBroker
let admin: Admin

before(async () => {
  loadKafkaJavascript() // fails with the install script's name when librdkafka 2.15 is not built
  h = await startHttpBroker()
  admin = new Admin({ clientId: 'kip714-admin', brokers: [h.broker.bootstrap] })
})
after(async () => {
  await admin.close()
  await h.close()
})

async function waitFor<T> (what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = await probe()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

async function refusedWith (changes: Array<{ name: string, value: string }>): Promise<KafkaError> {
  const err = await admin.alterConfigs({ type: CLIENT_METRICS, name: 'bad' }, changes).then(() => null, (e: unknown) => e)
  assert.ok(err instanceof KafkaError, `expected a Kafka error, got ${String(err)}`)
  return err
}

test('a librdkafka client pushes the metrics a subscription asks for, and /metrics shows them', { timeout: 120_000 }, async () => {
  await admin.alterConfigs({ type: CLIENT_METRICS, name: 'kip714-all' }, [
    { name: 'metrics', value: '*' },
    { name: 'interval.ms', value: '500' },
    { name: 'match', value: 'client_id=kip714-.*' }
  ])

  const described = await admin.describeConfigs({ type: CLIENT_METRICS, name: 'kip714-all' })
  const byName = new Map(described.map((c) => [c.name, c]))
  assert.equal(byName.get('metrics')?.value, '*')
  assert.equal(byName.get('interval.ms')?.value, '500')
  assert.equal(byName.get('match')?.value, 'client_id=kip714-.*')
  assert.equal(byName.get('interval.ms')?.source, 7, 'DYNAMIC_CLIENT_METRICS_CONFIG')

  const listed = await requestTo(h.broker.port, listConfigResourcesApi, 1, { resourceTypes: [16] })
  assert.equal(listed.errorCode, ErrorCode.NONE)
  assert.deepEqual(listed.configResources.map((r) => [r.resourceName, r.resourceType]), [['kip714-all', 16]])

  // The raw client's id (brook-testkit) does not match: it gets the empty subscription.
  const unmatched = await requestTo(h.broker.port, getTelemetrySubscriptionsApi, 0, { clientInstanceId: ZERO_UUID })
  assert.equal(unmatched.errorCode, ErrorCode.NONE)
  assert.deepEqual(unmatched.requestedMetrics, [])
  assert.equal(unmatched.pushIntervalMs, 300_000)

  const kafka = loadKafkaJavascript()
  const consumer = new kafka.KafkaConsumer({ 'bootstrap.servers': h.broker.bootstrap, 'client.id': 'kip714-telemetry', 'group.id': 'kip714-telemetry' })
  await new Promise<void>((resolve, reject) => { consumer.connect({}, (err) => { if (err !== null) reject(new Error(err.message)); else resolve() }) })
  try {
    const series = await waitFor('brook_client_metric from kip714-telemetry', async () => {
      const found = (await scrape(h.url)).filter((s) => s.name === 'brook_client_metric' && s.labels.client_id === 'kip714-telemetry')
      return found.length > 0 ? found : undefined
    })
    assert.ok(series.every((s) => s.labels.metric?.startsWith('org.apache.kafka.') === true), `metric names: ${series.map((s) => s.labels.metric).join(', ')}`)
    const instance = h.broker.clientMetrics.instances().find((i) => i.clientId === 'kip714-telemetry')
    assert.deepEqual(instance?.subscription, { requestedMetrics: ['*'], pushIntervalMs: 500 })
  } finally {
    await new Promise<void>((resolve) => { consumer.disconnect(() => { resolve() }) })
  }
})

test('a changed set of subscriptions re-matches a client: its old subscription id is refused', { timeout: 60_000 }, async () => {
  const target = { type: CLIENT_METRICS, name: 'kip714-testkit' }
  await admin.alterConfigs(target, [{ name: 'metrics', value: 'org.apache.kafka.producer.' }, { name: 'interval.ms', value: '60000' }, { name: 'match', value: 'client_id=brook-testkit' }])
  const first = await requestTo(h.broker.port, getTelemetrySubscriptionsApi, 0, { clientInstanceId: ZERO_UUID })
  assert.equal(first.errorCode, ErrorCode.NONE)
  assert.deepEqual(first.requestedMetrics, ['org.apache.kafka.producer.'])
  assert.equal(first.pushIntervalMs, 60_000)

  await admin.alterConfigs(target, [{ name: 'metrics', value: 'org.apache.kafka.consumer.', op: 'append' }, { name: 'interval.ms', value: '30000' }])
  const stale = await requestTo(h.broker.port, pushTelemetryApi, 0, {
    clientInstanceId: first.clientInstanceId, subscriptionId: first.subscriptionId, terminating: false, compressionType: 0, metrics: Buffer.alloc(0)
  })
  assert.equal(stale.errorCode, ErrorCode.UNKNOWN_SUBSCRIPTION_ID)
  const again = await requestTo(h.broker.port, getTelemetrySubscriptionsApi, 0, { clientInstanceId: first.clientInstanceId })
  assert.equal(again.errorCode, ErrorCode.NONE, 'not throttled: the client must fetch its new subscription')
  assert.notEqual(again.subscriptionId, first.subscriptionId)
  assert.deepEqual(again.requestedMetrics, ['org.apache.kafka.consumer.', 'org.apache.kafka.producer.'])
  assert.equal(again.pushIntervalMs, 30_000)

  // Deleting every config removes the subscription.
  await admin.alterConfigs(target, [{ name: 'metrics', op: 'delete' }, { name: 'interval.ms', op: 'delete' }, { name: 'match', op: 'delete' }])
  const listed = await requestTo(h.broker.port, listConfigResourcesApi, 1, { resourceTypes: [16] })
  assert.ok(!listed.configResources.some((r) => r.resourceName === 'kip714-testkit'))
})

test('bad subscriptions are INVALID_CONFIG with a message saying why, and nothing is stored', { timeout: 30_000 }, async () => {
  const badRegex = await refusedWith([{ name: 'match', value: 'client_id=kip714-[' }])
  assert.equal(badRegex.code, ErrorCode.INVALID_CONFIG)
  assert.match(badRegex.message, /regex/i)
  const unknownSelector = await refusedWith([{ name: 'match', value: 'client_colour=blue' }])
  assert.equal(unknownSelector.code, ErrorCode.INVALID_CONFIG)
  assert.match(unknownSelector.message, /client_colour/)
  const tooShort = await refusedWith([{ name: 'interval.ms', value: '50' }])
  assert.equal(tooShort.code, ErrorCode.INVALID_CONFIG)
  assert.match(tooShort.message, /between 100 and 3600000/)
  const unknownName = await refusedWith([{ name: 'metrics.please', value: '*' }])
  assert.equal(unknownName.code, ErrorCode.INVALID_CONFIG)
  assert.match(unknownName.message, /metrics\.please/)
  const listed = await requestTo(h.broker.port, listConfigResourcesApi, 1, { resourceTypes: [16] })
  assert.ok(!listed.configResources.some((r) => r.resourceName === 'bad'))
})
