// brook group seek refuses while the group has active members, as kafka-consumer-groups.sh.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { startTestBroker, waitFor, type TestBroker } from '@brook/testkit'
import { brook, brookOk } from './brook.js'

const { Kafka, logLevel } = kafkajs

let broker: TestBroker
let kafka: InstanceType<typeof Kafka>
let b: string[]

before(async () => {
  broker = await startTestBroker()
  kafka = new Kafka({ clientId: 'cli-seek-active-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } })
  b = ['-b', broker.bootstrap]
})
after(async () => { await broker.close() })

test('group seek --execute is refused (exit 1, one line) while a kafkajs member is in the group', { timeout: 100_000 }, async () => {
  await brookOk(['topic', 'create', 'replay', '-p', '2', ...b])
  // An active member blocks the reset, as in kafka-consumer-groups.sh.
  const consumer = kafka.consumer({ groupId: 'replayers', sessionTimeout: 10_000, heartbeatInterval: 500 })
  await consumer.connect()
  try {
    await consumer.subscribe({ topic: 'replay' })
    await consumer.run({ eachMessage: async () => {} })
    const admin = kafka.admin()
    await admin.connect()
    try {
      await waitFor(async () => (await admin.describeGroups(['replayers'])).groups[0]?.members.length === 1, 60_000, { message: 'the kafkajs member joined' })
    } finally {
      await admin.disconnect()
    }
    const refused = await brook(['group', 'seek', 'replayers', '--all-topics', '--to-earliest', '--execute', ...b])
    assert.equal(refused.code, 1)
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr)
    assert.match(refused.stderr, /^brook: group replayers has 1 active member/)
  } finally {
    await consumer.disconnect()
  }
})
