// Group state is durable: a broker child process is killed with SIGKILL right after kafkajs
// committed offsets (with metadata strings) for a stable group, then restarted on the same data
// dir and port. The committed offsets, their metadata and the group's members come back from
// __consumer_offsets, and a new member of the group resumes exactly where the commits left it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { startBrokerProcess, tempDir, waitFor, type BrokerProcess } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'durable'
const GROUP = 'survivor'
const PARTITIONS = 3
const PER_PARTITION = 100
const COMMITTED = 50
const OVERRIDES = { 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '1000', 'offsets.topic.num.partitions': '5' }

function kafkaFor (broker: BrokerProcess, clientId: string): InstanceType<typeof Kafka> {
  return new Kafka({ clientId, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } })
}

test('committed offsets, their metadata and the group survive kill -9; a new member resumes from the commits', { timeout: 120_000 }, async () => {
  const data = await tempDir('brook-groups-restart-')
  let broker: BrokerProcess | undefined
  // Clients to disconnect whatever happens: a connected kafkajs consumer keeps the process alive.
  const cleanups: Array<() => Promise<void>> = []
  try {
    broker = await startBrokerProcess({ dataDir: data.path, overrides: OVERRIDES })
    const kafka = kafkaFor(broker, 'before')
    const admin = kafka.admin()
    await admin.connect()
    cleanups.push(async () => { await admin.disconnect() })
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] })
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: Array.from({ length: PARTITIONS * PER_PARTITION }, (_, id) => ({ partition: id % PARTITIONS, value: String(id) }))
    })
    await producer.disconnect()

    // The rebalance timeout bounds how long the group waits for members to rejoin if this member's
    // reconnection to the restarted broker starts a rebalance before it leaves (kafkajs's is 60 s).
    const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 6000, rebalanceTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 500 })
    let consumed = 0
    cleanups.push(async () => { await consumer.disconnect() })
    await consumer.connect()
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
    await consumer.run({ autoCommit: false, eachBatch: async ({ batch }) => { consumed += batch.messages.length } })
    await waitFor(() => consumed === PARTITIONS * PER_PARTITION, 30_000, { message: 'first member read everything' })
    const metadata = (p: number): string => `checkpoint p${p} ✓ ünïcode`
    await consumer.commitOffsets(Array.from({ length: PARTITIONS }, (_, p) => ({ topic: TOPIC, partition: p, offset: String(COMMITTED), metadata: metadata(p) })))
    const [before] = (await admin.describeGroups([GROUP])).groups
    assert.equal(before?.state, 'Stable')
    const memberBefore = before?.members[0]?.memberId
    await admin.disconnect()

    // Crash right after the acknowledged commit, restart on the same port.
    const port = broker.port
    await broker.kill9()
    broker = await startBrokerProcess({ dataDir: data.path, overrides: { ...OVERRIDES, listeners: `PLAINTEXT://127.0.0.1:${port}` } })
    const after = kafkaFor(broker, 'after')
    const admin2 = after.admin()
    await admin2.connect()
    cleanups.push(async () => { await admin2.disconnect() })
    const [offsets] = await admin2.fetchOffsets({ groupId: GROUP, topics: [TOPIC] })
    assert.deepEqual(offsets?.partitions.map((p) => [p.partition, p.offset, p.metadata]).sort(),
      Array.from({ length: PARTITIONS }, (_, p) => [p, String(COMMITTED), metadata(p)]))
    const [loaded] = (await admin2.describeGroups([GROUP])).groups
    assert.ok(loaded?.members.some((m) => m.memberId === memberBefore), 'the member of the stable group came back from the log')
    assert.equal(loaded?.protocolType, 'consumer')

    // The old member goes away; a new one resumes from the commits.
    await consumer.disconnect()
    const seen: string[] = []
    await waitFor(async () => {
      const group = (await admin2.describeGroups([GROUP])).groups[0]
      const state = `${group?.state}[${group?.members.map((m) => m.memberId).join(',')}]`
      if (seen.at(-1) !== state) seen.push(state)
      return group?.state === 'Empty'
    }, 40_000, { message: 'the group empties' }).catch((err: unknown) => {
      throw new Error(`${(err as Error).message} (states seen: ${seen.join(' -> ')}; member before the crash: ${memberBefore})`)
    })
    const resumed: number[] = []
    const next = after.consumer({ groupId: GROUP, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 500 })
    cleanups.push(async () => { await next.disconnect() })
    await next.connect()
    await next.subscribe({ topic: TOPIC, fromBeginning: true })
    await next.run({ eachBatch: async ({ batch }) => { for (const m of batch.messages) resumed.push(Number(m.value?.toString())) } })
    const expected = PARTITIONS * (PER_PARTITION - COMMITTED)
    await waitFor(() => resumed.length >= expected, 30_000, { message: 'the resumed member read the rest' })
    await next.disconnect()
    assert.equal(resumed.length, expected, 'nothing before the commits is read again')
    // Message id = partition + PARTITIONS * offset: the ones at offsets >= COMMITTED.
    assert.ok(resumed.every((id) => Math.floor(id / PARTITIONS) >= COMMITTED))
    await admin2.disconnect()
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup()
    await broker?.stop()
    await data.cleanup()
  }
})
