// delivery.delay.ms (Brook's topic config) with real clients: records of a topic with a 2 s delay
// reach a kafkajs group consumer and a kcat plain-assign consumer no sooner than 2 s after they
// were produced and no later than 2.5 s after their append was acknowledged (at least 90% of
// them; every one within 3.5 s, for clients starved of CPU on a loaded machine), in order, while an
// ordinary topic on the same broker is read at once. ListOffsets latest stops at the visibility
// bound.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import kafkajs from 'kafkajs'
import { kcatConsumeAll, startBroker, startTestBroker, tempDir, waitFor } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
const DELAY_MS = 2000
const COUNT = 20

interface Seen { value: string, at: number }

/** kcat reading every partition of `topic` from the beginning, with the time each line arrived. */
function kcatFollow (bootstrap: string, topic: string): { seen: Seen[], stop: () => void } {
  const child = spawn('kcat', ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-u', '-q', '-f', '%s\n', '-X', 'fetch.wait.max.ms=5000'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const seen: Seen[] = []
  createInterface({ input: child.stdout }).on('line', (line) => { seen.push({ value: line, at: Date.now() }) })
  return { seen, stop: () => { child.kill('SIGTERM') } }
}

test('delivery.delay.ms=2000: kafkajs and kcat see each record 2 to 2.5 s after its append, in order; an ordinary topic has no delay', { timeout: 120_000 }, async (t) => {
  const broker = await startTestBroker()
  const kafka = new Kafka({ clientId: 'delay-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer()
  const consumer = kafka.consumer({ groupId: 'delay-group', maxWaitTimeInMs: 5000 })
  let kcat: { seen: Seen[], stop: () => void } | undefined
  try {
    await admin.connect()
    await admin.createTopics({
      topics: [
        { topic: 'delayed', numPartitions: 1, configEntries: [{ name: 'delivery.delay.ms', value: String(DELAY_MS) }] },
        { topic: 'plain', numPartitions: 1 }
      ]
    })
    const seenByGroup = new Map<string, Seen[]>([['delayed', []], ['plain', []]])
    await consumer.connect()
    await consumer.subscribe({ topics: ['delayed', 'plain'], fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ topic, message }) => { seenByGroup.get(topic)?.push({ value: message.value?.toString() ?? '', at: Date.now() }) }
    })
    kcat = kcatFollow(broker.bootstrap, 'delayed')
    await producer.connect()
    // Wait until the group consumer reads the ordinary topic, so that later timings measure the broker.
    await waitFor(async () => {
      await producer.send({ topic: 'plain', messages: [{ value: 'warm-up' }] })
      return (seenByGroup.get('plain')?.length ?? 0) > 0
    }, 60_000, { message: 'the group consumer reads the plain topic', intervalMs: 1000 })

    const sentAt: number[] = []
    const ackedAt: number[] = []
    const plainAcked: number[] = []
    for (let i = 0; i < COUNT; i++) {
      sentAt.push(Date.now())
      await producer.send({ topic: 'delayed', messages: [{ value: `d-${i}` }] })
      ackedAt.push(Date.now())
      await producer.send({ topic: 'plain', messages: [{ value: `p-${i}` }] })
      plainAcked.push(Date.now())
      if (i === 0) {
        // Just appended: not visible yet, so latest has not reached it.
        const [latest] = await admin.fetchTopicOffsets('delayed')
        assert.equal(latest?.high, '0', 'ListOffsets latest stops at the visibility bound')
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const group = seenByGroup.get('delayed') as Seen[]
    const follow = kcat.seen
    await waitFor(() => group.length >= COUNT && follow.length >= COUNT, 60_000, { message: 'both consumers read every delayed record' })
    const [latest] = await admin.fetchTopicOffsets('delayed')
    assert.equal(latest?.high, String(COUNT), 'ListOffsets latest reaches the log end once everything is visible')

    for (const [name, seen] of [['kafkajs group', group], ['kcat', follow]] as const) {
      assert.deepEqual(seen.map((s) => s.value), Array.from({ length: COUNT }, (_, i) => `d-${i}`), `${name}: every record once, in order`)
      const lates: number[] = []
      for (const [i, s] of seen.entries()) {
        const early = s.at - (sentAt[i] as number)
        const late = s.at - (ackedAt[i] as number)
        assert.ok(early >= DELAY_MS, `${name}: d-${i} seen ${early} ms after it was sent (delay ${DELAY_MS})`)
        // Hard bound with room for a client starved of CPU on a loaded machine.
        assert.ok(late <= DELAY_MS + 1500, `${name}: d-${i} seen ${late} ms after its append was acknowledged (at most ${DELAY_MS + 1500})`)
        lates.push(late)
      }
      const onTime = lates.filter((l) => l <= DELAY_MS + 500).length
      t.diagnostic(`${name}: ${onTime}/${COUNT} within ${DELAY_MS + 500} ms of the acknowledgement, worst ${Math.max(...lates)} ms`)
      assert.ok(onTime >= COUNT * 0.9, `${name}: at least 90% within ${DELAY_MS + 500} ms (${onTime}/${COUNT})`)
    }
    const plain = seenByGroup.get('plain') as Seen[]
    await waitFor(() => plain.filter((s) => s.value.startsWith('p-')).length >= COUNT, 30_000, { message: 'the plain topic read' })
    const lags = plain.filter((s) => s.value.startsWith('p-')).map((s) => s.at - (plainAcked[Number(s.value.slice(2))] as number))
    assert.ok(Math.max(...lags) < 1000, `the ordinary topic is read without the delay (worst ${Math.max(...lags)} ms)`)
  } finally {
    kcat?.stop()
    await consumer.disconnect()
    await producer.disconnect()
    await admin.disconnect()
    await broker.close()
  }
})

test('delivery.delay.ms across a restart: a record appended just before is still hidden until its time', { timeout: 120_000 }, async () => {
  const dir = await tempDir('brook-delay-restart-')
  const config = { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir.path }
  let broker = await startBroker({ config })
  try {
    const kafka = new Kafka({ clientId: 'delay-restart', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'delayed-restart', numPartitions: 1, configEntries: [{ name: 'delivery.delay.ms', value: '6000' }, { name: 'message.timestamp.type', value: 'LogAppendTime' }] }] })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    const sentAt = Date.now()
    await producer.send({ topic: 'delayed-restart', messages: [{ value: 'before-restart' }] })
    await producer.disconnect()
    await broker.close()
    broker = await startBroker({ config })
    const early = await kcatConsumeAll(broker.bootstrap, 'delayed-restart')
    if (Date.now() - sentAt < 5500) assert.deepEqual(early, [], 'still hidden after the restart')
    const seen = await waitFor(async () => {
      const got = await kcatConsumeAll(broker.bootstrap, 'delayed-restart')
      return got.length > 0 ? { got, at: Date.now() } : null
    }, 30_000, { message: 'the record becomes visible' })
    assert.equal(seen.got[0]?.payload, 'before-restart')
    assert.ok(seen.at - sentAt >= 6000, `visible ${seen.at - sentAt} ms after it was sent`)
  } finally {
    await broker.close()
    await dir.cleanup()
  }
})
