// Scheduled delivery survives kill -9: 10,000 records scheduled by header at random times over
// 20 s, half produced by kafkajs and half by librdkafka (confluent_kafka, idempotent, lz4), into
// a broker process that is killed with SIGKILL halfway and restarted on the same data dir. Every
// record is delivered exactly once, never before its time, and late by at most the downtime
// (plus 10 s of slack for a loaded machine), measured on a LogAppendTime topic (a record's
// timestamp is when it entered the log). Lateness percentiles are printed as test diagnostics.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { assertSucceeded, fixturePath, kcatConsumeAll, runPython, startBrokerProcess, tempDir, type KcatMessage } from '@brook/testkit'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'sched-crash'
const PER_CLIENT = 5000
const TOTAL = 2 * PER_CLIENT
const SPREAD_MS = 20_000

function header (m: KcatMessage, name: string): string | undefined {
  const h = m.headers ?? []
  for (let i = 0; i + 1 < h.length; i += 2) if (h[i] === name) return h[i + 1]
  return undefined
}

function percentile (sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN
}

test('10,000 records scheduled over 20 s by kafkajs and librdkafka, broker killed -9 halfway: each delivered once, never early', { timeout: 240_000 }, async (t) => {
  const dir = await tempDir('brook-sched-crash-')
  let broker = await startBrokerProcess({ dataDir: dir.path })
  try {
    const kafka = new Kafka({ clientId: 'sched-crash', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, configEntries: [{ name: 'delivery.schedule.enable', value: 'true' }, { name: 'message.timestamp.type', value: 'LogAppendTime' }] }] })
    await admin.disconnect()
    const base = Date.now() + 5000
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    let scheduledAnswers = 0
    for (let i = 0; i < PER_CLIENT; i += 250) {
      const messages = Array.from({ length: 250 }, (_, j) => {
        const id = i + j
        return { key: String(id), value: `js-${id}`, partition: id % 3, headers: { 'brook.deliver.at': String(base + Math.floor(Math.random() * SPREAD_MS)), id: String(id) } }
      })
      const answers = await producer.send({ topic: TOPIC, messages, acks: -1 })
      scheduledAnswers += answers.filter((a) => a.baseOffset === '-1').length
    }
    await producer.disconnect()
    assert.ok(scheduledAnswers > 0, 'kafkajs got base offset -1 for scheduled batches')
    const py = assertSucceeded('schedule_produce.py', await runPython(fixturePath('schedule_produce.py'),
      [broker.bootstrap, TOPIC, String(PER_CLIENT), String(PER_CLIENT), String(base), String(SPREAD_MS)], { timeoutMs: 120_000 }))
    const reports = (JSON.parse(py.stdout.toString('utf8')) as { reports: Array<{ error: string | null, offset: number | null }> }).reports
    assert.equal(reports.length, PER_CLIENT)
    assert.deepEqual(reports.filter((r) => r.error !== null), [], 'librdkafka: every scheduled record acknowledged')
    // librdkafka numbers a batch's records from its base offset: -1 (no offset) for the first.
    assert.ok(reports.some((r) => r.offset === null || r.offset < 0), 'librdkafka: base offset -1 for scheduled batches')

    // Kill halfway through the spread, stay down 2 s, restart on the same data.
    const killAt = base + SPREAD_MS / 2
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, killAt - Date.now())))
    const downFrom = Date.now()
    await broker.kill9()
    await new Promise((resolve) => setTimeout(resolve, 2000))
    broker = await startBrokerProcess({ dataDir: dir.path, startTimeoutMs: 60_000 })
    const downMs = Date.now() - downFrom

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, base + SPREAD_MS + 2000 - Date.now())))
    let messages: KcatMessage[] = []
    for (let round = 0; round < 30 && messages.length < TOTAL; round++) {
      messages = await kcatConsumeAll(broker.bootstrap, TOPIC, 60_000)
      if (messages.length < TOTAL) await new Promise((resolve) => setTimeout(resolve, 1000))
    }
    const ids = messages.map((m) => Number(header(m, 'id')))
    const seen = new Set(ids)
    assert.equal(seen.size, TOTAL, `every record delivered (${seen.size} distinct of ${TOTAL})`)
    assert.equal(messages.length, TOTAL, `no record delivered twice (${messages.length} messages)`)
    const lateness: number[] = []
    for (const m of messages) {
      const due = Number(header(m, 'brook.deliver.at'))
      assert.equal(m.payload, Number(m.key) < PER_CLIENT ? `js-${m.key}` : `py-${m.key}`, 'key and value kept')
      assert.equal(m.partition, Number(m.key) % 3, 'delivered into the partition the producer chose')
      assert.ok(m.ts >= due, `record ${m.key} delivered at ${m.ts}, before its time ${due}`)
      lateness.push(m.ts - due)
    }
    lateness.sort((a, b) => a - b)
    const worst = lateness[lateness.length - 1] ?? 0
    t.diagnostic(`lateness ms: p50 ${percentile(lateness, 0.5)} p99 ${percentile(lateness, 0.99)} max ${worst}; broker down ${downMs} ms`)
    assert.ok(worst <= downMs + 10_000, `late by at most the downtime (${downMs} ms) and 10 s of slack for a loaded machine; worst ${worst} ms`)
  } finally {
    await broker.stop()
    await dir.cleanup()
  }
})
