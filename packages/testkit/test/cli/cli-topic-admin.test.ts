// brook's topic and config commands: list, alter-config, add-partitions, describe (configs set
// on the topic, partitions with offsets), config get/set/delete for a topic and a broker.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startTestBroker, type TestBroker } from '@brook/testkit'
import { brookJson, brookOk } from './brook.js'

let broker: TestBroker
let b: string[]

before(async () => {
  broker = await startTestBroker({ 'num.partitions': '1' })
  b = ['-b', broker.bootstrap]
})
after(async () => { await broker.close() })

test('topic list, alter-config, add-partitions, describe; config get, set and delete', { timeout: 100_000 }, async () => {
  await brookOk(['topic', 'create', 'admin', '-p', '3', ...b])
  await brookOk(['topic', 'produce', 'admin', ...b], { input: 'a\nb\nc\nd\n' })
  const topics = await brookJson<Array<{ name: string, partitions: number }>>(['topic', 'list', ...b])
  assert.deepEqual(topics.map((t) => [t.name, t.partitions]), [['admin', 3]])
  await brookOk(['topic', 'alter-config', 'admin', '--set', 'retention.ms=3600000', '--set', 'cleanup.policy=compact', ...b])
  await brookOk(['topic', 'add-partitions', 'admin', '-n', '2', ...b])
  const info = await brookJson<{ configs: Array<{ name: string, value: string }>, partitions: Array<{ partition: number, highWatermark: number }> }>(['topic', 'describe', 'admin', ...b])
  assert.deepEqual(info.configs.map((c) => [c.name, c.value]).sort(), [['cleanup.policy', 'compact'], ['retention.ms', '3600000']])
  assert.equal(info.partitions.length, 5)
  assert.equal(info.partitions.reduce((s, p) => s + p.highWatermark, 0), 4)
  const got = await brookJson<Array<{ name: string, value: string, source: string }>>(['config', 'get', '--topic', 'admin', 'retention.ms', ...b])
  assert.deepEqual(got.map((c) => [c.name, c.value, c.source]), [['retention.ms', '3600000', 'topic']])
  await brookOk(['config', 'set', '--topic', 'admin', '--delete', 'retention.ms', ...b])
  const back = await brookJson<Array<{ name: string, value: string, source: string }>>(['config', 'get', '--topic', 'admin', 'retention.ms', ...b])
  assert.deepEqual(back.map((c) => [c.name, c.source]), [['retention.ms', 'default']])
  const brokerConfigs = await brookJson<Array<{ name: string, value: string, source: string }>>(['config', 'get', '--broker', '1', 'num.partitions', ...b])
  assert.deepEqual(brokerConfigs.map((c) => [c.name, c.value, c.source]), [['num.partitions', '1', 'static-broker']])
  const deleted = await brookOk(['topic', 'delete', 'admin', ...b])
  assert.match(deleted.out, /^TOPIC +STATUS\nadmin +OK\n$/)
})
