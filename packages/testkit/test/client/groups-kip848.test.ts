// @brook/client with the KIP-848 consumer group protocol (groupProtocol: 'consumer') on a Brook
// broker: members join and leave one at a time and the broker's assignment moves with them,
// never giving a partition to two members at once; commits carry the member epoch; a librdkafka
// 2.15 member with group.protocol=consumer shares the group.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Client, type Consumer, type TopicPartition } from '@brook/client'
import { consumerGroupDescribeApi, ErrorCode } from '@brook/protocol'
import { loadKafkaJavascript, startTestBroker, waitFor, type TestBroker } from '@brook/testkit'
import { Scenario } from '../clients/kip848/scenario.js'

let broker: TestBroker
let client: Client

const KIP848 = { groupProtocol: 'consumer' as const, autoOffsetReset: 'earliest' as const, maxWaitMs: 100 }

before(async () => {
  broker = await startTestBroker({
    'offsets.topic.num.partitions': '3',
    'group.consumer.heartbeat.interval.ms': '200',
    'group.consumer.min.heartbeat.interval.ms': '100'
  })
  client = new Client({ brokers: [broker.bootstrap] })
})
after(async () => { await broker.close() })

async function setup (topic: string, partitions: number, messages: number): Promise<void> {
  const admin = client.admin()
  try { await admin.createTopics([{ topic, numPartitions: partitions }]) } finally { await admin.close() }
  if (messages === 0) return
  const producer = client.producer()
  await producer.send({ topic, messages: Array.from({ length: messages }, (_, i) => ({ key: String(i), value: String(i) })) })
  await producer.close()
}

interface Running { consumer: Consumer, seen: string[], done: Promise<void> }

function start (consumer: Consumer, topic: string): Running {
  const seen: string[] = []
  consumer.subscribe({ topics: [topic] })
  const done = consumer.run({ eachBatch: (batch) => { for (const m of batch.messages) seen.push(m.value!.toString()) } })
  return { consumer, seen, done }
}

const keyOf = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`

async function describe (groupId: string): Promise<{ errorCode: number, epoch: number, members: number }> {
  const admin = client.admin()
  try {
    const connection = await admin.cluster.coordinator(groupId, 0)
    const r = await connection.request(consumerGroupDescribeApi, { groupIds: [groupId], includeAuthorizedOperations: false })
    const g = r.groups[0]!
    return { errorCode: g.errorCode, epoch: g.groupEpoch, members: g.members.length }
  } finally {
    await admin.close()
  }
}

test('three KIP-848 members join and one leaves: the broker\'s assignment follows, no partition owned twice, every record read once', { timeout: 120_000 }, async () => {
  const topic = 'kip848-brook'
  const groupId = 'kip848-brook-group'
  await setup(topic, 6, 300)
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
    members.push(start(client.consumer({ groupId, ...KIP848 }), topic))
    await waitFor(() => members[0]!.consumer.assignment().length === 6, 30_000, { message: 'the first member owns all 6' })
    await waitFor(() => members[0]!.seen.length === 300, 30_000, { message: 'the first member read all 300' })
    members.push(start(client.consumer({ groupId, ...KIP848 }), topic))
    await waitFor(() => members.every((m) => m.consumer.assignment().length === 3), 30_000, { message: '3 + 3' })
    members.push(start(client.consumer({ groupId, ...KIP848 }), topic))
    await waitFor(() => members.every((m) => m.consumer.assignment().length === 2), 30_000, { message: '2 + 2 + 2' })
    assert.equal(new Set(members.flatMap((m) => m.consumer.assignment().map(keyOf))).size, 6)
    const described = await describe(groupId)
    assert.equal(described.errorCode, ErrorCode.NONE)
    assert.equal(described.members, 3)
    assert.ok(members.every((m) => m.consumer.generationId > 0 && m.consumer.memberId.length > 0), 'each member has an epoch and an id')

    // New records while the membership is stable: each read exactly once, by its partition's owner.
    const producer = client.producer()
    await producer.send({ topic, messages: Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: `late-${i}` })) })
    await producer.close()
    await waitFor(() => members.reduce((n, m) => n + m.seen.filter((v) => v.startsWith('late-')).length, 0) >= 300, 30_000, { message: 'the 300 late records read' })
    const late = members.flatMap((m) => m.seen.filter((v) => v.startsWith('late-')))
    assert.equal(late.length, 300, 'nothing read twice while membership was stable')

    const leaving = members.pop()!
    await leaving.consumer.close()
    await leaving.done
    await waitFor(() => members.every((m) => m.consumer.assignment().length === 3), 30_000, { message: 'back to 3 + 3 after a member left' })
  } finally {
    clearInterval(sampler)
    for (const m of members) await m.consumer.close()
    await Promise.all(members.map(async (m) => await m.done))
  }
  assert.deepEqual(overlaps, [])
})

test('KIP-848 commits carry the member epoch; a new member resumes from them', { timeout: 60_000 }, async () => {
  const topic = 'kip848-commits'
  const groupId = 'kip848-commits-group'
  await setup(topic, 2, 50)
  const consumer = client.consumer({ groupId, ...KIP848, autoCommit: false })
  consumer.subscribe({ topics: [topic] })
  let count = 0
  for await (const batch of consumer) {
    count += batch.messages.length
    await consumer.commit([{ topic, partition: batch.partition, offset: batch.nextOffset }])
    if (count >= 50) break
  }
  await consumer.close()
  const admin = client.admin()
  try {
    const offsets = await admin.listGroupOffsets(groupId)
    assert.equal(offsets.reduce((s, o) => s + Number(o.offset), 0), 50)
  } finally {
    await admin.close()
  }
  const producer = client.producer()
  await producer.send({ topic, messages: [{ key: 'a', value: 'after' }] })
  await producer.close()
  const next = start(client.consumer({ groupId, ...KIP848 }), topic)
  try {
    await waitFor(() => next.seen.length >= 1, 30_000, { message: 'the new member reads the new record' })
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.deepEqual(next.seen, ['after'], 'only what came after the commits')
  } finally {
    await next.consumer.close()
    await next.done
  }
})

test('a Brook KIP-848 member and a librdkafka 2.15 member (group.protocol=consumer) share a group', { timeout: 120_000 }, async () => {
  assert.match(loadKafkaJavascript().librdkafkaVersion, /^2\.15\./)
  const topic = 'kip848-mixed'
  const groupId = 'kip848-mixed-group'
  await setup(topic, 4, 0)
  const brook = start(client.consumer({ groupId, ...KIP848 }), topic)
  // librdkafka runs in its own process (its event stream parsed by the KIP-848 scenario's member).
  const scenario = new Scenario(broker, 'rdkafka-member', topic, groupId)
  try {
    await waitFor(() => brook.consumer.assignment().length === 4, 30_000, { message: 'Brook owns all 4 first' })
    const rd = scenario.spawn('rd')
    await rd.ready
    await waitFor(() => brook.consumer.assignment().length === 2 && rd.owned.size === 2, 60_000, { message: 'two partitions each' })
    const brookOwned = new Set(brook.consumer.assignment().map((tp) => tp.partition))
    for (const p of rd.owned) assert.ok(!brookOwned.has(p), `partition ${p} owned by both`)
    const producer = client.producer()
    await producer.send({ topic, messages: Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: String(i) })) })
    await producer.close()
    await waitFor(() => brook.seen.length + rd.read.length >= 200, 30_000, { message: 'all 200 read' })
    await new Promise((resolve) => setTimeout(resolve, 500))
    const all = [...brook.seen.map(Number), ...rd.read.map((r) => r.v)]
    assert.equal(new Set(all).size, 200)
    assert.equal(all.length, 200, 'each record read by exactly one member')
    assert.ok(brook.seen.length > 0 && rd.read.length > 0, 'both members read')
    rd.child.stdin?.write('leave\n')
    await waitFor(() => !rd.alive, 30_000, { message: 'librdkafka member closed' })
    await waitFor(() => brook.consumer.assignment().length === 4, 30_000, { message: 'Brook owns all 4 again' })
  } finally {
    for (const m of scenario.live()) m.child.kill('SIGKILL')
    await brook.consumer.close()
    await brook.done
  }
})

test('a KIP-848 pattern subscription: the broker matches the RE2 pattern against topic names', { timeout: 60_000 }, async () => {
  for (const topic of ['regex-orders-eu', 'regex-orders-us', 'regex-payments']) await setup(topic, 1, 0)
  const producer = client.producer()
  for (const topic of ['regex-orders-eu', 'regex-orders-us', 'regex-payments']) await producer.send({ topic, messages: [{ value: topic }] })
  await producer.close()
  const consumer = client.consumer({ groupId: 'regex-group', ...KIP848 })
  const seen: string[] = []
  consumer.subscribe({ pattern: 'regex-orders-(?P<region>eu|us)' })
  const done = consumer.run({ eachBatch: (batch) => { for (const m of batch.messages) seen.push(m.value!.toString()) } })
  try {
    await waitFor(() => seen.length >= 2, 30_000, { message: 'both orders topics read' })
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.deepEqual(seen.sort(), ['regex-orders-eu', 'regex-orders-us'])
    assert.deepEqual(consumer.assignment().map((tp) => tp.topic).sort(), ['regex-orders-eu', 'regex-orders-us'])
  } finally {
    await consumer.close()
    await done
  }
  const classic = client.consumer({ groupId: 'regex-classic' })
  assert.throws(() => { classic.subscribe({ pattern: 'x.*' }) }, /groupProtocol 'consumer'/)
  await classic.close()
})
