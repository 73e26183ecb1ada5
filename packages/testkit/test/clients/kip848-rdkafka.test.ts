// KIP-848 with librdkafka 2.15 (@confluentinc/kafka-javascript, group.protocol=consumer): the
// membership scenario of ./kip848/scenario.ts over real sockets, members in child processes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadKafkaJavascript, startTestBroker } from '@brook/testkit'
import { runMembershipScenario } from './kip848/scenario.js'

const BROKER_CONFIG = {
  'offsets.topic.num.partitions': '3',
  'group.consumer.session.timeout.ms': '6000',
  'group.consumer.min.session.timeout.ms': '6000',
  'group.consumer.heartbeat.interval.ms': '500',
  'group.consumer.min.heartbeat.interval.ms': '500'
}

test('librdkafka 2.15, group.protocol=consumer: three members, one leaves, one is killed, one joins', { timeout: 180_000 }, async () => {
  // Fails with a message naming scripts/install-librdkafka-client.sh when the client is not built.
  assert.match(loadKafkaJavascript().librdkafkaVersion, /^2\.15\./)
  const broker = await startTestBroker(BROKER_CONFIG)
  try {
    const s = await runMembershipScenario(broker, 'rdkafka-member')
    assert.equal(s.live().length, 2)
  } finally {
    await broker.close()
  }
})
