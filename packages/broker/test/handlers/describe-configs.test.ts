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
  assert.equal(retention?.configSource, ConfigSource.STATIC_BROKER_CONFIG)
  assert.deepEqual(retention?.synonyms?.[0], { name: 'log.retention.hours', value: '24', source: ConfigSource.STATIC_BROKER_CONFIG })
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
    ['log.retention.hours', '24', ConfigSource.STATIC_BROKER_CONFIG, false],
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
