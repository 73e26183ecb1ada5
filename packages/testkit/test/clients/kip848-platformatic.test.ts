// KIP-848 with @platformatic/kafka (groupProtocol: 'consumer'): the membership scenario of
// ./kip848/scenario.ts over real sockets, members in child processes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestBroker } from '@brook/testkit'
import { runMembershipScenario } from './kip848/scenario.js'

test('@platformatic/kafka, consumer protocol: three members, one leaves, one is killed, one joins', { timeout: 180_000 }, async () => {
  const broker = await startTestBroker({
    'offsets.topic.num.partitions': '3',
    'group.consumer.session.timeout.ms': '6000',
    'group.consumer.min.session.timeout.ms': '6000',
    'group.consumer.heartbeat.interval.ms': '500',
    'group.consumer.min.heartbeat.interval.ms': '500'
  })
  try {
    const s = await runMembershipScenario(broker, 'platformatic-member')
    assert.equal(s.live().length, 2)
  } finally {
    await broker.close()
  }
})
