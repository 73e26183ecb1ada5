import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BrokerConfig } from '../../src/config/broker-config.js'
import { brokerConfigSynonyms, brokerSynonymEntries, ConfigSource } from '../../src/config/synonyms.js'

test('the broker names that set a config, as Kafka groups them', { timeout: 10_000 }, () => {
  assert.deepEqual(brokerConfigSynonyms('log.retention.hours'), ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'])
  assert.deepEqual(brokerConfigSynonyms('log.roll.ms'), ['log.roll.ms', 'log.roll.hours'])
  assert.deepEqual(brokerConfigSynonyms('log.flush.interval.ms'), ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'])
  assert.deepEqual(brokerConfigSynonyms('log.flush.scheduler.interval.ms'), ['log.flush.scheduler.interval.ms'])
  assert.deepEqual(brokerConfigSynonyms('listener.name.external.ssl.keystore.location'), ['listener.name.external.ssl.keystore.location', 'ssl.keystore.location'])
  assert.deepEqual(brokerConfigSynonyms('listener.name.sasl.plain.sasl.jaas.config'), ['listener.name.sasl.plain.sasl.jaas.config', 'sasl.jaas.config'])
  assert.deepEqual(brokerConfigSynonyms('num.partitions'), ['num.partitions'])
})

test('entries go layer by layer and start at the first one with the primary name', { timeout: 10_000 }, () => {
  const broker = new BrokerConfig({ 'log.retention.minutes': '30' })
  broker.setDynamic({ 'log.retention.hours': '5' }, { 'log.retention.ms': '1000' })
  const names = brokerConfigSynonyms('log.retention.ms')
  // The per-broker log.retention.hours comes before the first log.retention.ms entry: dropped.
  assert.deepEqual(brokerSynonymEntries(broker, 'log.retention.ms', names, false), [
    { name: 'log.retention.ms', value: '1000', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
    { name: 'log.retention.minutes', value: '30', source: ConfigSource.STATIC_BROKER_CONFIG },
    { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG }
  ])
  assert.deepEqual(brokerSynonymEntries(broker, 'log.retention.hours', names, true).map((e) => [e.source, e.value]), [
    [ConfigSource.DYNAMIC_BROKER_CONFIG, null], [ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, null],
    [ConfigSource.STATIC_BROKER_CONFIG, null], [ConfigSource.DEFAULT_CONFIG, null]
  ], 'described as log.retention.hours, the list starts at once; sensitive values are never reported')
})
