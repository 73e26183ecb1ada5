#!/usr/bin/env node
// `npm run bench`: produce/consume throughput and end-to-end latency of a fresh Brook broker,
// driven by a real librdkafka client, with baselines measured in the same run:
//   - the raw sequential write and read of the same bytes (what the disk and page cache allow),
//   - Redis Streams (XADD / XRANGE) when redis-server is installed (the peer named in issue 2).
// Figures are only meaningful as ratios against those baselines: the machine has 2 cores shared
// by the client, the broker and the peer.
//
// Client: rdkbench (librdkafka load generator; set RDKBENCH=/path/to/rdkbench, see
// docs/benchmarks.md for building it), else kcat (Debian), which measures produce/consume only.
//
// Usage: node bench/broker-bench.mjs [--quick] [--no-redis] [--json out.json]
import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdtempSync, rmSync, openSync, writeSync, fsyncSync, closeSync, readSync, existsSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'

const root = new URL('..', import.meta.url).pathname
const args = process.argv.slice(2)
const quick = args.includes('--quick')
const noRedis = args.includes('--no-redis')
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : join(root, '.bench', 'broker-bench.json')

const scale = quick ? 0.2 : 1
const SMALL = { name: '100 B', size: 100, count: Math.round(1_000_000 * scale) }
const LARGE = { name: '1 KiB', size: 1024, count: Math.round(200_000 * scale) }

function which (cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : null
}

function rdkbenchPath () {
  if (process.env.RDKBENCH) return process.env.RDKBENCH
  for (const p of ['/tmp/rdkbench', join(root, '.bench', 'rdkbench')]) if (existsSync(p)) return p
  return which('rdkbench')
}

async function freePort () {
  const srv = createServer()
  srv.listen(0, '127.0.0.1')
  await once(srv, 'listening')
  const { port } = srv.address()
  srv.close()
  await once(srv, 'close')
  return port
}

async function startBroker (dataDir) {
  const child = spawn(process.execPath, [join(root, 'packages/cli/bin/brook.js'), 'start',
    '--override', 'listeners=PLAINTEXT://127.0.0.1:0',
    '--override', `log.dirs=${dataDir}`,
    '--override', 'num.partitions=1',
    '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'inherit'] })
  let buffered = ''
  const address = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('broker did not start within 20 s')), 20_000)
    child.stdout.on('data', (chunk) => {
      buffered += chunk
      const m = /listening on ([\d.]+):(\d+)/.exec(buffered)
      if (m) { clearTimeout(timer); resolve(`${m[1]}:${m[2]}`) }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`broker exited with ${code}`)) })
  })
  child.stdout.resume()
  return { child, bootstrap: address }
}

async function stopBroker (broker) {
  if (broker.child.exitCode !== null) return
  broker.child.kill('SIGTERM')
  await once(broker.child, 'exit')
}

/** Runs a command, returns { seconds, stdout }. */
function timed (cmd, cmdArgs, options = {}) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(cmd, cmdArgs, { encoding: 'utf8', maxBuffer: 1 << 30, ...options })
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  if (r.status !== 0 && r.status !== 2) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (${r.status}): ${r.stderr}`)
  return { seconds, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }
}

function rdkResult (stdout) {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
  if (!line) throw new Error(`no RESULT line in: ${stdout}`)
  return JSON.parse(line.slice(7))
}

/** Plain sequential write + read of `bytes` in 1 MiB chunks: the ceiling for the log. */
function rawBaseline (dir, bytes) {
  const path = join(dir, 'raw.bin')
  const chunk = Buffer.alloc(1 << 20, 0x61)
  let fd = openSync(path, 'w')
  let t0 = process.hrtime.bigint()
  for (let done = 0; done < bytes; done += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - done))
  fsyncSync(fd)
  closeSync(fd)
  const writeSeconds = Number(process.hrtime.bigint() - t0) / 1e9
  fd = openSync(path, 'r')
  t0 = process.hrtime.bigint()
  while (readSync(fd, chunk, 0, chunk.length, null) > 0);
  closeSync(fd)
  const readSeconds = Number(process.hrtime.bigint() - t0) / 1e9
  rmSync(path)
  return { writeMBps: bytes / 1e6 / writeSeconds, readMBps: bytes / 1e6 / readSeconds }
}

function produceWithRdkbench (rdk, bootstrap, topic, w) {
  const r = timed(rdk, ['produce', '-b', bootstrap, '-t', topic, '-c', '-p', '1', '-n', String(w.count), '-s', String(w.size), '-a', 'all'])
  const res = rdkResult(r.stdout)
  return { msgsPerSec: res.msgs_per_s, raw: res }
}

function consumeWithRdkbench (rdk, bootstrap, topic, w) {
  const r = timed(rdk, ['consume', '-b', bootstrap, '-t', topic, '-p', '1', '-n', String(w.count), '--idle', '5'])
  const res = rdkResult(r.stdout)
  return { msgsPerSec: res.msgs_per_s, raw: res }
}

function latencyWithRdkbench (rdk, bootstrap) {
  const r = timed(rdk, ['latency', '-b', bootstrap, '-t', 'lat', '-c', '-p', '1', '-r', '10000', '-d', quick ? '3' : '10', '-s', '100', '-l', '0'])
  return rdkResult(r.stdout)
}

function produceWithKcat (bootstrap, topic, w, dir) {
  const path = join(dir, `in-${w.size}.txt`)
  const line = 'x'.repeat(w.size - 1) + '\n'
  writeFileSync(path, line.repeat(w.count))
  const r = timed('kcat', ['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-X', 'acks=all', '-X', 'linger.ms=5', '-l', path])
  rmSync(path)
  return { msgsPerSec: w.count / r.seconds }
}

function consumeWithKcat (bootstrap, topic, w) {
  const r = timed('kcat', ['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-c', String(w.count), '-f', '%o\n'])
  return { msgsPerSec: w.count / r.seconds }
}

async function redisPeer (dir) {
  if (noRedis || !which('redis-server') || !which('redis-benchmark')) return null
  const port = await freePort()
  const redisDir = join(dir, 'redis')
  mkdirSync(redisDir)
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir,
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], { stdio: 'ignore' })
  for (let i = 0; i < 50 && spawnSync('redis-cli', ['-p', String(port), 'ping']).status !== 0; i++) await new Promise((r) => setTimeout(r, 100))
  const bench = (n, pipeline, cmd) => {
    const r = spawnSync('redis-benchmark', ['-p', String(port), '-c', '50', '-P', String(pipeline), '-n', String(n), '--csv', ...cmd], { encoding: 'utf8' })
    const last = r.stdout.trim().split('\n').pop()
    return Number(JSON.parse(`[${last}]`)[1])
  }
  const out = {}
  for (const w of [SMALL, LARGE]) {
    const key = `s${w.size}`
    const xadd = bench(w.count, 100, ['XADD', key, '*', 'v', 'x'.repeat(w.size)])
    const reads = Math.max(50, Math.round(w.count / 1000))
    const xrange = bench(reads, 1, ['XRANGE', key, '-', '+', 'COUNT', '1000'])
    out[w.name] = { xaddPerSec: xadd, xaddMBps: xadd * w.size / 1e6, xrangeMsgsPerSec: xrange * 1000, xrangeMBps: xrange * 1000 * w.size / 1e6 }
  }
  spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave'])
  if (child.exitCode === null) await once(child, 'exit')
  return out
}

const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })

async function main () {
  const dir = mkdtempSync(join(tmpdir(), 'brook-bench-'))
  const rdk = rdkbenchPath()
  if (!rdk && !which('kcat')) throw new Error('need rdkbench (RDKBENCH=...) or kcat')
  const client = rdk ? 'rdkbench (librdkafka)' : 'kcat (librdkafka)'
  const results = { date: new Date().toISOString(), node: process.version, client, quick, workloads: {} }
  try {
    const raw = rawBaseline(dir, SMALL.count * SMALL.size * 2)
    results.raw = raw
    const broker = await startBroker(join(dir, 'brook'))
    try {
      for (const w of [SMALL, LARGE]) {
        const topic = `bench-${w.size}`
        const produce = rdk ? produceWithRdkbench(rdk, broker.bootstrap, topic, w) : produceWithKcat(broker.bootstrap, topic, w, dir)
        const consume = rdk ? consumeWithRdkbench(rdk, broker.bootstrap, topic, w) : consumeWithKcat(broker.bootstrap, topic, w)
        results.workloads[w.name] = {
          count: w.count,
          produceMsgsPerSec: produce.msgsPerSec,
          produceMBps: produce.msgsPerSec * w.size / 1e6,
          consumeMsgsPerSec: consume.msgsPerSec,
          consumeMBps: consume.msgsPerSec * w.size / 1e6
        }
      }
      if (rdk) results.latency = latencyWithRdkbench(rdk, broker.bootstrap)
    } finally {
      await stopBroker(broker)
    }
    results.redis = await redisPeer(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }

  console.log(`\nBrook broker benchmark (${client}, node ${process.version}${quick ? ', --quick' : ''})`)
  console.log(`raw sequential write ${fmt(results.raw.writeMBps)} MB/s, read ${fmt(results.raw.readMBps)} MB/s\n`)
  console.log('workload        produce msgs/s   MB/s   vs raw write   vs Redis XADD | consume msgs/s   MB/s   vs Redis XRANGE')
  for (const [name, w] of Object.entries(results.workloads)) {
    const redis = results.redis?.[name]
    const vsRedisP = redis ? `${fmt(w.produceMsgsPerSec / redis.xaddPerSec, 2)}x` : 'n/a'
    const vsRedisC = redis ? `${fmt(w.consumeMsgsPerSec / redis.xrangeMsgsPerSec, 2)}x` : 'n/a'
    console.log(`${name.padEnd(14)} ${fmt(w.produceMsgsPerSec).padStart(15)} ${fmt(w.produceMBps).padStart(6)} ${fmt(w.produceMBps / results.raw.writeMBps, 2).padStart(13)}x ${vsRedisP.padStart(14)} | ${fmt(w.consumeMsgsPerSec).padStart(14)} ${fmt(w.consumeMBps).padStart(6)} ${vsRedisC.padStart(17)}`)
  }
  if (results.redis) {
    for (const [name, r] of Object.entries(results.redis)) console.log(`Redis ${name}: XADD ${fmt(r.xaddPerSec)}/s (${fmt(r.xaddMBps)} MB/s), XRANGE read-back ${fmt(r.xrangeMsgsPerSec)} msgs/s`)
  }
  if (results.latency) console.log(`latency @10,000 msgs/s linger 0: ${JSON.stringify(results.latency)}`)
  mkdirSync(join(jsonOut, '..'), { recursive: true })
  writeFileSync(jsonOut, JSON.stringify(results, null, 2))
  console.log(`\nresults written to ${jsonOut}`)
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
