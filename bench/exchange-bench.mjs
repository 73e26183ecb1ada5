#!/usr/bin/env node
// Exchanges (docs/exchanges.md), against a Brook broker process: kcat produces RECORDS records of
// 100 B into an ordinary topic and into fanout exchanges bound to 1, 3 and 10 topics, in the same
// run. Reported per target: produce throughput, exchange records routed per second (from the
// first produce until every destination holds every copy), and the routing lag (exchange end
// offset minus the least advanced destination's) sampled every 50 ms: p50 / p99 / max.
// The machine's load average is printed with the figures: they are only comparable on a quiet box.
//
// Usage: node bench/exchange-bench.mjs [--quick] [--records 200000]
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import kafkajs from 'kafkajs'

const root = new URL('..', import.meta.url).pathname
const args = process.argv.slice(2)
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def }
const quick = args.includes('--quick')
const records = Number(opt('--records', quick ? '20000' : '200000'))
const dir = mkdtempSync(join(tmpdir(), 'brook-exchange-bench-'))
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')

function startBroker () {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'packages/cli/bin/brook.js'), 'start', '--log-format', 'json',
      '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${join(dir, 'data')}`], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    const onData = (chunk) => {
      out += chunk
      const m = /listening on ([^\s:"]+):(\d+)/.exec(out)
      if (m !== null) { child.stdout.off('data', onData); resolve({ child, bootstrap: `${m[1]}:${m[2]}` }) }
    }
    child.stdout.setEncoding('utf8').on('data', onData)
    child.stderr.setEncoding('utf8').on('data', (c) => { out += c })
    child.once('exit', (code) => reject(new Error(`broker exited ${code}: ${out.slice(-2000)}`)))
  })
}

function kcatProduce (bootstrap, topic) {
  return new Promise((resolve, reject) => {
    const file = join(dir, 'values.txt')
    writeFileSync(file, ('x'.repeat(100) + '\n').repeat(records))
    const child = spawn('kcat', ['-P', '-b', bootstrap, '-t', topic, '-l', '-X', 'linger.ms=20', '-X', 'batch.num.messages=10000', file], { stdio: ['ignore', 'ignore', 'inherit'] })
    child.once('exit', (code) => code === 0 ? resolve() : reject(new Error(`kcat exited ${code}`)))
  })
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0

async function main () {
  console.log(`load average before: ${load()}; ${records} records of 100 B per target`)
  const { child, bootstrap } = await startBroker()
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const kafka = new kafkajs.Kafka({ clientId: 'exchange-bench', brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  try {
    const end = async (topic) => (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0)
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'plain', numPartitions: 1 }] })
    const t0 = process.hrtime.bigint()
    await kcatProduce(bootstrap, 'plain')
    console.log(`ordinary topic: produce ${Math.round(records / (Number(process.hrtime.bigint() - t0) / 1e9))} msgs/s`)
    for (const n of [1, 3, 10]) {
      const dests = Array.from({ length: n }, (_, i) => `fan${n}-d${i}`)
      await admin.createTopics({ waitForLeaders: true, topics: dests.map((topic) => ({ topic, numPartitions: 1 })) })
      const exchange = `fanout-${n}`
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: exchange, numPartitions: 1, configEntries: [{ name: 'exchange.type', value: 'fanout' }, { name: 'exchange.bindings', value: dests.join(';') }] }] })
      const lags = []
      let done = false
      const sampler = (async () => {
        while (!done) {
          const [x, ...d] = await Promise.all([end(exchange), ...dests.map(end)])
          lags.push(x - Math.min(...d))
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
      })()
      const start = process.hrtime.bigint()
      await kcatProduce(bootstrap, exchange)
      const produced = Number(process.hrtime.bigint() - start) / 1e9
      while ((await Promise.all(dests.map(end))).some((e) => e < records)) await new Promise((resolve) => setTimeout(resolve, 20))
      const routed = Number(process.hrtime.bigint() - start) / 1e9
      done = true
      await sampler
      lags.sort((a, b) => a - b)
      console.log(`fanout to ${String(n).padStart(2)}: produce ${Math.round(records / produced)} msgs/s, routed ${Math.round(records / routed)} records/s (${Math.round(records * n / routed)} copies/s), lag p50 ${pct(lags, 0.5)} p99 ${pct(lags, 0.99)} max ${lags.at(-1)} records`)
    }
  } finally {
    await admin.disconnect()
    child.kill('SIGTERM')
    await exited
    console.log(`load average after: ${load()}`)
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
