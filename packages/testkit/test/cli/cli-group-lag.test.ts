// brook's group commands against what kafkajs does: the lag brook shows is what a kafkajs
// consumer committed; list and delete; consume -g -n commits only what it printed.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { startTestBroker, type TestBroker } from '@brook/testkit'
import { kafkajsRead } from './kafkajs-read.js'
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

test('group describe shows the offsets and lag a kafkajs consumer committed; list and delete', { timeout: 120_000 }, async () => {
  await brookOk(['topic', 'create', 'lagged', '-p', '3', ...b])
  const input = Array.from({ length: 60 }, (_, i) => `k${i}\tv${i}`).join('\n') + '\n'
  await brookOk(['topic', 'produce', 'lagged', '-K', '\\t', ...b], { input })
  // Commit half of what each partition holds.
  await kafkajsRead(kafka, 'lag-group', 'lagged', 60, (_, n) => Math.floor(n / 2))

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
  assert.match(table.out, /^GROUP +TYPE +PROTOCOL-TYPE +STATE\nlag-group +classic +consumer +Empty\n$/)
  await brookOk(['group', 'delete', 'lag-group', ...b])
  assert.deepEqual(await brookJson<unknown[]>(['group', 'list', ...b]), [])
  const gone = await brook(['group', 'describe', 'lag-group', ...b])
  assert.equal(gone.code, 1)
  assert.equal(gone.stderr, 'brook: group lag-group does not exist\n')
  const missing = await brook(['group', 'delete', 'lag-group', ...b])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /^brook: GROUP_ID_NOT_FOUND \(69\)/)
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
