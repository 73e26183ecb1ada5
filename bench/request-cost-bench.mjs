#!/usr/bin/env node
// The cost of a small request (issue 16): CPU seconds the broker spends per 10,000 messages when
// producers send one 100 B message per request (linger 0) to a consumer waiting at the tail,
// against Redis Streams at the same rate in the same run.
//   - Brook: a fresh broker per case; rdkbench latency (librdkafka) at the rate, one partition
//     per producer, its consumer reading at the end. acks=1 (the write is in the page cache before
//     the answer: the like-for-like case against Redis) and acks=all (fsync before the answer:
//     stricter than Redis's everysec).
//   - Redis: a fresh redis-server per case (appendonly yes, appendfsync everysec),
//     redis-streams-load.mjs: one XADD per message, a reader per stream in XREAD BLOCK.
// CPU is the server's own (user + system, all threads, /proc/PID/stat) over the measured
// window, so the load generators do not count; on a loaded machine it is the steadier figure.
// End-to-end p99 is each side's load generator's. Cases: 10,000 msgs/s from 1 producer and
// 50,000 msgs/s from 10 producers (10 rdkbench processes at 5,000/s, 10 streams).
//
// Usage: node bench/request-cost-bench.mjs [--seconds S] [--cases 10000x1,50000x10] [--acks 1,all] [--no-redis]
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { startBrokerProcess } from '@brook/testkit'
import { cpuSeconds, freePort, rdkbenchPath, which } from './bench-tools.mjs'

const root = new URL('..', import.meta.url).pathname
const args = process.argv.slice(2)
const opt = (name, fallback) => args.includes(name) ? args[args.indexOf(name) + 1] : fallback
const seconds = Number(opt('--seconds', '10'))
const cases = opt('--cases', '10000x1,50000x10').split(',').map((c) => {
  const [rate, producers] = c.split('x').map(Number)
  return { rate, producers }
})
const acksList = opt('--acks', '1,all').split(',')

const rdk = rdkbenchPath()
if (rdk === null) {
  console.error('rdkbench is not built (see docs/benchmarks.md)')
  process.exit(1)
}
const haveRedis = !args.includes('--no-redis') && which('redis-server') !== null

async function stop (child) {
  if (child.exitCode !== null) return
  child.kill('SIGTERM')
  await once(child, 'exit')
}

/** Runs commands in parallel; resolves with their stdout once all exited. */
async function runAll (commands) {
  return await Promise.all(commands.map(async ([cmd, cmdArgs]) => {
    const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c) => { out += c })
    child.stderr.on('data', (c) => { err += c })
    const [code] = await once(child, 'exit')
    if (code !== 0 && code !== 2) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (${code}): ${err}`)
    return out
  }))
}

function result (stdout) {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
  if (line === undefined) throw new Error(`no RESULT line in: ${stdout}`)
  return JSON.parse(line.slice(7))
}

function latencyArgs (bootstrap, topic, rate, acks, duration) {
  return ['latency', '-b', bootstrap, '-t', topic, '-c', '-p', '1', '-r', String(rate), '-d', String(duration), '-s', '100', '-l', '0', '-a', acks]
}

async function brook (dir, { rate, producers }, acks) {
  const dataDir = join(dir, `brook-${rate}-${producers}-${acks}`)
  mkdirSync(dataDir)
  const broker = await startBrokerProcess({ dataDir, startTimeoutMs: 30_000, overrides: { 'num.partitions': '1' } })
  try {
    // Warm-up (JIT, topic creation paths), not measured.
    await runAll([[rdk, latencyArgs(broker.bootstrap, 'warm', 2000, acks, 2)]])
    const each = rate / producers
    const commands = Array.from({ length: producers }, (_v, i) => [rdk, latencyArgs(broker.bootstrap, `lat-${i}`, each, acks, seconds)])
    const cpu0 = cpuSeconds(broker.process.pid)
    const outs = await runAll(commands)
    const cpu = cpuSeconds(broker.process.pid) - cpu0
    const results = outs.map(result)
    return {
      cpu,
      messages: results.reduce((n, r) => n + r.received, 0),
      sent: results.reduce((n, r) => n + r.sent, 0),
      p99: Math.max(...results.map((r) => r.p99_ms)),
      command: `rdkbench ${latencyArgs('<broker>', 'lat-N', each, acks, seconds).join(' ')} (x${producers})`
    }
  } finally {
    await broker.stop()
  }
}

async function redis (dir, { rate, producers }) {
  const port = await freePort()
  const redisDir = join(dir, `redis-${rate}-${producers}`)
  mkdirSync(redisDir)
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir,
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], { stdio: 'ignore' })
  try {
    for (let i = 0; i < 100 && spawnSync('redis-cli', ['-p', String(port), 'ping']).status !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 100))
    const load = (r, s) => [process.execPath, [join(root, 'bench/redis-streams-load.mjs'), '--port', String(port), '--rate', String(r), '--producers', String(producers), '--seconds', String(s)]]
    await runAll([load(2000, 2)])
    const cpu0 = cpuSeconds(child.pid)
    const [out] = await runAll([load(rate, seconds)])
    const cpu = cpuSeconds(child.pid) - cpu0
    const r = result(out)
    return { cpu, messages: r.received, sent: r.sent, p99: r.p99_ms, command: `node bench/redis-streams-load.mjs --rate ${rate} --producers ${producers} --seconds ${seconds}` }
  } finally {
    spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave'])
    await stop(child)
  }
}

const fmt = (n, d = 2) => Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a'
/** CPU seconds per 10,000 messages; NaN for a side that did not read what it sent (it did less work). */
const per10k = (side) => side.messages < side.sent * 0.99 ? NaN : side.cpu * 10_000 / Math.max(1, side.messages)

const dir = mkdtempSync(join(tmpdir(), 'brook-cost-'))
const rows = []
try {
  for (const c of cases) {
    // Redis first, then Brook for each acks: the pairs meet the same machine state.
    const peer = haveRedis ? await redis(dir, c) : null
    for (const acks of acksList) {
      const load = loadavg()[0]
      const side = await brook(dir, c, acks)
      rows.push({ ...c, acks, brook: side, redis: peer, load })
      const short = (x, who) => x.messages < x.sent ? ` (${who}: ${x.messages.toLocaleString('en-US')} of ${x.sent.toLocaleString('en-US')} read in time)` : ''
      const vs = peer === null ? '' : `; Redis ${fmt(peer.cpu)} CPU-s, ${fmt(per10k(peer))} per 10k msgs, p99 ${fmt(peer.p99, 1)} ms; ratio ${fmt(per10k(side) / per10k(peer))}x${short(peer, 'Redis')}`
      console.log(`${c.rate.toLocaleString('en-US')} msgs/s x${c.producers} producer(s), acks=${acks} (load ${fmt(load)}): Brook ${fmt(side.cpu)} CPU-s in ${seconds} s, ${fmt(per10k(side))} per 10k msgs, e2e p99 ${fmt(side.p99, 1)} ms${short(side, 'Brook')}${vs}`)
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}

console.log('\nBroker CPU seconds per 10,000 messages at linger 0 (100 B), server processes only:')
console.log('case                     acks  Brook CPU-s/10k  Redis CPU-s/10k  ratio   Brook p99  Redis p99  load')
for (const r of rows) {
  const name = `${r.rate.toLocaleString('en-US')}/s x${r.producers}`.padEnd(24)
  const redisPer = r.redis === null ? NaN : per10k(r.redis)
  console.log(`${name} ${r.acks.padEnd(4)} ${fmt(per10k(r.brook)).padStart(16)} ${fmt(redisPer).padStart(16)} ${fmt(per10k(r.brook) / redisPer).padStart(6)}x ${fmt(r.brook.p99, 1).padStart(8)} ms ${fmt(r.redis?.p99 ?? NaN, 1).padStart(7)} ms  ${fmt(r.load)}`)
}
console.log(`\nBrook: ${rows[0]?.brook.command ?? ''}; acks=1 answers after the write (page cache), acks=all after fsync.`)
if (haveRedis) console.log(`Redis: redis-server --appendonly yes --appendfsync everysec; ${rows[0]?.redis?.command ?? ''}.`)
