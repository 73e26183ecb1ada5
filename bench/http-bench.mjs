#!/usr/bin/env node
// HTTP API figures, each against its baseline in the same run, on one in-process broker:
//   - REST produce (POST /topics/{t}, json format) of 1 KiB records in requests of 100, several
//     requests in flight, against Kafka-protocol produce of the same records in sends of 100
//     through Brook's client (the client the REST layer itself uses, so the ratio is the cost of
//     HTTP + JSON);
//   - /metrics scrape time with a topic of many partitions (10,000; 1,000 with --quick).
// The machine is shared: read the figures as ratios, with the load average printed.
//
// Usage: node bench/http-bench.mjs [--quick] [--records N] [--in-flight N] [--partitions N] [--scrape-only]
//   --scrape-only: only the /metrics figure (at 10,000 partitions unless --quick or --partitions).
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBroker } from '@brook/broker'
import { startHttpServer } from '@brook/http'
import { Client } from '@brook/client'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const option = (name, fallback) => args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback
const RECORDS = option('--records', quick ? 20_000 : 200_000)
const IN_FLIGHT = option('--in-flight', 8)
const PARTITIONS = option('--partitions', quick ? 1_000 : 10_000)
const SCRAPE_ONLY = args.includes('--scrape-only')
const PER_REQUEST = 100
const VALUE = 'x'.repeat(1024 - 2) // a JSON string of 1 KiB with its quotes

async function pool (total, inFlight, run) {
  let next = 0
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < total) await run(next++)
  }))
}

const dir = mkdtempSync(join(tmpdir(), 'brook-http-bench-'))
const broker = await startBroker({ config: { 'log.dirs': dir, 'num.partitions': '1', 'log.segment.bytes': String(256 * 1024 * 1024) } })
const http = await startHttpServer({ broker, listeners: 'http://127.0.0.1:0' })
const url = http.addresses[0].url
// Creating 10,000 partitions takes longer than the default 30 s request timeout on a busy machine.
const client = new Client({ brokers: [broker.bootstrap], clientId: 'http-bench', requestTimeoutMs: 600_000 })
const admin = client.admin()
try {
  if (!SCRAPE_ONLY) await produceFigures()
  await scrapeFigure()
} finally {
  await admin.close()
  await http.close()
  await broker.close()
  rmSync(dir, { recursive: true, force: true })
}

async function produceFigures () {
  await admin.createTopics([{ topic: 'rest', numPartitions: 1 }, { topic: 'kafka', numPartitions: 1 }])
  const body = JSON.stringify({ records: Array.from({ length: PER_REQUEST }, () => ({ value: VALUE })) })
  const requests = Math.ceil(RECORDS / PER_REQUEST)

  const restStart = process.hrtime.bigint()
  await pool(requests, IN_FLIGHT, async () => {
    const r = await fetch(`${url}/topics/rest`, { method: 'POST', headers: { 'content-type': 'application/vnd.kafka.json.v2+json' }, body })
    if (r.status !== 200) throw new Error(`REST produce answered ${r.status}: ${await r.text()}`)
    await r.arrayBuffer()
  })
  const restSeconds = Number(process.hrtime.bigint() - restStart) / 1e9

  const producer = client.producer({ lingerMs: 2 })
  const messages = Array.from({ length: PER_REQUEST }, () => ({ value: JSON.stringify(VALUE) }))
  const kafkaStart = process.hrtime.bigint()
  await pool(requests, IN_FLIGHT, async () => { await producer.send({ topic: 'kafka', messages }) })
  const kafkaSeconds = Number(process.hrtime.bigint() - kafkaStart) / 1e9
  await producer.close()

  const total = requests * PER_REQUEST
  const rest = total / restSeconds
  const kafka = total / kafkaSeconds
  console.log(`produce ${total} x 1 KiB, ${PER_REQUEST} per request, ${IN_FLIGHT} in flight (load ${loadavg()[0].toFixed(2)})`)
  console.log(`  REST (HTTP + JSON):   ${Math.round(rest).toLocaleString('en')} msg/s`)
  console.log(`  Kafka protocol:       ${Math.round(kafka).toLocaleString('en')} msg/s`)
  console.log(`  REST / Kafka:         ${(rest / kafka).toFixed(2)}`)
}

async function scrapeFigure () {
  const created = process.hrtime.bigint()
  await admin.createTopics([{ topic: 'wide', numPartitions: PARTITIONS }])
  console.log(`created a topic of ${PARTITIONS} partitions in ${(Number(process.hrtime.bigint() - created) / 1e9).toFixed(1)} s`)
  // A first scrape warms up (label children, JIT); the figure is the median of the next five.
  await (await fetch(`${url}/metrics`)).text()
  const times = []
  let size = 0
  for (let i = 0; i < 5; i++) {
    const start = process.hrtime.bigint()
    const text = await (await fetch(`${url}/metrics`)).text()
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
    size = text.length
  }
  times.sort((a, b) => a - b)
  console.log(`/metrics with ${PARTITIONS + (SCRAPE_ONLY ? 0 : 2)} partitions (+ internal topics): median ${times[2].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[4].toFixed(1)}), ${(size / 1024 / 1024).toFixed(1)} MiB of text (load ${loadavg()[0].toFixed(2)})`)
}
