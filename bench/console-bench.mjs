#!/usr/bin/env node
// Web console page loads with a topic of many partitions (10,000; 1,000 with --quick), the issue
// asking for under 1 s: in-process broker and HTTP API, Debian's chromium through playwright-core.
// For each page, the time from navigation to its content shown (the bundle loaded, the console's
// API answered, the table rendered), median of 5 after a warm-up, and the API call alone.
// The machine is shared: the load average is printed with the figures.
//
// Usage: node bench/console-bench.mjs [--quick] [--partitions N]
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { startBroker } from '@brook/broker'
import { startHttpServer } from '@brook/http'
import { Client } from '@brook/client'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const PARTITIONS = args.includes('--partitions') ? Number(args[args.indexOf('--partitions') + 1]) : quick ? 1_000 : 10_000
const RUNS = 5
const shown = PARTITIONS.toLocaleString('en-US')

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const dir = mkdtempSync(join(tmpdir(), 'brook-console-bench-'))
const broker = await startBroker({ config: { 'log.dirs': dir, listeners: 'PLAINTEXT://127.0.0.1:0', 'num.partitions': '1' } })
const http = await startHttpServer({ broker, listeners: 'http://127.0.0.1:0' })
const url = http.addresses[0].url
const client = new Client({ brokers: [broker.bootstrap], requestTimeoutMs: 600_000 })
const admin = client.admin()
const producer = client.producer()
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] })
try {
  let t = performance.now()
  await admin.createTopics([{ topic: 'wide', numPartitions: PARTITIONS }])
  console.log(`created a topic of ${shown} partitions in ${((performance.now() - t) / 1000).toFixed(1)} s`)
  await producer.send({ topic: 'wide', messages: Array.from({ length: 100 }, (_, i) => ({ partition: (i * 97) % PARTITIONS, value: Buffer.from(`{"i":${i}}`) })) })

  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: url })).newPage()
  page.setDefaultTimeout(120_000)
  const pages = [
    ['topic page', '#/topics/wide', `#topic-summary:has-text("${shown} partitions")`, '/console/api/topics/wide'],
    ['topic list', '#/topics', '#topics tr[data-topic="wide"]', '/console/api/topics'],
    ['overview', '#/', `[data-card="Partitions"] .value:has-text("${shown}")`, '/console/api/overview'],
    ['newest messages', '#/topics/wide?tab=messages', '#messages tr.record', '/console/api/topics/wide/messages']
  ]
  for (const [name, hash, ready, api] of pages) {
    const loads = []
    const calls = []
    for (let i = 0; i <= RUNS; i++) {
      await page.goto('about:blank')
      t = performance.now()
      await page.goto(`/${hash}`)
      await page.locator(ready).first().waitFor()
      if (i > 0) loads.push(performance.now() - t)
      t = performance.now()
      const r = await fetch(`${url}${api}`)
      await r.arrayBuffer()
      if (i > 0) calls.push(performance.now() - t)
    }
    console.log(`${name.padEnd(16)} page ${median(loads).toFixed(0).padStart(5)} ms (min ${Math.min(...loads).toFixed(0)}, max ${Math.max(...loads).toFixed(0)})   API ${median(calls).toFixed(0).padStart(5)} ms   load ${loadavg()[0].toFixed(2)}`)
  }
} finally {
  await browser.close()
  await producer.close()
  await admin.close()
  await http.close()
  await broker.close()
  rmSync(dir, { recursive: true, force: true })
}
