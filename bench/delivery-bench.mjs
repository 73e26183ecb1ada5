#!/usr/bin/env node
// Scheduled and delayed delivery (docs/delivery.md), against a Brook broker process:
//   1. produce throughput with librdkafka (kcat -P, 100-byte values) into an ordinary topic, a
//      delivery.schedule.enable topic with records due now (every batch decoded, none held), and
//      the same topic with every record scheduled (brook.delay.ms on all), in the same run;
//   2. lateness of scheduled delivery: records scheduled by confluent_kafka (librdkafka, lz4)
//      with brook.deliver.at spread evenly at RATE records per second over SECONDS seconds, read
//      back with kcat once due, from a LogAppendTime topic; lateness = the record's timestamp (when
//      it entered the log) minus its brook.deliver.at. Reported as p50 / p99 / max per rate.
// The machine's load average is printed with the figures: they are only comparable on a quiet box.
//
// Usage: node bench/delivery-bench.mjs [--quick] [--rates 10000,100000] [--seconds 3] [--records 200000]
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const args = process.argv.slice(2)
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def }
const quick = args.includes('--quick')
const rates = opt('--rates', quick ? '10000' : '10000,100000').split(',').map(Number)
const seconds = Number(opt('--seconds', quick ? '2' : '3'))
const produceRecords = Number(opt('--records', quick ? '50000' : '200000'))

const dir = mkdtempSync(join(tmpdir(), 'brook-delivery-bench-'))
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')

function startBroker () {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'packages/cli/bin/brook.js'), 'start', '--log-format', 'json',
      '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${join(dir, 'data')}`,
      '--override', 'num.partitions=1'], { stdio: ['ignore', 'pipe', 'pipe'] })
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

function run (cmd, argv, input) {
  const r = spawnSync(cmd, argv, { input, maxBuffer: 1 << 30, timeout: 600_000 })
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr.toString()}`)
  return r.stdout
}

function createTopic (bootstrap, topic, configs) {
  const py = `
import sys
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({'bootstrap.servers': sys.argv[1]})
cfg = dict(kv.split('=', 1) for kv in sys.argv[3:])
for f in a.create_topics([NewTopic(sys.argv[2], 1, 1, config=cfg)]).values(): f.result()
`
  run('/usr/bin/python3', ['-c', py, bootstrap, topic, ...configs])
}

function produceKcat (bootstrap, topic, headers) {
  const value = 'x'.repeat(100)
  const file = join(dir, 'values.txt')
  writeFileSync(file, (value + '\n').repeat(produceRecords))
  const t0 = process.hrtime.bigint()
  run('kcat', ['-P', '-b', bootstrap, '-t', topic, '-l', '-z', 'lz4', '-X', 'linger.ms=20', '-X', 'batch.num.messages=10000', ...headers.flatMap((h) => ['-H', h]), file])
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  return Math.round(produceRecords / s)
}

function consumeJson (bootstrap, topic) {
  return run('kcat', ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-J']).toString('utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l))
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]

async function main () {
  console.log(`load average before: ${load()}`)
  const { child, bootstrap } = await startBroker()
  try {
    createTopic(bootstrap, 'plain', [])
    createTopic(bootstrap, 'sched-now', ['delivery.schedule.enable=true'])
    createTopic(bootstrap, 'sched-held', ['delivery.schedule.enable=true'])
    console.log(`produce ${produceRecords} x 100 B (kcat, lz4):`)
    console.log(`  ordinary topic:                        ${produceKcat(bootstrap, 'plain', [])} msgs/s`)
    console.log(`  scheduling topic, records due now:     ${produceKcat(bootstrap, 'sched-now', [])} msgs/s`)
    console.log(`  scheduling topic, every record held:   ${produceKcat(bootstrap, 'sched-held', ['brook.delay.ms=3600000'])} msgs/s`)
    for (const rate of rates) {
      const topic = `lateness-${rate}`
      // LogAppendTime: a record's timestamp is when it entered the log, whether the scheduler
      // delivered it or it arrived already due (then appended at once).
      createTopic(bootstrap, topic, ['delivery.schedule.enable=true', 'message.timestamp.type=LogAppendTime'])
      const count = rate * seconds
      // Due from `lead` ms after the producer starts: time enough to produce them all first.
      const lead = Math.max(5000, Math.round(count / 20))
      const py = `
import sys, time
from confluent_kafka import Producer
bootstrap, topic, count, lead, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
p = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 20, 'compression.type': 'lz4', 'batch.num.messages': 10000, 'queue.buffering.max.messages': 1000000})
base = int(time.time() * 1000) + lead
for i in range(count):
    while True:
        try:
            p.produce(topic, value=b'v' * 100, headers=[('brook.deliver.at', str(base + (i * 1000) // rate).encode())])
            break
        except BufferError:
            p.poll(0.01)
    if i % 10000 == 0: p.poll(0)
p.flush(120)
print(int(time.time() * 1000) - base)
`
      const behind = Number(run('/usr/bin/python3', ['-c', py, bootstrap, topic, String(count), String(lead), String(rate)]).toString().trim())
      if (behind > 0) console.log(`  (rate ${rate}: producing ended ${behind} ms after the first record was due)`)
      const dueEnd = Date.now() + (count * 1000) / rate + Math.max(0, -behind)
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueEnd - Date.now()) + 3000))
      let records = consumeJson(bootstrap, topic)
      for (let i = 0; i < 20 && records.length < count; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1000))
        records = consumeJson(bootstrap, topic)
      }
      const lateness = records.map((r) => r.ts - Number(r.headers[r.headers.indexOf('brook.deliver.at') + 1])).sort((a, b) => a - b)
      const early = lateness.filter((l) => l < 0).length
      console.log(`scheduled delivery at ${rate}/s for ${seconds} s: ${records.length}/${count} delivered, lateness p50 ${pct(lateness, 0.5)} ms, p99 ${pct(lateness, 0.99)} ms, max ${lateness.at(-1)} ms, early ${early}`)
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
    console.log(`load average after: ${load()}`)
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
