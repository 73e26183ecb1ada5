// Deleting a coordinator's internal topic (kafkajs 2.2.4 against an in-process broker). The broker
// accepts DeleteTopics of `__consumer_offsets` and `__transaction_state`, as Kafka's broker does
// (only Kafka's tools refuse it). The coordinator then resigns the deleted partitions, and the next
// FindCoordinator creates the topic again: a running group rejoins, consumes and commits, a new
// group works, and a transactional producer gets a new producer id and commits, all without a
// restart. What the topic held is gone, as in Kafka: the group starts again from its reset policy.
// The same for `__share_group_state` under a librdkafka share consumer.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { type ShareConsumerProcess, startShareConsumer, startTestBroker, waitFor, type TestBroker } from '@brook/testkit'
import { SHARE_BROKER_CONFIG, prepareQueue } from '../share/helpers.js'

const { Kafka, logLevel } = kafkajs
type KafkaClient = InstanceType<typeof Kafka>
type Consumer = ReturnType<KafkaClient['consumer']>

const BROKER_CONFIG = {
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '1000',
  'offsets.topic.num.partitions': '3',
  'transaction.state.log.num.partitions': '3'
}

function client (broker: TestBroker): KafkaClient {
  return new Kafka({ clientId: 'internal-deletion', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } })
}

async function produce (kafka: KafkaClient, topic: string, values: string[]): Promise<void> {
  const producer = kafka.producer()
  await producer.connect()
  try {
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) })
  } finally {
    await producer.disconnect()
  }
}

interface Member { consumer: Consumer, consumed: string[] }

async function startMember (kafka: KafkaClient, topic: string, groupId: string, readCommitted = false): Promise<Member> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 300, rebalanceTimeout: 6000, maxWaitTimeInMs: 200, readUncommitted: !readCommitted })
  const member: Member = { consumer, consumed: [] }
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    autoCommit: true,
    autoCommitInterval: 200,
    eachMessage: async ({ message }) => { member.consumed.push(message.value?.toString() ?? '') }
  })
  return member
}

/** The group's committed offset of partition 0 (-1: none). */
async function committed (admin: ReturnType<KafkaClient['admin']>, groupId: string, topic: string): Promise<number> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] })
  return Number(entry?.partitions.find((p) => p.partition === 0)?.offset ?? -1)
}

test('kafkajs: after __consumer_offsets is deleted a running group rejoins and commits, and a new group works, without a restart', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker(BROKER_CONFIG)
  const kafka = client(broker)
  const admin = kafka.admin()
  const topic = 'offsets-deleted'
  const members: Member[] = []
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    await produce(kafka, topic, ['a', 'b', 'c'])
    const member = await startMember(kafka, topic, 'survivor')
    members.push(member)
    await waitFor(async () => await committed(admin, 'survivor', topic) === 3, 20_000, { message: 'the first commit' })

    await admin.deleteTopics({ topics: ['__consumer_offsets'], timeout: 10_000 })
    assert.equal((await admin.listTopics()).includes('__consumer_offsets'), false, 'the deletion took effect')

    // The running member's next request finds the coordinator again; the committed offsets are
    // gone with the topic, so it starts again from the beginning (its reset policy).
    await produce(kafka, topic, ['d'])
    await waitFor(async () => await committed(admin, 'survivor', topic) === 4, 30_000, { message: 'the running group commits after the deletion' })
    assert.ok(member.consumed.includes('d'), 'the running group consumed a record produced after the deletion')
    const topics = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] })
    assert.equal(topics.topics[0]?.partitions.length, 3, '__consumer_offsets was created again with offsets.topic.num.partitions')

    const fresh = await startMember(kafka, topic, 'newcomer')
    members.push(fresh)
    await waitFor(() => fresh.consumed.length === 4, 20_000, { message: 'a new group reads everything' })
    await waitFor(async () => await committed(admin, 'newcomer', topic) === 4, 20_000, { message: 'a new group commits' })
  } finally {
    for (const m of members) await m.consumer.disconnect()
    await admin.disconnect()
    await broker.close()
  }
})

test('kafkajs: after __transaction_state is deleted a transactional producer initializes again and commits', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker(BROKER_CONFIG)
  const kafka = client(broker)
  const admin = kafka.admin()
  const topic = 'txn-state-deleted'
  const transactionalId = 'survives-deletion'
  let reader: Member | undefined
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    const first = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 })
    await first.connect()
    const txn = await first.transaction()
    await txn.send({ topic, messages: [{ value: 'before' }] })
    await txn.commit()
    await first.disconnect()

    await admin.deleteTopics({ topics: ['__transaction_state'], timeout: 10_000 })
    assert.equal((await admin.listTopics()).includes('__transaction_state'), false, 'the deletion took effect')

    // A new producer with the same id: InitProducerId finds the coordinator again and the topic
    // is created again; the transaction commits and read_committed consumers see it.
    const second = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 })
    await second.connect()
    const again = await second.transaction()
    await again.send({ topic, messages: [{ value: 'after' }] })
    await again.commit()
    await second.disconnect()
    const topics = await admin.fetchTopicMetadata({ topics: ['__transaction_state'] })
    assert.equal(topics.topics[0]?.partitions.length, 3, '__transaction_state was created again with transaction.state.log.num.partitions')

    const r = await startMember(kafka, topic, 'txn-reader', true)
    reader = r
    await waitFor(() => r.consumed.length === 2, 20_000, { message: 'read_committed sees both transactions' })
    assert.deepEqual(r.consumed, ['before', 'after'])
  } finally {
    await reader?.consumer.disconnect()
    await admin.disconnect()
    await broker.close()
  }
})

test('librdkafka share consumer: after __share_group_state is deleted the queue goes on and the state topic is created again', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker(SHARE_BROKER_CONFIG)
  const kafka = client(broker)
  const admin = kafka.admin()
  let consumer: ShareConsumerProcess | undefined
  try {
    await prepareQueue(broker.bootstrap, 'queue', 'workers', 100)
    const c = await startShareConsumer({ bootstrap: broker.bootstrap, group: 'workers', topic: 'queue' })
    consumer = c
    await waitFor(() => c.confirmedAccepted().size === 100, 30_000, { message: 'the first 100 accepted' })
    await admin.connect()
    assert.equal((await admin.listTopics()).includes('__share_group_state'), true)
    await admin.deleteTopics({ topics: ['__share_group_state'], timeout: 10_000 })
    assert.equal((await admin.listTopics()).includes('__share_group_state'), false, 'the deletion took effect')

    await produce(kafka, 'queue', Array.from({ length: 100 }, (_, i) => `after-${i}`))
    await waitFor(() => c.confirmedAccepted().size === 200, 30_000, { message: 'the records produced after the deletion accepted' })
    assert.deepEqual(c.acked.filter((a) => a.error !== 0), [], 'every acknowledgement succeeded')
    assert.equal((await admin.listTopics()).includes('__share_group_state'), true, 'the state topic was created again')
  } finally {
    await consumer?.kill()
    await admin.disconnect()
    await broker.close()
  }
})
