// The online upgrade of a classic group (two kafkajs consumers) to a KIP-848 consumer group when a
// librdkafka member (group.protocol=consumer) joins: the kafkajs members stay, as classic members
// of the consumer group, the six partitions are shared by all three, nothing is lost, and the
// broker never shows a partition in two assignments. When that member leaves, the group turns
// back into a classic group and the kafkajs members carry on.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, logLevel, type Consumer } from 'kafkajs'
import { consumerGroupDescribeApi, decodeResponseFrame, encodeRequestFrame, listGroupsApi } from '@brook/protocol'
import { loadKafkaJavascript, RawConnection, startTestBroker, waitFor } from '@brook/testkit'
import { PARTITIONS, Scenario } from './kip848/scenario.js'

test('a classic kafkajs group is upgraded online when a librdkafka KIP-848 member joins, and downgraded when it leaves', { timeout: 180_000 }, async () => {
  assert.match(loadKafkaJavascript().librdkafkaVersion, /^2\.15\./)
  const broker = await startTestBroker({
    'offsets.topic.num.partitions': '3',
    'group.initial.rebalance.delay.ms': '0',
    'group.consumer.heartbeat.interval.ms': '500',
    'group.consumer.min.heartbeat.interval.ms': '500'
  })
  const topic = 'upgrade-topic'
  const group = 'upgrade-group'
  const kafka = new Kafka({ clientId: 'kip848-upgrade', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer()
  const s = new Scenario(broker, 'rdkafka-member', topic, group)
  const classic: Consumer[] = []
  try {
    await admin.connect()
    await producer.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] })
    for (let i = 0; i < 2; i++) {
      const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 300, rebalanceTimeout: 10_000, maxWaitTimeInMs: 300 })
      await consumer.connect()
      await consumer.subscribe({ topic, fromBeginning: true })
      await consumer.run({ eachMessage: async ({ message }) => { s.allRead.push(Number(message.value?.toString())) } })
      classic.push(consumer)
    }
    const phase1 = await s.produce(producer)
    await s.readAll(phase1)
    assert.deepEqual((await admin.describeGroups([group])).groups[0]?.protocolType, 'consumer')

    s.startBrokerCheck()
    const member = s.spawn('rdkafka')
    await member.ready
    await waitFor(() => member.owned.size === 2, 90_000, { message: 'the KIP-848 member owns its share', intervalMs: 50 })
    const phase2 = await s.produce(producer)
    await s.readAll(phase2)

    // The group is a consumer group now, with two classic members and one consumer member.
    const { groups } = await listGroups(broker)
    assert.deepEqual(groups.filter((g) => g.groupId === group).map((g) => g.groupType), ['consumer'])
    const described = await describe(broker, group)
    assert.deepEqual(described.map((m) => m.memberType).sort(), [0, 0, 1])
    assert.deepEqual(described.map((m) => m.partitions).sort(), [2, 2, 2])

    // The KIP-848 member leaves: only classic members remain, and the group is classic again.
    member.child.stdin!.write('leave\n')
    await waitFor(async () => (await listGroups(broker)).groups.find((g) => g.groupId === group)?.groupType === 'classic', 30_000,
      { message: 'the group is classic again', intervalMs: 100 })
    const phase3 = await s.produce(producer)
    await s.readAll(phase3)
    await waitFor(async () => (await admin.describeGroups([group])).groups[0]?.state === 'Stable', 30_000, { message: 'a Stable classic group', intervalMs: 100 })
    assert.equal((await admin.describeGroups([group])).groups[0]?.members.length, 2)

    const got = new Set(s.allRead)
    assert.deepEqual(Array.from({ length: s.produced }, (_, i) => i).filter((v) => !got.has(v)), [], 'nothing lost')
    await s.stop()
    assert.deepEqual(s.violations, [], 'a partition had two owners')
  } finally {
    await s.stop()
    for (const c of classic) await c.disconnect()
    await producer.disconnect()
    await admin.disconnect()
    await broker.close()
  }
})

async function call<Res> (broker: { host: string, port: number }, run: (c: RawConnection) => Promise<Res>): Promise<Res> {
  const conn = await RawConnection.connect(broker.host, broker.port)
  try {
    return await run(conn)
  } finally {
    conn.destroy()
  }
}

async function listGroups (broker: { host: string, port: number }): Promise<{ groups: Array<{ groupId: string, groupType?: string }> }> {
  return await call(broker, async (conn) => {
    for (const b of encodeRequestFrame(1, 't', listGroupsApi, 5, { statesFilter: [], typesFilter: [] })) conn.write(b)
    return decodeResponseFrame((await conn.nextFrame(5000))!, listGroupsApi, 5).body
  })
}

async function describe (broker: { host: string, port: number }, group: string): Promise<Array<{ memberType: number, partitions: number }>> {
  return await call(broker, async (conn) => {
    for (const b of encodeRequestFrame(1, 't', consumerGroupDescribeApi, 1, { groupIds: [group], includeAuthorizedOperations: false })) conn.write(b)
    const res = decodeResponseFrame((await conn.nextFrame(5000))!, consumerGroupDescribeApi, 1).body
    return (res.groups[0]?.members ?? []).map((m) => ({ memberType: m.memberType ?? -1, partitions: m.assignment.topicPartitions.reduce((n, t) => n + t.partitions.length, 0) }))
  })
}
