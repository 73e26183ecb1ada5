// brook group seek: a dry run by default, and offsets it resets are where a kafkajs consumer of
// the group starts.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { startTestBroker, type TestBroker } from '@brook/testkit'
import { kafkajsRead } from './kafkajs-read.js'
import { brookJson, brookOk } from './brook.js'

const { Kafka, logLevel } = kafkajs

let broker: TestBroker
let kafka: InstanceType<typeof Kafka>
let admin: ReturnType<InstanceType<typeof Kafka>['admin']>
let b: string[]

before(async () => {
  broker = await startTestBroker()
  kafka = new Kafka({ clientId: 'cli-groups-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } })
  b = ['-b', broker.bootstrap]
  admin = kafka.admin()
  await admin.connect()
})
after(async () => {
  await admin.disconnect()
  await broker.close()
})

/** The group's committed offsets as kafkajs reads them, summed over partitions. */
async function committedSum (groupId: string, topic: string): Promise<number> {
  return (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0)
}

test('group seek: dry run by default, --to-datetime replays for a kafkajs consumer, --shift-by clamps', { timeout: 180_000 }, async () => {
  await brookOk(['topic', 'create', 'replay', '-p', '2', ...b])
  await brookOk(['topic', 'produce', 'replay', ...b], { input: Array.from({ length: 10 }, (_, i) => `A-${i}`).join('\n') + '\n' })
  const t = Date.now() + 1
  while (Date.now() <= t + 1) await new Promise((resolve) => setTimeout(resolve, 2))
  await brookOk(['topic', 'produce', 'replay', ...b], { input: Array.from({ length: 10 }, (_, i) => `B-${i}`).join('\n') + '\n' })
  // The group reads everything and commits its end.
  await brookOk(['topic', 'consume', 'replay', '-g', 'replayers', '-e', ...b])
  assert.equal(await committedSum('replayers', 'replay'), 20)

  // Without --execute nothing changes.
  const dry = await brookOk(['group', 'seek', 'replayers', '--topic', 'replay', '--to-earliest', ...b])
  assert.match(dry.out, /^TOPIC +PARTITION +CURRENT-OFFSET +NEW-OFFSET\n/)
  assert.match(dry.stderr, /dry run/)
  assert.equal(await committedSum('replayers', 'replay'), 20)

  const plan = await brookJson<{ executed: boolean, partitions: Array<{ newOffset: number }> }>(['group', 'seek', 'replayers', '--topic', 'replay', '--to-datetime', new Date(t).toISOString(), '--execute', ...b])
  assert.equal(plan.executed, true)
  assert.equal(plan.partitions.length, 2)
  assert.equal(await committedSum('replayers', 'replay'), 10)

  // A kafkajs member of the group starts at the reset offsets: exactly the B records again.
  const replayed = await kafkajsRead(kafka, 'replayers', 'replay', 10)
  assert.deepEqual(replayed.sort(), Array.from({ length: 10 }, (_, i) => `B-${i}`).sort())

  // --shift-by clamps to the partition's range.
  const shifted = await brookJson<{ partitions: Array<{ partition: number, currentOffset: number, newOffset: number }> }>(['group', 'seek', 'replayers', '--topic', 'replay:0', '--shift-by', '-1000', ...b])
  assert.deepEqual(shifted.partitions.map((p) => [p.partition, p.newOffset]), [[0, 0]])
})

