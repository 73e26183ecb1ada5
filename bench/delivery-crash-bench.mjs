#!/usr/bin/env node
// The full-size durability run of scheduled delivery (the test suite runs it at 10,000
// records over 20 s): RECORDS records (default 100,000) scheduled by header at random times over
// SPREAD seconds (default 60), half produced by kafkajs and half by librdkafka (confluent_kafka,
// idempotent, lz4), into a Brook broker process that is killed with SIGKILL halfway through the
// spread and restarted on the same data dir. Then every record is read back with kcat: each must
// be delivered exactly once and never before its time; lateness p50/p99/max is printed with the
// downtime and the load average. Needs a build (`npx tsc -b`).
//
// Usage: node bench/delivery-crash-bench.mjs [--records 100000] [--spread 60]
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import kafkajs from 'kafkajs'
import { fixturePath, kcatConsumeAll, runPython, startBrokerProcess } from '../packages/testkit/dist/src/index.js'

const args = process.argv.slice(2)
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def }
const RECORDS = opt('--records', 100_000)
const SPREAD_MS = opt('--spread', 60) * 1000
const HALF = Math.floor(RECORDS / 2)
const TOPIC = 'crash-bench'
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

const dir = mkdtempSync(join(tmpdir(), 'brook-crash-bench-'))
console.log(`load average before: ${load()}`)
let broker = await startBrokerProcess({ dataDir: dir, startTimeoutMs: 60_000 })
try {
  const kafka = new kafkajs.Kafka({ clientId: 'crash-bench', brokers: [broker.bootstrap], logLevel: kafkajs.logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, configEntries: [{ name: 'delivery.schedule.enable', value: 'true' }, { name: 'message.timestamp.type', value: 'LogAppendTime' }] }] })
  await admin.disconnect()
  // Due from 20 s on: time to produce everything first.
  const base = Date.now() + 20_000
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  for (let i = 0; i < HALF; i += 500) {
    const n = Math.min(500, HALF - i)
    await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: Array.from({ length: n }, (_, j) => ({ key: String(i + j), value: `js-${i + j}`, partition: (i + j) % 3, headers: { 'brook.deliver.at': String(base + Math.floor(Math.random() * SPREAD_MS)), id: String(i + j) } }))
    })
  }
  await producer.disconnect()
  const py = await runPython(fixturePath('schedule_produce.py'), [broker.bootstrap, TOPIC, String(RECORDS - HALF), String(HALF), String(base), String(SPREAD_MS)], { timeoutMs: 600_000 })
  if (py.code !== 0) throw new Error(`schedule_produce.py failed: ${py.stderr}`)
  console.log(`produced ${RECORDS} records ${base - Date.now()} ms before the first was due`)

  await sleep(base + SPREAD_MS / 2 - Date.now())
  const downFrom = Date.now()
  await broker.kill9()
  await sleep(2000)
  broker = await startBrokerProcess({ dataDir: dir, startTimeoutMs: 120_000 })
  const downMs = Date.now() - downFrom

  await sleep(base + SPREAD_MS + 3000 - Date.now())
  let messages = []
  for (let round = 0; round < 30 && messages.length < RECORDS; round++) {
    messages = await kcatConsumeAll(broker.bootstrap, TOPIC, 120_000)
    if (messages.length < RECORDS) await sleep(2000)
  }
  const header = (m, name) => { const h = m.headers ?? []; for (let i = 0; i + 1 < h.length; i += 2) if (h[i] === name) return h[i + 1]; return undefined }
  const ids = new Set(messages.map((m) => header(m, 'id')))
  const lateness = messages.map((m) => m.ts - Number(header(m, 'brook.deliver.at'))).sort((a, b) => a - b)
  const pct = (p) => lateness[Math.min(lateness.length - 1, Math.floor(lateness.length * p))]
  console.log(`delivered ${messages.length} messages, ${ids.size} distinct of ${RECORDS} (duplicates ${messages.length - ids.size}, missing ${RECORDS - ids.size})`)
  console.log(`early: ${lateness.filter((l) => l < 0).length}; lateness p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${lateness.at(-1)} ms; broker down ${downMs} ms`)
} finally {
  await broker.stop()
  rmSync(dir, { recursive: true, force: true })
  console.log(`load average after: ${load()}`)
}
