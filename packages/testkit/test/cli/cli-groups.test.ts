// brook's group commands against what kafkajs does: the lag brook shows is what a kafkajs
// consumer committed, and offsets brook resets are where a kafkajs consumer of the group starts.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { startTestBroker, waitFor, type TestBroker } from '@brook/testkit'
import { brook, brookJson, brookOk } from './brook.js'

const { Kafka, logLevel } = kafkajs

let broker: TestBroker
let kafka: InstanceType<typeof Kafka>
let b: string[]

before(async () => {
  broker = await startTestBroker()
  kafka = new Kafka({ clientId: 'cli-groups-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } })
  b = ['-b', broker.bootstrap]
})
after(async () => { await broker.close() })

interface DescribedGroup { groupId: string, state: string, totalLag: number, members: unknown[], partitions: Array<{ topic: string, partition: number, currentOffset: number | null, logEndOffset: number, lag: number | null }> }

/** A kafkajs member of `groupId` reads until it has `count` records, commits `commit(partition, offsetsSeen)` and leaves. */
async function kafkajsRead (groupId: string, topic: string, count: number, commit?: (partition: number, seen: number) => number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 })
  await consumer.connect()
  const values: string[] = []
  const seen = new Map<number, number>()
  try {
    await consumer.subscribe({ topic, fromBeginning: commit !== undefined })
    await consumer.run({
      autoCommit: commit === undefined,
      eachMessage: async ({ partition, message }) => {
        values.push(message.value?.toString() ?? '')
        seen.set(partition, (seen.get(partition) ?? 0) + 1)
      }
    })
    await waitFor(() => values.length >= count, 60_000, { message: `kafkajs read ${count} records of ${topic}` })
    if (commit !== undefined) {
      await consumer.commitOffsets([...seen].map(([partition, n]) => ({ topic, partition, offset: String(commit(partition, n)) })))
    }
  } finally {
    await consumer.disconnect()
  }
  return values
}

test('group describe shows the offsets and lag a kafkajs consumer committed; list and delete', { timeout: 120_000 }, async () => {
  await brookOk(['topic', 'create', 'lagged', '-p', '3', ...b])
  const input = Array.from({ length: 60 }, (_, i) => `k${i}\tv${i}`).join('\n') + '\n'
  await brookOk(['topic', 'produce', 'lagged', '-K', '\\t', ...b], { input })
  // Commit half of what each partition holds.
  await kafkajsRead('lag-group', 'lagged', 60, (_, n) => Math.floor(n / 2))

  const admin = kafka.admin()
  await admin.connect()
  try {
    const committed = (await admin.fetchOffsets({ groupId: 'lag-group', topics: ['lagged'] }))[0]!.partitions
    const ends = await admin.fetchTopicOffsets('lagged')
    const [described] = await brookJson<DescribedGroup[]>(['group', 'describe', 'lag-group', ...b])
    assert.ok(described !== undefined)
    assert.equal(described.state, 'Empty')
    const expected = committed.map((c) => {
      const end = Number(ends.find((e) => e.partition === c.partition)!.offset)
      return { partition: c.partition, currentOffset: Number(c.offset), logEndOffset: end, lag: end - Number(c.offset) }
    }).sort((x, y) => x.partition - y.partition)
    assert.deepEqual(described.partitions.map((p) => ({ partition: p.partition, currentOffset: p.currentOffset, logEndOffset: p.logEndOffset, lag: p.lag })), expected)
    assert.equal(described.totalLag, expected.reduce((s, p) => s + p.lag, 0))
    assert.ok(described.totalLag > 0)
  } finally {
    await admin.disconnect()
  }

  const groups = await brookJson<Array<{ groupId: string, state: string }>>(['group', 'list', ...b])
  assert.deepEqual(groups.map((g) => g.groupId), ['lag-group'])
  const table = await brookOk(['group', 'list', ...b])
  assert.match(table.out, /^GROUP +PROTOCOL-TYPE +STATE\nlag-group +consumer +Empty\n$/)
  await brookOk(['group', 'delete', 'lag-group', ...b])
  assert.deepEqual(await brookJson<unknown[]>(['group', 'list', ...b]), [])
  const missing = await brook(['group', 'delete', 'lag-group', ...b])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /^brook: GROUP_ID_NOT_FOUND \(69\)/)
})

test('group seek: dry run by default, --to-datetime replays for a kafkajs consumer, refused while members are active', { timeout: 180_000 }, async () => {
  await brookOk(['topic', 'create', 'replay', '-p', '2', ...b])
  await brookOk(['topic', 'produce', 'replay', ...b], { input: Array.from({ length: 10 }, (_, i) => `A-${i}`).join('\n') + '\n' })
  const t = Date.now() + 1
  while (Date.now() <= t + 1) await new Promise((resolve) => setTimeout(resolve, 2))
  await brookOk(['topic', 'produce', 'replay', ...b], { input: Array.from({ length: 10 }, (_, i) => `B-${i}`).join('\n') + '\n' })
  // The group reads everything and commits its end.
  await brookOk(['topic', 'consume', 'replay', '-g', 'replayers', '-e', ...b])
  const atEnd = await brookJson<DescribedGroup[]>(['group', 'describe', 'replayers', ...b])
  assert.equal(atEnd[0]!.totalLag, 0)

  // Without --execute nothing changes.
  const dry = await brookOk(['group', 'seek', 'replayers', '--topic', 'replay', '--to-earliest', ...b])
  assert.match(dry.out, /^TOPIC +PARTITION +CURRENT-OFFSET +NEW-OFFSET\n/)
  assert.match(dry.stderr, /dry run/)
  assert.equal((await brookJson<DescribedGroup[]>(['group', 'describe', 'replayers', ...b]))[0]!.totalLag, 0)

  const plan = await brookJson<{ executed: boolean, partitions: Array<{ newOffset: number }> }>(['group', 'seek', 'replayers', '--topic', 'replay', '--to-datetime', new Date(t).toISOString(), '--execute', ...b])
  assert.equal(plan.executed, true)
  assert.equal(plan.partitions.length, 2)
  assert.equal((await brookJson<DescribedGroup[]>(['group', 'describe', 'replayers', ...b]))[0]!.totalLag, 10)

  // A kafkajs member of the group starts at the reset offsets: exactly the B records again.
  const replayed = await kafkajsRead('replayers', 'replay', 10)
  assert.deepEqual(replayed.sort(), Array.from({ length: 10 }, (_, i) => `B-${i}`).sort())

  // --shift-by and --to-offset clamp to each partition's range.
  const shifted = await brookJson<{ partitions: Array<{ partition: number, currentOffset: number, newOffset: number }> }>(['group', 'seek', 'replayers', '--topic', 'replay:0', '--shift-by', '-1000', ...b])
  assert.deepEqual(shifted.partitions.map((p) => [p.partition, p.newOffset]), [[0, 0]])

  // An active member blocks the reset, as in kafka-consumer-groups.sh.
  const consumer = kafka.consumer({ groupId: 'replayers', sessionTimeout: 10_000, heartbeatInterval: 500 })
  await consumer.connect()
  try {
    await consumer.subscribe({ topic: 'replay' })
    await consumer.run({ eachMessage: async () => {} })
    await waitFor(async () => (await brookJson<DescribedGroup[]>(['group', 'describe', 'replayers', ...b]))[0]!.members.length > 0, 60_000, { message: 'the kafkajs member joined' })
    const refused = await brook(['group', 'seek', 'replayers', '--all-topics', '--to-earliest', '--execute', ...b])
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /^brook: group replayers has 1 active member/)
  } finally {
    await consumer.disconnect()
  }
})

test('consume -g -n commits only the records it printed, then the rest continues from there', { timeout: 120_000 }, async () => {
  await brookOk(['topic', 'create', 'counted', '-p', '1', ...b])
  await brookOk(['topic', 'produce', 'counted', ...b], { input: 'c0\nc1\nc2\nc3\nc4\n' })
  assert.equal((await brookOk(['topic', 'consume', 'counted', '-g', 'counters', '-n', '2', ...b])).out, 'c0\nc1\n')
  const [after2] = await brookJson<DescribedGroup[]>(['group', 'describe', 'counters', ...b])
  assert.deepEqual(after2!.partitions.map((p) => [p.currentOffset, p.lag]), [[2, 3]])
  assert.equal((await brookOk(['topic', 'consume', 'counted', '-g', 'counters', '-e', ...b])).out, 'c2\nc3\nc4\n')
  const [atEnd] = await brookJson<DescribedGroup[]>(['group', 'describe', 'counters', ...b])
  assert.deepEqual(atEnd!.partitions.map((p) => [p.currentOffset, p.lag]), [[5, 0]])
})
