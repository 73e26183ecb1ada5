// @brook/client consumer groups on a Brook broker: a group shared with a kafkajs consumer
// (protocol RoundRobinAssigner, kafkajs's default), three Brook members with cooperative-sticky
// (partitions never owned twice, owned ones kept), range assignment, manual and auto commit, and
// the admin calls on groups.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { Client, type Consumer, type TopicPartition } from '@brook/client'
import { startTestBroker, waitFor, type TestBroker } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs

let broker: TestBroker
let client: Client

const FAST = { sessionTimeoutMs: 6000, rebalanceTimeoutMs: 6000, heartbeatIntervalMs: 200, maxWaitMs: 100 }

before(async () => {
  broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '1000', 'offsets.topic.num.partitions': '3' })
  client = new Client({ brokers: [broker.bootstrap] })
})
after(async () => { await broker.close() })

async function setup (topic: string, partitions: number, messages: number): Promise<void> {
  const admin = client.admin()
  try { await admin.createTopics([{ topic, numPartitions: partitions }]) } finally { await admin.close() }
  const producer = client.producer()
  await producer.send({ topic, messages: Array.from({ length: messages }, (_, i) => ({ key: String(i), value: String(i) })) })
  await producer.close()
}

interface Running { consumer: Consumer, seen: Set<string>, done: Promise<void>, history: TopicPartition[][] }

function start (consumer: Consumer, topic: string): Running {
  const seen = new Set<string>()
  const history: TopicPartition[][] = []
  consumer.subscribe({ topics: [topic] })
  const done = consumer.run({
    eachBatch: (batch) => {
      for (const m of batch.messages) seen.add(m.value!.toString())
    }
  })
  return { consumer, seen, done, history }
}

const keyOf = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`

for (const kafkajsFirst of [false, true]) {
test(`a Brook consumer and a kafkajs consumer share a group (${kafkajsFirst ? 'kafkajs' : 'Brook'} joins first, so leads)`, { timeout: 60_000 }, async () => {
  const topic = `shared-${kafkajsFirst}`
  const group = `shared-group-${kafkajsFirst}`
  // Records are produced once both members hold their partitions, so each reads only its own.
  await setup(topic, 6, 0)
  const kafka = new Kafka({ clientId: 'kjs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const kc = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 200, rebalanceTimeout: 6000 })
  const kjsSeen = new Set<string>()
  let kjsPartitions: number[] = []
  kc.on(kc.events.GROUP_JOIN, (e) => { kjsPartitions = e.payload.memberAssignment[topic] ?? [] })
  await kc.connect()
  await kc.subscribe({ topic, fromBeginning: true })
  let brook: Running | null = null
  if (!kafkajsFirst) brook = start(client.consumer({ groupId: group, autoOffsetReset: 'earliest', ...FAST }), topic)
  await kc.run({ eachMessage: async ({ message }) => { kjsSeen.add(message.value!.toString()) } })
  if (kafkajsFirst) {
    await waitFor(() => kjsPartitions.length === 6, 30_000, { message: 'kafkajs alone owns all 6' })
    brook = start(client.consumer({ groupId: group, autoOffsetReset: 'earliest', ...FAST }), topic)
  }
  const b = brook!
  await waitFor(() => {
    const ours = b.consumer.assignment().map((tp) => tp.partition)
    return ours.length === 3 && kjsPartitions.length === 3 && new Set([...ours, ...kjsPartitions]).size === 6
  }, 30_000, { message: 'both members assigned 3 partitions each' })
  const producer = client.producer()
  await producer.send({ topic, messages: Array.from({ length: 600 }, (_, i) => ({ key: String(i), value: String(i) })) })
  await producer.close()
  await waitFor(() => b.seen.size + kjsSeen.size >= 600 && new Set([...b.seen, ...kjsSeen]).size === 600, 30_000, { message: 'all 600 consumed' })
  // Each member read only its own partitions: no message read by both.
  assert.equal([...b.seen].filter((v) => kjsSeen.has(v)).length, 0)
  assert.ok(b.seen.size > 0 && kjsSeen.size > 0)
  await kc.disconnect()
  await b.consumer.close()
  await b.done
})
}

test('cooperative-sticky with three members: no partition owned twice, owned partitions kept', { timeout: 90_000 }, async () => {
  const topic = 'coop'
  await setup(topic, 6, 300)
  const opts = { groupId: 'coop-group', assignors: ['cooperative-sticky'], autoOffsetReset: 'earliest' as const, ...FAST }
  const members: Running[] = []
  const overlaps: string[] = []
  const sampler = setInterval(() => {
    const owners = new Map<string, number>()
    members.forEach((m, i) => {
      for (const tp of m.consumer.assignment()) {
        const k = keyOf(tp)
        if (owners.has(k)) overlaps.push(`${k} owned by ${owners.get(k)} and ${i}`)
        owners.set(k, i)
      }
    })
  }, 5)
  try {
    members.push(start(client.consumer(opts), topic))
    await waitFor(() => members[0]!.consumer.assignment().length === 6, 30_000, { message: 'first member owns all 6' })
    members.push(start(client.consumer(opts), topic))
    await waitFor(() => members.every((m) => m.consumer.assignment().length === 3), 30_000, { message: '3 + 3' })
    const firstAfterTwo = new Set(members[0]!.consumer.assignment().map(keyOf))
    members.push(start(client.consumer(opts), topic))
    await waitFor(() => members.every((m) => m.consumer.assignment().length === 2), 30_000, { message: '2 + 2 + 2' })
    // Stickiness: the first member's two partitions come from the three it had.
    for (const tp of members[0]!.consumer.assignment()) assert.ok(firstAfterTwo.has(keyOf(tp)), `${keyOf(tp)} moved to member 0`)
    const all = new Set(members.flatMap((m) => m.consumer.assignment().map(keyOf)))
    assert.equal(all.size, 6)
    await waitFor(() => new Set(members.flatMap((m) => [...m.seen])).size === 300, 30_000, { message: 'all 300 consumed' })
  } finally {
    clearInterval(sampler)
    for (const m of members) await m.consumer.close()
    await Promise.all(members.map(async (m) => await m.done))
  }
  assert.deepEqual(overlaps, [])
})

test('range assignment, manual commit, and the admin view of the group', { timeout: 60_000 }, async () => {
  const topic = 'ranged'
  await setup(topic, 4, 40)
  const consumer = client.consumer({ groupId: 'range-group', assignors: ['range'], autoCommit: false, autoOffsetReset: 'earliest', ...FAST })
  consumer.subscribe({ topics: [topic] })
  let count = 0
  for await (const batch of consumer) {
    count += batch.messages.length
    await consumer.commit([{ topic, partition: batch.partition, offset: batch.nextOffset }])
    if (count >= 40) break
  }
  const admin = client.admin()
  try {
    const [description] = await admin.describeGroups(['range-group'])
    assert.equal(description!.state, 'Stable')
    assert.equal(description!.protocol, 'range')
    assert.equal(description!.members.length, 1)
    assert.deepEqual(description!.members[0]!.assignment, [{ topic, partitions: [0, 1, 2, 3] }])
    const offsets = await admin.listGroupOffsets('range-group')
    assert.equal(offsets.reduce((s, o) => s + Number(o.offset), 0), 40)
    await consumer.close()
    assert.ok((await admin.listGroups()).some((g) => g.groupId === 'range-group'))
    await admin.alterGroupOffsets('range-group', [{ topic, partition: 0, offset: 0n }])
    assert.equal((await admin.listGroupOffsets('range-group', [{ topic, partition: 0 }]))[0]!.offset, 0n)
    await admin.deleteGroups(['range-group'])
    assert.ok(!(await admin.listGroups()).some((g) => g.groupId === 'range-group'))
  } finally {
    await admin.close()
  }
})

test('consume-transform-produce in transactions: output read_committed matches input, offsets committed with it', { timeout: 60_000 }, async () => {
  await setup('ctp-in', 2, 50)
  const admin = client.admin()
  try { await admin.createTopics([{ topic: 'ctp-out', numPartitions: 2 }]) } finally { await admin.close() }
  const consumer = client.consumer({ groupId: 'ctp-group', autoCommit: false, autoOffsetReset: 'earliest', ...FAST })
  consumer.subscribe({ topics: ['ctp-in'] })
  const producer = client.producer({ transactionalId: 'ctp-tx' })
  await producer.initTransactions()
  let done = 0
  let aborted = false
  for await (const batch of consumer) {
    producer.beginTransaction()
    await producer.send({ topic: 'ctp-out', messages: batch.messages.map((m) => ({ key: m.key, value: `out-${m.value!.toString()}` })) })
    await producer.sendOffsets('ctp-group', [{ topic: batch.topic, partition: batch.partition, offset: batch.nextOffset }], { generationId: consumer.generationId, memberId: consumer.memberId })
    if (!aborted) {
      // The first transaction is aborted: its output must not be seen, and the batch is read again.
      aborted = true
      await producer.abortTransaction()
      consumer.seek({ topic: batch.topic, partition: batch.partition, offset: batch.messages[0]!.offset })
      continue
    }
    await producer.commitTransaction()
    done += batch.messages.length
    if (done >= 50) break
  }
  await producer.close()
  await consumer.close()

  const reader = client.consumer({ isolationLevel: 'read_committed', maxWaitMs: 100 })
  reader.assign([0, 1].map((partition) => ({ topic: 'ctp-out', partition, offset: 0n })))
  const out: string[] = []
  for await (const batch of reader) {
    out.push(...batch.messages.map((m) => m.value!.toString()))
    if (out.length >= 50) break
  }
  await reader.close()
  assert.deepEqual(out.sort(), Array.from({ length: 50 }, (_, i) => `out-${i}`).sort())
  const check = client.admin()
  try {
    const committed = await check.listGroupOffsets('ctp-group')
    assert.equal(committed.reduce((s, o) => s + Number(o.offset), 0), 50)
  } finally {
    await check.close()
  }
})
