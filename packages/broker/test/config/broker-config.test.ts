import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BrokerConfig } from '../../src/config/broker-config.js'
import { ConfigError } from '../../src/config/schema.js'

test('defaults are Kafka\'s and typed', () => {
  const config = new BrokerConfig({})
  assert.equal(config.int('num.partitions'), 1)
  assert.equal(config.int('message.max.bytes'), 1048588)
  assert.equal(config.bool('auto.create.topics.enable'), true)
  assert.equal(config.raw('log.flush.interval.messages'), '9223372036854775807')
  assert.deepEqual(config.logDirs, ['/tmp/kafka-logs'])
  assert.equal(config.logRetentionMs, 168 * 3_600_000)
  assert.equal(config.nodeId, null)
  assert.deepEqual(config.listener, { name: 'PLAINTEXT', host: '', port: 9092 })
})

test('operator settings win, unknown names are collected, not rejected', () => {
  const config = new BrokerConfig({
    'num.partitions': '3',
    'log.dirs': '/a, /b',
    'log.retention.minutes': '5',
    'broker.id': '7',
    'confluent.support.metrics.enable': 'false',
    listeners: 'PLAINTEXT://[::1]:0,CONTROLLER://:9093',
    'controller.listener.names': 'CONTROLLER'
  })
  assert.equal(config.int('num.partitions'), 3)
  assert.deepEqual(config.logDirs, ['/a', '/b'])
  assert.equal(config.logRetentionMs, 300_000)
  assert.equal(config.nodeId, 7)
  assert.deepEqual(config.unknown, ['confluent.support.metrics.enable'])
  assert.deepEqual(config.listener, { name: 'PLAINTEXT', host: '::1', port: 0 })
  assert.equal(config.isSet('num.partitions'), true)
  assert.equal(config.isSet('message.max.bytes'), false)
})

test('bad values are ConfigErrors naming the config', () => {
  const bad: Array<Record<string, string>> = [
    { 'num.partitions': '0' },
    { 'num.partitions': 'three' },
    { 'auto.create.topics.enable': 'yes' },
    { 'message.max.bytes': '99999999999' },
    { 'log.cleanup.policy': 'delete,shred' },
    { listeners: 'nonsense' },
    { listeners: 'FOO://127.0.0.1:9093' },
    { 'listener.security.protocol.map': 'PLAINTEXT:TLS' },
    { listeners: 'PLAINTEXT://:9092,PLAINTEXT://:9093' },
    { 'inter.broker.listener.name': 'NOPE' },
    { 'node.id': '1', 'broker.id': '2' }
  ]
  for (const settings of bad) {
    assert.throws(() => new BrokerConfig(settings), ConfigError, JSON.stringify(settings))
  }
})
