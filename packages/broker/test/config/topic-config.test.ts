import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BrokerConfig } from '../../src/config/broker-config.js'
import { ConfigError } from '../../src/config/schema.js'
import { ConfigSource, resolveAllTopicConfigs, resolveTopicConfig, toLogConfig, topicSettings, validateTopicOverrides } from '../../src/config/topic-config.js'

test('a topic override wins; then broker synonyms (scaled); then Kafka defaults', () => {
  const broker = new BrokerConfig({ 'log.retention.hours': '1', 'log.segment.bytes': '1048576' })
  const retention = resolveTopicConfig('retention.ms', {}, broker)
  assert.equal(retention.value, '3600000')
  // Kafka's rule: the list starts at the first log.retention.ms entry, and there is none, so the
  // value comes from log.retention.hours while the source says DEFAULT_CONFIG.
  assert.equal(retention.source, ConfigSource.DEFAULT_CONFIG)
  assert.deepEqual(retention.synonyms, [])
  const segment = resolveTopicConfig('segment.bytes', {}, broker)
  assert.deepEqual(segment.synonyms, [
    { name: 'log.segment.bytes', value: '1048576', source: ConfigSource.STATIC_BROKER_CONFIG },
    { name: 'log.segment.bytes', value: '1073741824', source: ConfigSource.DEFAULT_CONFIG }
  ])

  const overridden = resolveTopicConfig('retention.ms', { 'retention.ms': '1000' }, broker)
  assert.equal(overridden.value, '1000')
  assert.equal(overridden.source, ConfigSource.DYNAMIC_TOPIC_CONFIG)
  assert.equal(overridden.synonyms[0]?.source, ConfigSource.DYNAMIC_TOPIC_CONFIG)

  const flush = resolveTopicConfig('flush.messages', {}, broker)
  assert.equal(flush.value, '9223372036854775807')
  assert.equal(flush.source, ConfigSource.DEFAULT_CONFIG)

  const log = toLogConfig({ 'cleanup.policy': 'compact,delete' }, broker)
  assert.equal(log.segmentBytes, 1048576)
  assert.equal(log.retentionMs, 3_600_000)
  assert.deepEqual(log.cleanupPolicy, ['compact', 'delete'])
  assert.equal(log.messageTimestampType, 'CreateTime')
})

test('negative broker retention means unlimited (-1)', () => {
  const broker = new BrokerConfig({ 'log.retention.hours': '-1' })
  assert.equal(toLogConfig({}, broker).retentionMs, -1)
})

test('the full list is sorted and includes the configs DescribeConfigs must show', () => {
  const names = resolveAllTopicConfigs({}, new BrokerConfig({})).map((c) => c.def.name)
  assert.deepEqual(names, [...names].sort())
  for (const name of ['cleanup.policy', 'retention.ms', 'segment.bytes', 'max.message.bytes', 'compression.type', 'min.insync.replicas', 'message.timestamp.type']) {
    assert.ok(names.includes(name), name)
  }
})

test('overrides are validated by name and value', () => {
  validateTopicOverrides({ 'retention.ms': '-1', 'cleanup.policy': 'compact' })
  assert.throws(() => validateTopicOverrides({ 'no.such.config': '1' }), ConfigError)
  assert.throws(() => validateTopicOverrides({ 'compression.type': 'brotli' }), ConfigError)
  assert.throws(() => validateTopicOverrides({ 'retention.ms': '-5' }), ConfigError)
  assert.throws(() => validateTopicOverrides({ 'min.cleanable.dirty.ratio': '1.5' }), ConfigError)
})

test('topic settings follow a topic\'s new overrides object and each broker config', () => {
  const broker = new BrokerConfig({ 'message.max.bytes': '2000' })
  const before = { 'compression.type': 'gzip' }
  const settings = topicSettings(before, broker)
  assert.deepEqual([settings.compressionType, settings.maxMessageBytes], ['gzip', 2000])
  assert.equal(topicSettings(before, broker), settings, 'resolved once per overrides object')
  // Altering a topic's configs replaces its overrides object (replica-manager.ts).
  const after = { 'compression.type': 'zstd', 'max.message.bytes': '500' }
  assert.deepEqual([topicSettings(after, broker).compressionType, topicSettings(after, broker).maxMessageBytes], ['zstd', 500])
  assert.equal(topicSettings(before, new BrokerConfig({ 'message.max.bytes': '3000' })).maxMessageBytes, 3000)
  assert.throws(() => { (settings as { maxMessageBytes: number }).maxMessageBytes = 1 }, TypeError, 'shared settings are frozen')
})
