#!/usr/bin/env node
// Connection scale of one broker process: N idle connections (each has sent one ApiVersions
// request and then stays silent, as a parked client does) and A active producers (Brook's
// client, one connection each, acks=1) each sending one small message per second.
// Reports: the broker's RSS with no client, with the active producers, and with the idle
// connections added (RSS per idle connection), the broker's CPU while only idle connections
// are open, and the active producers' send latency (p50 / p99 / max) without and with the idle
// connections. The idle connections live in a child process, so their sockets do not slow the
// process that measures latency. Open-file limits: the broker's is raised with prlimit, and this
// script re-runs itself under prlimit when its own is too low (both need root or a high hard
// limit). Needs a build (npx tsc -b).
// Usage: node bench/connection-scale-bench.mjs [--idle 10000] [--active 1000] [--seconds 20] [--gc]
// --gc runs the broker with --trace-gc and reports the GC pauses (count, total, largest, by kind)
// of each active phase, to tell what the idle connections cost the active clients' latency.
import { parseArgs } from 'node:util'
import { spawn, spawnSync } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Client } from '@brook/client'
import { startBrokerProcess } from '@brook/testkit'

const { values } = parseArgs({
  options: {
    idle: { type: 'string', default: '10000' },
    active: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    // the broker runs with --trace-gc; each active phase reports its GC pauses
    gc: { type: 'boolean', default: false },
    // internal: this process is the holder of the idle connections
    'hold-idle': { type: 'string' },
    port: { type: 'string' }
  }
})
const NOFILE = 65_536

const openFileLimit = () => {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'))
  return Number(line?.split(/\s+/)[3] ?? 0)
}

/** ApiVersions v0 with correlation id 1 and client id "idle": what a parked client has sent. */
function apiVersionsRequest () {
  const clientId = Buffer.from('idle')
  const buf = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length)
  buf.writeInt32BE(buf.length - 4, 0)
  buf.writeInt16BE(18, 4)
  buf.writeInt16BE(0, 6)
  buf.writeInt32BE(1, 8)
  buf.writeInt16BE(clientId.length, 12)
  clientId.copy(buf, 14)
  return buf
}

async function holdIdle (count, port) {
  const request = apiVersionsRequest()
  const sockets = []
  let answered = 0
  const batch = 200
  for (let i = 0; i < count; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port })
      socket.once('error', reject)
      socket.once('connect', () => { socket.write(request) })
      socket.once('data', () => { answered++; resolve() })
      sockets.push(socket)
    })))
  }
  process.send?.({ ready: sockets.length, answered })
  // Held until the parent ends this process.
  setInterval(() => {}, 60_000)
}

function procStat (pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return { cpu: (Number(fields[11]) + Number(fields[12])) / 100 }
}

function rssMiB (pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')

/** A producers each send one message per second for `seconds`, starts spread over the first second. */
async function activePhase (producers, seconds) {
  const latencies = []
  let failed = 0
  const started = performance.now()
  await Promise.all(producers.map(async (producer, i) => {
    await sleep((i / producers.length) * 1000)
    for (let s = 0; s < seconds; s++) {
      const due = started + (i / producers.length) * 1000 + s * 1000
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      const t = performance.now()
      try {
        await producer.send({ topic: 'connection-scale', messages: [{ key: `p${i}`, value: 'x'.repeat(100) }] })
        latencies.push(performance.now() - t)
      } catch {
        failed++
      }
    }
  }))
  latencies.sort((a, b) => a - b)
  return { sent: latencies.length, failed, p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), max: latencies[latencies.length - 1] ?? NaN }
}

/** GC pauses from --trace-gc lines ("...: Scavenge 8.4 (9.1) -> 7.6 (10.1) MB, 0.62 / 0.00 ms ..."), per kind. */
class GcPauses {
  constructor () { this.kinds = new Map() }
  add (line) {
    const m = /ms: ([A-Za-z() -]+?) [\d.]+ \([\d.]+\) -> [\d.]+ \([\d.]+\) MB, ([\d.]+) \/ [\d.]+ ms/.exec(line)
    if (m === null) return
    const kind = m[1].trim()
    const pause = Number(m[2])
    const k = this.kinds.get(kind) ?? { count: 0, total: 0, max: 0 }
    k.count++
    k.total += pause
    k.max = Math.max(k.max, pause)
    this.kinds.set(kind, k)
  }
  toString () {
    const all = [...this.kinds.values()]
    const total = all.reduce((n, k) => n + k.total, 0)
    const parts = [...this.kinds].map(([kind, k]) => `${kind} ${k.count} x, ${k.total.toFixed(0)} ms, max ${k.max.toFixed(1)} ms`)
    return `GC pauses ${total.toFixed(0)} ms in all (${parts.join('; ') || 'none'})`
  }
}

async function main (idle, active, seconds, gc) {
  console.log(`idle ${idle}, active ${active} x 1 msg/s for ${seconds} s; load average before: ${load()}`)
  let pauses = null
  const broker = await startBrokerProcess({
    startTimeoutMs: 120_000,
    overrides: { 'connections.max.idle.ms': '3600000' },
    ...(gc ? { nodeArgs: ['--trace-gc'], onLine: (line) => { pauses?.add(line) } } : {})
  })
  const pid = broker.process.pid
  const raised = spawnSync('prlimit', ['--pid', String(pid), `--nofile=${NOFILE}:${NOFILE}`])
  // Without the privilege, the broker keeps the limit it inherited from this process.
  if (raised.status !== 0) console.log(`broker's open-file limit not raised (${raised.stderr.toString().trim()}); it has this process's: ${openFileLimit()}`)
  let holder
  const clients = []
  try {
    const admin = new Client({ brokers: [broker.bootstrap], clientId: 'setup' }).admin()
    await admin.createTopics([{ topic: 'connection-scale', numPartitions: 10, replicationFactor: 1 }])
    await admin.close()
    await sleep(2_000)
    const bare = rssMiB(pid)
    console.log(`broker with no client: RSS ${bare.toFixed(0)} MiB`)

    const producers = []
    for (let i = 0; i < active; i++) {
      const client = new Client({ brokers: [broker.bootstrap], clientId: `active-${i}` })
      clients.push(client)
      producers.push(client.producer({ acks: 1, lingerMs: 0 }))
    }
    // Each producer's connection and metadata, before timing.
    await Promise.all(producers.map(async (p) => await p.send({ topic: 'connection-scale', messages: [{ value: 'warm-up' }] })))
    let cpu = procStat(pid).cpu
    let t = performance.now()
    pauses = new GcPauses()
    const alone = await activePhase(producers, seconds)
    const alonePauses = pauses
    pauses = null
    const aloneCpu = (procStat(pid).cpu - cpu) / ((performance.now() - t) / 1000)
    const withActive = rssMiB(pid)
    console.log(`active only: ${alone.sent} sent, ${alone.failed} failed, latency p50 ${alone.p50.toFixed(1)} ms, p99 ${alone.p99.toFixed(1)} ms, max ${alone.max.toFixed(0)} ms; broker CPU ${(aloneCpu * 100).toFixed(0)} % of a core, RSS ${withActive.toFixed(0)} MiB; load ${load()}`)
    if (gc) console.log(`  ${alonePauses.toString()}`)

    t = performance.now()
    holder = spawn(process.execPath, [fileURLToPath(import.meta.url), '--hold-idle', String(idle), '--port', String(broker.port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const ready = await new Promise((resolve, reject) => {
      holder.once('message', resolve)
      holder.once('exit', (code) => reject(new Error(`the idle holder exited with ${code}`)))
    })
    console.log(`${ready.ready} idle connections open (${ready.answered} answered) in ${((performance.now() - t) / 1000).toFixed(1)} s`)
    await sleep(5_000)
    // CPU at idle: the producers paused, only the idle connections open.
    cpu = procStat(pid).cpu
    t = performance.now()
    await sleep(10_000)
    const idleCpu = (procStat(pid).cpu - cpu) / ((performance.now() - t) / 1000)
    const withIdle = rssMiB(pid)
    console.log(`with ${idle} idle connections: RSS ${withIdle.toFixed(0)} MiB (+${(withIdle - withActive).toFixed(0)} MiB, ${((withIdle - withActive) * 1024 / idle).toFixed(1)} KiB per connection); broker CPU with the producers paused ${(idleCpu * 100).toFixed(1)} % of a core`)

    cpu = procStat(pid).cpu
    t = performance.now()
    pauses = new GcPauses()
    const beside = await activePhase(producers, seconds)
    const besidePauses = pauses
    pauses = null
    const besideCpu = (procStat(pid).cpu - cpu) / ((performance.now() - t) / 1000)
    console.log(`active beside the idle ones: ${beside.sent} sent, ${beside.failed} failed, latency p50 ${beside.p50.toFixed(1)} ms, p99 ${beside.p99.toFixed(1)} ms, max ${beside.max.toFixed(0)} ms; broker CPU ${(besideCpu * 100).toFixed(0)} % of a core, RSS ${rssMiB(pid).toFixed(0)} MiB; load ${load()}`)
    if (gc) console.log(`  ${besidePauses.toString()}`)
    await Promise.all(producers.map(async (p) => await p.close()))
  } finally {
    holder?.kill()
    await Promise.all(clients.map(async (c) => await c.close?.()))
    await broker.stop()
    console.log(`load average after: ${load()}`)
  }
}

if (values['hold-idle'] !== undefined) {
  await holdIdle(Number(values['hold-idle']), Number(values.port))
} else {
  const idle = Number(values.idle)
  const active = Number(values.active)
  const raise = [`--nofile=${NOFILE}:${NOFILE}`]
  if (openFileLimit() < NOFILE && process.env.BROOK_BENCH_REEXEC === undefined && spawnSync('prlimit', [...raise, 'true']).status === 0) {
    // Re-run under the higher limit (the child holding idle sockets inherits it).
    const run = spawnSync('prlimit', [...raise, process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, BROOK_BENCH_REEXEC: '1' } })
    process.exit(run.status ?? 1)
  }
  // Without the privilege to raise it, the limit there is must do.
  if (openFileLimit() < idle + active + 1_000) throw new Error(`open-file limit ${openFileLimit()} is too low for ${idle + active} connections`)
  await main(idle, active, Number(values.seconds), values.gc)
}
