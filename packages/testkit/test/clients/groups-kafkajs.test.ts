// Consumer groups with kafkajs 2.2.4 (JoinGroup v5, SyncGroup v3, OffsetCommit v5, OffsetFetch v4,
// FindCoordinator v2): a group of 3 sharing 60,000 messages on 6 partitions, then one member
// leaving and one killed with SIGKILL; two groups each reading everything; auto vs manual commit;
// resetting a group's offsets to a point in time through the admin API.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { createInterface } from 'node:readline'
import kafkajs from 'kafkajs'
import { computeLag } from '@brook/broker'
import { fixturePath, startTestBroker, waitFor, type TestBroker } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
type KafkaClient = InstanceType<typeof Kafka>
type Consumer = ReturnType<KafkaClient['consumer']>

const SESSION_TIMEOUT = 4000
const BROKER_CONFIG = { 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '1000', 'offsets.topic.num.partitions': '10' }

function client (broker: TestBroker, clientId = 'groups-test'): KafkaClient {
  return new Kafka({ clientId, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } })
}

async function produce (kafka: KafkaClient, topic: string, from: number, count: number, timestamp?: (id: number) => number): Promise<void> {
  const producer = kafka.producer()
  await producer.connect()
  try {
    for (let start = from; start < from + count; start += 5000) {
      const n = Math.min(5000, from + count - start)
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: n }, (_, i) => ({
          key: String(start + i),
          value: String(start + i),
          ...(timestamp === undefined ? {} : { timestamp: String(timestamp(start + i)) })
        }))
      })
    }
  } finally {
    await producer.disconnect()
  }
}

/** An in-process member recording what it consumed and its latest assignment. */
interface Member {
  consumer: Consumer
  consumed: number[]
  partitionsSeen: Set<number>
  assignment: number[]
  joins: number
}

async function startMember (kafka: KafkaClient, topic: string, groupId: string, options: { autoCommit?: boolean } = {}): Promise<Member> {
  // kafkajs heartbeats between fetches: a long-poll longer than the session would starve them.
  const consumer = kafka.consumer({ groupId, sessionTimeout: SESSION_TIMEOUT, heartbeatInterval: 500, rebalanceTimeout: 10000, maxWaitTimeInMs: 500 })
  const member: Member = { consumer, consumed: [], partitionsSeen: new Set(), assignment: [], joins: 0 }
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    member.assignment = e.payload.memberAssignment[topic] ?? []
    member.joins++
  })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    autoCommit: options.autoCommit ?? true,
    eachBatch: async ({ batch }) => {
      member.partitionsSeen.add(batch.partition)
      for (const m of batch.messages) member.consumed.push(Number(m.value?.toString()))
    }
  })
  return member
}

/** The kafkajs member of test 1 that runs in a child process, to be killed with SIGKILL. */
function startChildMember (broker: TestBroker, topic: string, groupId: string): {
  consumed: number[]
  assignment: () => number[]
  kill9: () => Promise<void>
} {
  const child = spawn(process.execPath, [fixturePath('groups_kafkajs_member.mjs'), broker.bootstrap, topic, groupId, String(SESSION_TIMEOUT)], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const consumed: number[] = []
  let assignment: number[] = []
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as { event: string, partitions?: number[], ids?: number[] }
    if (event.event === 'join') assignment = event.partitions ?? []
    else consumed.push(...(event.ids ?? []))
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve() }))
  return {
    consumed,
    assignment: () => assignment,
    kill9: async () => {
      child.kill('SIGKILL')
      await exited
    }
  }
}

function countBy (ids: Iterable<number>): Map<number, number> {
  const counts = new Map<number, number>()
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1)
  return counts
}

test('kafkajs: 3 members share 60,000 messages on 6 partitions; a leave and a kill -9 lose nothing', { timeout: 150_000 }, async () => {
  const broker = await startTestBroker(BROKER_CONFIG)
  const kafka = client(broker)
  const admin = kafka.admin()
  const topic = 'group-of-three'
  const groupId = 'three'
  const members: Member[] = []
  let child: ReturnType<typeof startChildMember> | undefined
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] })
    members.push(await startMember(kafka, topic, groupId))
    members.push(await startMember(kafka, topic, groupId))
    child = startChildMember(broker, topic, groupId)
    const c = child

    // Stable with 3 members, the 6 partitions split between them without overlap.
    await waitFor(async () => {
      const [g] = (await admin.describeGroups([groupId])).groups
      const owned = [...members[0]!.assignment, ...members[1]!.assignment, ...c.assignment()]
      return g?.state === 'Stable' && g.members.length === 3 && owned.length === 6 && new Set(owned).size === 6 &&
        members.every((m) => m.assignment.length === 2) && c.assignment().length === 2
    }, 30_000, { message: 'a stable group of 3 owning 2 partitions each' })
    // A long-poll fetch sent under an earlier assignment may still be in flight: let it return
    // (maxWaitTimeInMs) so that "exactly once while stable" is what is measured.
    await sleep(1500)

    const TOTAL = 60_000
    await produce(kafka, topic, 0, TOTAL)
    const all = (): number[] => [...members[0]!.consumed, ...members[1]!.consumed, ...c.consumed]
    await waitFor(() => new Set(all()).size === TOTAL, 60_000, { message: `all ${TOTAL} messages consumed` })
    const counts = countBy(all())
    assert.equal(counts.size, TOTAL)
    assert.ok([...counts.values()].every((n) => n === 1), 'while the group is stable every message is consumed exactly once')
    for (const m of members) assert.ok(m.consumed.length > 0 && [...m.partitionsSeen].every((p) => m.assignment.includes(p)))
    assert.ok(c.consumed.length > 0)
    // Let kafkajs auto-commit (every 5 s by default, or after a batch) settle.
    await waitFor(async () => {
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] })
      const committed = offsets[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0)
      return committed === TOTAL
    }, 20_000, { message: 'offsets committed up to the end' })

    // One member leaves cleanly, the child dies without a word.
    await members[1]!.consumer.disconnect()
    const killedAt = Date.now()
    await c.kill9()
    const MORE = 6000
    await produce(kafka, topic, TOTAL, MORE)
    await waitFor(() => members[0]!.assignment.length === 6, SESSION_TIMEOUT + 15_000, { message: 'the survivor owns all 6 partitions' })
    const rebalancedAfter = Date.now() - killedAt
    assert.ok(rebalancedAfter < SESSION_TIMEOUT + 10_000, `rebalanced ${rebalancedAfter} ms after the kill`)
    await waitFor(() => new Set(members[0]!.consumed.filter((id) => id >= TOTAL)).size === MORE, 30_000, { message: 'the new messages consumed' })
    const everything = new Set([...all(), ...members[0]!.consumed])
    for (let id = 0; id < TOTAL + MORE; id++) assert.ok(everything.has(id), `message ${id} was consumed`)
    const [g] = (await admin.describeGroups([groupId])).groups
    assert.equal(g?.state, 'Stable')
    assert.equal(g?.members.length, 1)
  } finally {
    await child?.kill9()
    for (const m of members) await m.consumer.disconnect()
    await admin.disconnect()
    await broker.close()
  }
})

test('kafkajs: two groups on one topic each receive every message (pub/sub)', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker(BROKER_CONFIG)
  const kafka = client(broker)
  const topic = 'pubsub'
  const admin = kafka.admin()
  const members: Member[] = []
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })
    await produce(kafka, topic, 0, 3000)
    members.push(await startMember(kafka, topic, 'reader-a'), await startMember(kafka, topic, 'reader-b'))
    await waitFor(() => members.every((m) => new Set(m.consumed).size === 3000), 30_000, { message: 'both groups read everything' })
    const listed = await admin.listGroups()
    assert.deepEqual(listed.groups.map((g) => g.groupId).sort(), ['reader-a', 'reader-b'])
    assert.ok(listed.groups.every((g) => g.protocolType === 'consumer'))
  } finally {
    for (const m of members) await m.consumer.disconnect()
    await admin.disconnect()
    await broker.close()
  }
})

test('kafkajs: auto-commit advances the group; without commits a new member starts over from the last commit', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker(BROKER_CONFIG)
  const kafka = client(broker)
  const topic = 'commits'
  const admin = kafka.admin()
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
    await produce(kafka, topic, 0, 400)

    // Manual mode: consume everything, commit only up to offset 50 on each partition.
    const manual = await startMember(kafka, topic, 'manual', { autoCommit: false })
    await waitFor(() => manual.consumed.length === 400, 20_000, { message: 'manual member consumed all' })
    await manual.consumer.commitOffsets([{ topic, partition: 0, offset: '50' }, { topic, partition: 1, offset: '50' }])
    // Lag as the CLI will show it: committed offsets vs partition ends, with the owning member.
    const [committed] = await admin.fetchOffsets({ groupId: 'manual', topics: [topic] })
    const ends = await admin.fetchTopicOffsets(topic)
    const [described] = (await admin.describeGroups(['manual'])).groups
    const lag = computeLag({
      committed: committed!.partitions.map((p) => ({ topic, partition: p.partition, offset: BigInt(p.offset) })),
      endOffsets: ends.map((e) => ({ topic, partition: e.partition, offset: BigInt(e.high) })),
      members: described!.members.map((m) => ({ ...m, groupInstanceId: null }))
    })
    assert.equal(lag.totalLag, 400n - 100n)
    assert.deepEqual(lag.members.map((m) => [m.clientId, m.partitions]), [['groups-test', 2]])
    await manual.consumer.disconnect()
    const again = await startMember(kafka, topic, 'manual', { autoCommit: false })
    await waitFor(() => again.consumed.length === 300, 20_000, { message: 'redelivery from the manual commit' })
    assert.equal(new Set(again.consumed).size, 300, 'exactly the uncommitted 150 per partition come again')
    await again.consumer.disconnect()

    // Auto-commit: after a full read and a clean leave, a newcomer gets nothing old.
    const auto = await startMember(kafka, topic, 'auto')
    await waitFor(() => auto.consumed.length === 400, 20_000, { message: 'auto member consumed all' })
    await auto.consumer.disconnect()
    const offsets = await admin.fetchOffsets({ groupId: 'auto', topics: [topic] })
    assert.deepEqual(offsets[0]!.partitions.map((p) => Number(p.offset)).reduce((a, b) => a + b, 0), 400)
    const later = await startMember(kafka, topic, 'auto')
    await produce(kafka, topic, 400, 10)
    await waitFor(() => later.consumed.length >= 10, 20_000, { message: 'the newcomer reads the new messages' })
    assert.deepEqual([...later.consumed].sort((a, b) => a - b), [400, 401, 402, 403, 404, 405, 406, 407, 408, 409])
    await later.consumer.disconnect()
  } finally {
    await admin.disconnect()
    await broker.close()
  }
})

test('kafkajs admin: reset a group to a point in time (offsets by timestamp + setOffsets), to earliest, then delete it', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker(BROKER_CONFIG)
  const kafka = client(broker)
  const topic = 'timeline'
  const groupId = 'rewind'
  const admin = kafka.admin()
  const BASE = 1_700_000_000_000
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    await produce(kafka, topic, 0, 1000, (id) => BASE + id * 1000)
    const first = await startMember(kafka, topic, groupId)
    await waitFor(() => first.consumed.length === 1000, 20_000, { message: 'first pass' })
    await first.consumer.disconnect()

    // "Reset offsets to datetime": the first message at or after BASE + 700 s.
    const at = await admin.fetchTopicOffsetsByTimestamp(topic, BASE + 700_000)
    assert.deepEqual(at, [{ partition: 0, offset: '700' }])
    await admin.setOffsets({ groupId, topic, partitions: at })
    const fetched = await admin.fetchOffsets({ groupId, topics: [topic] })
    assert.equal(fetched[0]!.partitions[0]!.offset, '700')
    const second = await startMember(kafka, topic, groupId)
    await waitFor(() => second.consumed.length === 300, 20_000, { message: 'replay from the timestamp' })
    assert.equal(Math.min(...second.consumed), 700)
    // A group with members refuses both offset resets and deletion.
    await assert.rejects(admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '0' }] }))
    await assert.rejects(admin.deleteGroups([groupId]))
    await second.consumer.disconnect()

    // kafkajs commits the EARLIEST sentinel (-2); its consumers resolve it when they start.
    await admin.resetOffsets({ groupId, topic, earliest: true })
    assert.equal((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions[0]!.offset, '-2')
    const third = await startMember(kafka, topic, groupId)
    await waitFor(() => third.consumed.length === 1000, 20_000, { message: 'replay from the earliest offset' })
    assert.equal(Math.min(...third.consumed), 0)
    await third.consumer.disconnect()
    await admin.deleteGroups([groupId])
    assert.deepEqual((await admin.listGroups()).groups, [])
    assert.equal((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions[0]!.offset, '-1')
  } finally {
    await admin.disconnect()
    await broker.close()
  }
})
