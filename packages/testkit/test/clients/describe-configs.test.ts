// DescribeConfigs and dynamic broker configs through real clients: kafkajs and
// @platformatic/kafka with empty config-name lists (all configs, as Kafka) and documentation;
// kafkajs and confluent-kafka-python altering Kafka's dynamic broker configs (cluster-wide and
// per-listener ones) on the broker's resource, and seeing a keystore setting without a listener
// prefix refused. Neither client can address the cluster-default resource (an empty name: both
// refuse it before sending); the broker's own tests cover that level over raw requests.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { Admin } from '@platformatic/kafka'
import { assertSucceeded, ensurePromiseWithResolvers, fixturePath, runPython, startTestBroker } from '@brook/testkit'

const { Kafka, ConfigResourceTypes, logLevel } = kafkajs
ensurePromiseWithResolvers()

// confluent_kafka.admin.ConfigSource values.
const DYNAMIC_BROKER_CONFIG = 2

// kafkajs writes an empty configNames list as null on the wire, so this shows the client's view
// only; @platformatic/kafka below sends a real empty array.
test('kafkajs: describeConfigs with empty configNames lists every config, as without names', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker()
  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: [{ topic: 'described', numPartitions: 1 }] })
    for (const [type, name] of [[ConfigResourceTypes.TOPIC, 'described'], [ConfigResourceTypes.BROKER, String(broker.nodeId)]] as const) {
      const all = await admin.describeConfigs({ resources: [{ type, name }], includeSynonyms: false })
      const empty = await admin.describeConfigs({ resources: [{ type, name, configNames: [] }], includeSynonyms: false })
      const names = (r: typeof all): string[] => (r.resources[0]?.configEntries ?? []).map((e) => e.configName).sort()
      assert.ok(names(all).length > 30, `resource ${type} lists its configs`)
      assert.deepEqual(names(empty), names(all), `resource ${type}: [] means all`)
    }
  } finally {
    await admin.disconnect()
    await broker.close()
  }
})

test('@platformatic/kafka: describeConfigs with empty configurationKeys and documentation', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker()
  const admin = new Admin({ clientId: 'brook-describe-configs', bootstrapBrokers: [broker.bootstrap], retries: 3, retryDelay: 200 })
  try {
    await admin.createTopics({ topics: ['documented'], partitions: 1, replicas: 1 })
    const described = await admin.describeConfigs({
      resources: [
        { resourceType: ConfigResourceTypes.TOPIC, resourceName: 'documented', configurationKeys: [] },
        { resourceType: ConfigResourceTypes.BROKER, resourceName: String(broker.nodeId), configurationKeys: [] }
      ],
      includeSynonyms: true,
      includeDocumentation: true
    })
    assert.equal(described.length, 2)
    for (const resource of described) {
      assert.ok(resource.configs.length > 30, `${resource.resourceName}: every config`)
      const undocumented = resource.configs.filter((c) => typeof c.documentation !== 'string' || c.documentation === '').map((c) => c.name)
      assert.deepEqual(undocumented, [], `${resource.resourceName}: every config documented`)
    }
    const brokerConfigs = new Map(described[1]?.configs.map((c) => [c.name, c]))
    assert.match(brokerConfigs.get('num.io.threads')?.documentation ?? '', /Accepted and stored; not used by Brook yet/)
    const retention = described[0]?.configs.find((c) => c.name === 'retention.ms')
    assert.equal(retention?.value, '604800000')
    assert.deepEqual(retention?.synonyms, [], 'Kafka lists no synonyms when log.retention.ms is not set')
  } finally {
    await admin.close()
    await broker.close()
  }
})

test('kafkajs: alterConfigs takes Kafka\'s dynamic broker configs', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker()
  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    const self = String(broker.nodeId)
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: self, configEntries: [
      { name: 'num.network.threads', value: '4' }, { name: 'follower.replication.throttled.rate', value: '1000000' },
      { name: 'max.connections.per.ip', value: '64' }, { name: 'listener.name.plaintext.ssl.truststore.location', value: '/etc/brook/trust.jks' },
      { name: 'ssl.client.auth', value: 'required' }
    ] }] })
    const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: self }], includeSynonyms: false })
    const entries = new Map((described.resources[0]?.configEntries ?? []).map((e) => [e.configName, [e.configValue, e.configSource, e.readOnly]]))
    assert.deepEqual(entries.get('num.network.threads'), ['4', DYNAMIC_BROKER_CONFIG, false])
    assert.deepEqual(entries.get('follower.replication.throttled.rate'), ['1000000', DYNAMIC_BROKER_CONFIG, false])
    assert.deepEqual(entries.get('max.connections.per.ip'), ['64', DYNAMIC_BROKER_CONFIG, false])
    assert.deepEqual(entries.get('listener.name.plaintext.ssl.truststore.location'), ['/etc/brook/trust.jks', DYNAMIC_BROKER_CONFIG, false])
    assert.deepEqual(entries.get('ssl.client.auth'), ['required', DYNAMIC_BROKER_CONFIG, false])
    await assert.rejects(admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: self, configEntries: [{ name: 'ssl.truststore.location', value: '/x.jks' }] }] }),
      (err: unknown) => (err as { type?: string }).type === 'INVALID_REQUEST')
  } finally {
    await admin.disconnect()
    await broker.close()
  }
})

test('confluent-kafka-python: alter_configs on cluster-wide and per-listener broker configs', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker()
  try {
    const run = assertSucceeded('confluent_dynamic_broker_configs.py', await runPython(
      fixturePath('confluent_dynamic_broker_configs.py'), [broker.bootstrap, String(broker.nodeId)], { timeoutMs: 50_000 }))
    const report = JSON.parse(run.stdout.toString('utf8')) as {
      cluster_wide: null | { name: string }
      per_listener: null | { name: string }
      unprefixed: null | { name: string, message: string }
      broker: Record<string, { value: string | null, source: number, read_only: boolean, sensitive: boolean }>
    }
    assert.equal(report.cluster_wide, null)
    assert.equal(report.per_listener, null)
    assert.equal(report.unprefixed?.name, 'INVALID_REQUEST')
    assert.match(report.unprefixed?.message ?? '', /These security configs can be dynamically updated only per-listener using the listener prefix/)
    assert.deepEqual(report.broker['num.io.threads'], { value: '12', source: DYNAMIC_BROKER_CONFIG, read_only: false, sensitive: false })
    assert.deepEqual(report.broker['leader.replication.throttled.rate'], { value: '2097152', source: DYNAMIC_BROKER_CONFIG, read_only: false, sensitive: false })
    assert.deepEqual(report.broker['listener.name.internal.ssl.keystore.location'], { value: '/etc/brook/internal.jks', source: DYNAMIC_BROKER_CONFIG, read_only: false, sensitive: false })
    assert.deepEqual(report.broker['listener.name.internal.ssl.keystore.password'], { value: null, source: DYNAMIC_BROKER_CONFIG, read_only: false, sensitive: true })
  } finally {
    await broker.close()
  }
})
