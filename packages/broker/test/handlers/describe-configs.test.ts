import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { alterConfigsApi, createTopicsApi, describeConfigsApi, ErrorCode, incrementalAlterConfigsApi } from '@brook/protocol'
import { TOPIC_CONFIG_DEFS } from '../../src/config/topic-defs.js'
import { ConfigSource } from '../../src/config/topic-config.js'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'

const TOPIC = 2
const BROKER = 4

let broker: TestBroker
let client: RawClient

before(async () => {
  broker = await startTestBroker({ 'log.retention.hours': '24' })
  client = await RawClient.connect(broker.bootstrap)
  await client.request(createTopicsApi, 7, {
    topics: [{ name: 'configured', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] }],
    timeoutMs: 1000
  })
})
after(async () => {
  client.close()
  await broker.destroy()
})

async function describeTopic (name: string, version = 4) {
  const response = await client.request(describeConfigsApi, version, {
    resources: [{ resourceType: TOPIC, resourceName: name, configurationKeys: null }],
    includeSynonyms: true,
    includeDocumentation: false
  })
  return response.results[0]
}

test('a topic lists every config with value, source and synonyms', async () => {
  const result = await describeTopic('configured')
  assert.equal(result?.errorCode, ErrorCode.NONE)
  assert.deepEqual(result?.configs.map((c) => c.name), TOPIC_CONFIG_DEFS.map((d) => d.name))
  const byName = new Map(result?.configs.map((c) => [c.name, c]))
  const policy = byName.get('cleanup.policy')
  assert.equal(policy?.value, 'compact')
  assert.equal(policy?.configSource, ConfigSource.DYNAMIC_TOPIC_CONFIG)
  const retention = byName.get('retention.ms')
  assert.equal(retention?.value, String(24 * 3_600_000))
  // Kafka lists retention.ms's synonyms from the first log.retention.ms entry on: with only
  // log.retention.hours set there is none, and the source reads DEFAULT_CONFIG.
  assert.equal(retention?.configSource, ConfigSource.DEFAULT_CONFIG)
  assert.deepEqual(retention?.synonyms, [])
  const segment = byName.get('segment.bytes')
  assert.equal(segment?.value, '1073741824')
  assert.equal(segment?.configSource, ConfigSource.DEFAULT_CONFIG)
  assert.equal(segment?.configType, 3)
  // v0 carries is_default instead of a source.
  const v0 = await describeTopic('configured', 0)
  const v0ByName = new Map(v0?.configs.map((c) => [c.name, c]))
  assert.equal(v0ByName.get('segment.bytes')?.isDefault, true)
  assert.equal(v0ByName.get('cleanup.policy')?.isDefault, false)
})

test('unknown topics, the broker and key filters', async () => {
  assert.equal((await describeTopic('missing'))?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  const response = await client.request(describeConfigsApi, 4, {
    resources: [
      { resourceType: BROKER, resourceName: String(broker.nodeId), configurationKeys: ['log.retention.hours', 'num.partitions'] },
      { resourceType: BROKER, resourceName: '999', configurationKeys: null }
    ],
    includeSynonyms: false
  })
  assert.deepEqual(response.results[0]?.configs.map((c) => [c.name, c.value, c.configSource, c.readOnly]), [
    // Only log.retention.ms is dynamic in Kafka, not its .hours and .minutes forms.
    ['log.retention.hours', '24', ConfigSource.STATIC_BROKER_CONFIG, true],
    ['num.partitions', '1', ConfigSource.DEFAULT_CONFIG, true]
  ])
  assert.equal(response.results[1]?.errorCode, ErrorCode.INVALID_REQUEST)
})

test('AlterConfigs replaces overrides; IncrementalAlterConfigs sets, appends and deletes', async () => {
  const altered = await client.request(alterConfigsApi, 2, {
    resources: [{ resourceType: TOPIC, resourceName: 'configured', configs: [{ name: 'retention.ms', value: '1000' }] }],
    validateOnly: false
  })
  assert.equal(altered.responses[0]?.errorCode, ErrorCode.NONE)
  let configs = new Map((await describeTopic('configured'))?.configs.map((c) => [c.name, c.value]))
  assert.equal(configs.get('retention.ms'), '1000')
  assert.equal(configs.get('cleanup.policy'), 'delete')

  const incremental = await client.request(incrementalAlterConfigsApi, 1, {
    resources: [{
      resourceType: TOPIC,
      resourceName: 'configured',
      configs: [
        { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
        { name: 'retention.ms', configOperation: 1, value: null },
        { name: 'max.message.bytes', configOperation: 0, value: '5000' }
      ]
    }],
    validateOnly: false
  })
  assert.equal(incremental.responses[0]?.errorCode, ErrorCode.NONE)
  configs = new Map((await describeTopic('configured'))?.configs.map((c) => [c.name, c.value]))
  assert.equal(configs.get('cleanup.policy'), 'delete,compact')
  assert.equal(configs.get('retention.ms'), String(24 * 3_600_000))
  assert.equal(configs.get('max.message.bytes'), '5000')

  const invalid = await client.request(incrementalAlterConfigsApi, 1, {
    resources: [{ resourceType: TOPIC, resourceName: 'configured', configs: [{ name: 'segment.bytes', configOperation: 2, value: '1' }] }],
    validateOnly: false
  })
  assert.equal(invalid.responses[0]?.errorCode, ErrorCode.INVALID_CONFIG)
})

test('empty configuration_keys mean all configs, as null does; documentation when asked for', { timeout: 30_000 }, async () => {
  const ask = async (resourceType: number, resourceName: string, configurationKeys: string[] | null, includeDocumentation: boolean) =>
    (await client.request(describeConfigsApi, 4, { resources: [{ resourceType, resourceName, configurationKeys }], includeSynonyms: false, includeDocumentation })).results[0]
  const self = String(broker.nodeId)
  for (const [type, name] of [[TOPIC, 'configured'], [BROKER, self]] as const) {
    const all = await ask(type, name, null, false)
    const empty = await ask(type, name, [], false)
    assert.ok((all?.configs.length ?? 0) > 30)
    assert.deepEqual(empty?.configs.map((c) => c.name), all?.configs.map((c) => c.name), `resource ${type}`)
    assert.ok(all?.configs.every((c) => c.documentation === null), 'no documentation unless asked for')
    const documented = await ask(type, name, [], true)
    const missing = documented?.configs.filter((c) => typeof c.documentation !== 'string' || c.documentation.length < 10).map((c) => c.name)
    assert.deepEqual(missing, [], `every config of resource ${type} is documented`)
  }
  const threads = (await ask(BROKER, self, ['num.io.threads'], true))?.configs[0]
  assert.match(threads?.documentation ?? '', /accepted and stored; not used by Brook yet/i)
  const retention = (await ask(TOPIC, 'configured', ['retention.ms'], true))?.configs[0]
  assert.doesNotMatch(retention?.documentation ?? '', /not used/)
})

test('synonyms follow Kafka\'s rule: from the first entry with the primary name, every layer, defaults included', { timeout: 30_000 }, async () => {
  const other = await startTestBroker({ 'log.retention.ms': '7200000', 'log.retention.hours': '24' })
  const raw = await RawClient.connect(other.bootstrap)
  try {
    await raw.request(createTopicsApi, 7, { topics: [{ name: 't', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000 })
    const response = await raw.request(describeConfigsApi, 4, {
      resources: [
        { resourceType: TOPIC, resourceName: 't', configurationKeys: ['retention.ms', 'segment.ms', 'flush.ms', 'segment.bytes'] },
        { resourceType: BROKER, resourceName: String(other.nodeId), configurationKeys: ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'] }
      ],
      includeSynonyms: true
    })
    const entries = (i: number) => new Map(response.results[i]?.configs.map((c) => [c.name, [c.value, c.configSource, c.synonyms?.map((s) => [s.name, s.value, s.source])]]))
    const S = ConfigSource.STATIC_BROKER_CONFIG
    const D = ConfigSource.DEFAULT_CONFIG
    const topic = entries(0)
    assert.deepEqual(topic.get('retention.ms'), ['7200000', S, [['log.retention.ms', '7200000', S], ['log.retention.hours', '24', S], ['log.retention.hours', '168', D]]])
    // log.roll.ms and log.flush.interval.ms have no default: their lists start nowhere.
    assert.deepEqual(topic.get('segment.ms'), ['604800000', D, []])
    assert.deepEqual(topic.get('flush.ms'), ['9223372036854775807', D, []])
    assert.deepEqual(topic.get('segment.bytes'), ['1073741824', D, [['log.segment.bytes', '1073741824', D]]])
    const own = entries(1)
    assert.deepEqual(own.get('log.retention.ms'), ['7200000', S, [['log.retention.ms', '7200000', S], ['log.retention.hours', '24', S], ['log.retention.hours', '168', D]]])
    assert.deepEqual(own.get('log.retention.minutes'), [null, D, []])
    assert.deepEqual(own.get('log.retention.hours'), ['24', S, [['log.retention.hours', '24', S], ['log.retention.hours', '168', D]]])
  } finally {
    raw.close()
    await other.destroy()
  }
})
