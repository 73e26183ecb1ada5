#!/usr/bin/env node
// `npm run bench`: produce/consume throughput and end-to-end latency of a fresh Brook broker,
// driven by a real librdkafka client, with baselines measured in the same run:
//   - the raw sequential write and read of the same bytes (what the disk and page cache allow):
//     1 MiB writes, each followed by fdatasync (the fsync policy of acks=all with 1 MB batches),
//     into a new file that is kept until the end;
//   - Redis Streams (XADD / XRANGE) when redis-server is installed (the peer named in issue 2).
// Memory state: on this Firecracker VM the first touch of a guest page costs the host a fault, so
// writing into new page-cache pages runs at ~420 MB/s of kernel copy, while pages freed in the
// last few seconds (a deleted file's) are reused at ~5 GB/s. Which one a contender gets depended
// on what ran before it. So the run starts by writing a ballast file (kept until the end) until
// its writes slow down to the new-page rate, which uses up the recently freed pages: every
// contender then writes into new pages, and the run reports that rate ("new page-cache pages")
// as the ceiling it implies. --no-ballast skips it.
// Figures are only meaningful as ratios against those baselines: the machine has 2 cores shared
// by the client, the broker and the peer. CPU seconds of the broker (all threads) and of the
// client are printed per phase, to tell which side limits a figure.
// Consume runs twice: with librdkafka's defaults, and with its local queue bounds raised
// (queued.min.messages, queued.max.messages.kbytes): librdkafka 2.0.2 stops fetching for a whole
// second whenever its queue passes queued.min.messages (librdkafka #2879, fixed by
// fetch.queue.backoff.ms in 2.1+), which a fast broker triggers; the second figure is the broker's.
//
// Client: rdkbench (librdkafka load generator; set RDKBENCH=/path/to/rdkbench, see
// docs/benchmarks.md for building it), else kcat (Debian), which measures produce/consume only.
//
// Produce runs `--repeat N` times (3; 1 with --quick) per workload, Brook and Redis XADD taking
// turns, each into a new topic or stream: the machine's memory state drifts during a run, and a
// pair taken back to back meets the same state. Read-back runs in pairs the same way. The median
// pair's ratio is reported, with all pairs.
//
// Usage: node bench/broker-bench.mjs [--quick] [--repeat N] [--partitions N] [--no-redis] [--no-ballast] [--json out.json]
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, openSync, writeSync, fdatasyncSync, closeSync, readSync, existsSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { freePort, rdkbenchPath, which } from './bench-tools.mjs'

const root = new URL('..', import.meta.url).pathname
const args = process.argv.slice(2)
const quick = args.includes('--quick')
const noRedis = args.includes('--no-redis')
const noBallast = args.includes('--no-ballast')
const repeats = args.includes('--repeat') ? Number(args[args.indexOf('--repeat') + 1]) : (quick ? 1 : 3)
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : join(root, '.bench', 'broker-bench.json')

const scale = quick ? 0.2 : 1
// --partitions N (rdkbench only) spreads the 1 KiB workload over N partitions (default 1, as the
// 100 B one): a partition is one file, and a file takes one page-cache copy at a time
// (docs/benchmarks.md).
const largePartitions = args.includes('--partitions') ? Number(args[args.indexOf('--partitions') + 1]) : 1
const SMALL = { name: '100 B', size: 100, count: Math.round(1_000_000 * scale), partitions: 1 }
const LARGE = { name: largePartitions === 1 ? '1 KiB' : `1 KiB x${largePartitions}p`, size: 1024, count: Math.round(200_000 * scale), partitions: largePartitions }

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

/** CPU seconds (user + system, all threads) a process has used so far, from /proc. */
function cpuSeconds (pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch (err) {
    if (err.code === 'ENOENT') return NaN
    throw err
  }
}

let brokerPid = 0
const hasTime = existsSync('/usr/bin/time')

/** Runs a command, returns { seconds, stdout, clientCpu, brokerCpu }. */
function timed (cmd, cmdArgs, options = {}) {
  const b0 = brokerPid ? cpuSeconds(brokerPid) : NaN
  const t0 = process.hrtime.bigint()
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-f', 'BENCHCPU %U %S', cmd, ...cmdArgs], { encoding: 'utf8', maxBuffer: 1 << 30, ...options })
    : spawnSync(cmd, cmdArgs, { encoding: 'utf8', maxBuffer: 1 << 30, ...options })
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  if (r.status !== 0 && r.status !== 2) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (${r.status}): ${r.stderr}`)
  const m = /BENCHCPU ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '')
  const clientCpu = m ? Number(m[1]) + Number(m[2]) : NaN
  return { seconds, stdout: r.stdout ?? '', stderr: r.stderr ?? '', clientCpu, brokerCpu: brokerPid ? cpuSeconds(brokerPid) - b0 : NaN }
}

function rdkResult (stdout) {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
  if (!line) throw new Error(`no RESULT line in: ${stdout}`)
  return JSON.parse(line.slice(7))
}

/**
 * Plain sequential write of `bytes` in 1 MiB writes, each followed by fdatasync, into a new file
 * (kept: see the header), then its read back in 1 MiB reads from the page cache.
 */
function rawBaseline (dir, name, bytes) {
  const path = join(dir, `raw-${name}.bin`)
  const chunk = Buffer.alloc(1 << 20, 0x61)
  let fd = openSync(path, 'w')
  let t0 = process.hrtime.bigint()
  for (let done = 0; done < bytes; done += chunk.length) {
    writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - done))
    fdatasyncSync(fd)
  }
  closeSync(fd)
  const writeSeconds = Number(process.hrtime.bigint() - t0) / 1e9
  fd = openSync(path, 'r')
  t0 = process.hrtime.bigint()
  while (readSync(fd, chunk, 0, chunk.length, null) > 0);
  closeSync(fd)
  const readSeconds = Number(process.hrtime.bigint() - t0) / 1e9
  return { writeMBps: bytes / 1e6 / writeSeconds, readMBps: bytes / 1e6 / readSeconds }
}

/**
 * Writes a new file that stays until the end of the run (see the header), 64 MiB at a time, until
 * two steps in a row run at under 1 GB/s (new pages: ~420 MB/s here; recently freed ones ~5 GB/s),
 * or `maxBytes`. Returns its size and the write speed of those last steps without fsync: the rate
 * at which this machine's page cache takes new pages.
 */
function ballast (dir, maxBytes) {
  const chunk = Buffer.alloc(1 << 20, 0x62)
  const step = 64
  const fd = openSync(join(dir, 'ballast.bin'), 'w')
  let bytes = 0
  let slowSteps = 0
  let slowSeconds = 0
  while (bytes < maxBytes && slowSteps < 2) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < step; i++) writeSync(fd, chunk)
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9
    bytes += step * chunk.length
    if (step * chunk.length / seconds < 1e9) {
      slowSteps++
      slowSeconds += seconds
    } else {
      slowSteps = 0
      slowSeconds = 0
    }
  }
  // Written back now, not 30 s later by the kernel (dirty_expire) in the middle of the latency test.
  fdatasyncSync(fd)
  closeSync(fd)
  return { bytes, newPageWriteMBps: slowSteps === 0 ? NaN : slowSteps * step * chunk.length / 1e6 / slowSeconds }
}

function produceWithRdkbench (rdk, bootstrap, topic, w) {
  const r = timed(rdk, ['produce', '-b', bootstrap, '-t', topic, '-c', '-p', String(w.partitions), '-n', String(w.count), '-s', String(w.size), '-a', 'all'])
  const res = rdkResult(r.stdout)
  return { msgsPerSec: res.msgs_per_s, seconds: res.sec, brokerCpu: r.brokerCpu, clientCpu: r.clientCpu, raw: res }
}

/** Client settings that keep librdkafka 2.0.2 fetching (see the header). */
const UNTHROTTLED = ['-X', 'queued.min.messages=10000000', '-X', 'queued.max.messages.kbytes=2097151']

function consumeWithRdkbench (rdk, bootstrap, topic, w, extra = []) {
  const r = timed(rdk, ['consume', '-b', bootstrap, '-t', topic, '-p', String(w.partitions), '-n', String(w.count), '--idle', '5', ...extra])
  const res = rdkResult(r.stdout)
  return { msgsPerSec: res.msgs_per_s, seconds: res.sec, brokerCpu: r.brokerCpu, clientCpu: r.clientCpu, raw: res }
}

function latencyWithRdkbench (rdk, bootstrap, acks) {
  const r = timed(rdk, ['latency', '-b', bootstrap, '-t', `lat-${acks}`, '-c', '-p', '1', '-r', '10000', '-d', quick ? '3' : '10', '-s', '100', '-l', '0', '-a', acks])
  return { ...rdkResult(r.stdout), brokerCpu: r.brokerCpu, clientCpu: r.clientCpu, load: loadavg()[0] }
}

function produceWithKcat (bootstrap, topic, w, dir) {
  const path = join(dir, `in-${w.size}.txt`)
  const line = 'x'.repeat(w.size - 1) + '\n'
  writeFileSync(path, line.repeat(w.count))
  const r = timed('kcat', ['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-X', 'acks=all', '-X', 'linger.ms=5', '-l', path])
  rmSync(path)
  return { msgsPerSec: w.count / r.seconds, seconds: r.seconds, brokerCpu: r.brokerCpu, clientCpu: r.clientCpu }
}

function consumeWithKcat (bootstrap, topic, w) {
  const r = timed('kcat', ['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-c', String(w.count), '-f', '%o\n'])
  return { msgsPerSec: w.count / r.seconds, seconds: r.seconds, brokerCpu: r.brokerCpu, clientCpu: r.clientCpu }
}

const haveRedis = !noRedis && which('redis-server') !== null && which('redis-benchmark') !== null

/**
 * A new, empty Redis Streams server (appendonly, fsync every second) in its own directory. Each
 * measurement gets its own, as Brook gets a new topic, and all stay up until the end of the run:
 * a server that stopped would free its memory, which on this VM makes the next writer faster.
 */
async function startRedis (dir, name) {
  const port = await freePort()
  const redisDir = join(dir, `redis-${name}`)
  mkdirSync(redisDir)
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir,
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], { stdio: 'ignore' })
  for (let i = 0; i < 50 && spawnSync('redis-cli', ['-p', String(port), 'ping']).status !== 0; i++) await new Promise((r) => setTimeout(r, 100))
  const bench = (n, pipeline, cmd) => {
    const r = spawnSync('redis-benchmark', ['-p', String(port), '-c', '50', '-P', String(pipeline), '-n', String(n), '--csv', ...cmd], { encoding: 'utf8' })
    const last = r.stdout.trim().split('\n').pop()
    return Number(JSON.parse(`[${last}]`)[1])
  }
  return {
    /** XADD of w.count entries of w.size bytes to a new stream: entries per second. */
    xadd: (w, key) => bench(w.count, 100, ['XADD', key, '*', 'v', 'x'.repeat(w.size)]),
    /** XRANGE COUNT 1000 read-back of a stream: entries per second. */
    xrange: (w, key) => 1000 * bench(Math.max(50, Math.round(w.count / 1000)), 1, ['XRANGE', key, '-', '+', 'COUNT', '1000']),
    stop: async () => {
      spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave'])
      if (child.exitCode === null) await once(child, 'exit')
    }
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]

const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })

async function main () {
  const dir = mkdtempSync(join(tmpdir(), 'brook-bench-'))
  const rdk = rdkbenchPath()
  if (!rdk && !which('kcat')) throw new Error('need rdkbench (RDKBENCH=...) or kcat')
  const client = rdk ? 'rdkbench (librdkafka)' : 'kcat (librdkafka)'
  const results = { date: new Date().toISOString(), node: process.version, client, quick, loadBefore: loadavg()[0], workloads: {}, raw: {} }
  try {
    if (!noBallast) results.ballast = ballast(dir, 4 * 1024 * (1 << 20))
    const redisServers = []
    const broker = await startBroker(join(dir, 'brook'))
    brokerPid = broker.child.pid
    try {
      for (const w of [SMALL, LARGE]) {
        results.raw[w.name] = rawBaseline(dir, w.name.replace(/\W/g, ''), w.count * w.size)
        // Brook and Redis take turns, each into a new topic / stream, so that each pair meets the
        // machine in the same state (see the header); the median pair is the figure.
        const runs = []
        for (let rep = 1; rep <= repeats; rep++) {
          const produce = rdk ? produceWithRdkbench(rdk, broker.bootstrap, `bench-${w.size}-${rep}`, w) : produceWithKcat(broker.bootstrap, `bench-${w.size}-${rep}`, w, dir)
          const redis = haveRedis ? await startRedis(dir, `${w.size}-${rep}`) : null
          if (redis !== null) redisServers.push(redis)
          const xaddPerSec = redis === null ? NaN : redis.xadd(w, 's')
          runs.push({ msgsPerSec: produce.msgsPerSec, cpu: { seconds: produce.seconds, broker: produce.brokerCpu, client: produce.clientCpu }, redisXaddPerSec: xaddPerSec, vsRedis: produce.msgsPerSec / xaddPerSec })
        }
        const topic = `bench-${w.size}-1`
        const consumeDefault = rdk ? consumeWithRdkbench(rdk, broker.bootstrap, topic, w) : consumeWithKcat(broker.bootstrap, topic, w)
        // Read-back pairs as well: Brook reads the first pair's topic, Redis the first pair's stream.
        const firstRedis = redisServers.at(-repeats)
        const reads = []
        for (let rep = 1; rep <= repeats; rep++) {
          const consume = rdk ? consumeWithRdkbench(rdk, broker.bootstrap, topic, w, UNTHROTTLED) : consumeDefault
          const xrangeMsgsPerSec = haveRedis && firstRedis !== undefined ? firstRedis.xrange(w, 's') : NaN
          reads.push({ consume, xrangeMsgsPerSec, vsRedis: consume.msgsPerSec / xrangeMsgsPerSec })
        }
        const midRead = reads.find((r) => r.vsRedis === median(reads.map((x) => x.vsRedis))) ?? reads.find((r) => r.consume.msgsPerSec === median(reads.map((x) => x.consume.msgsPerSec)))
        const { consume, xrangeMsgsPerSec } = midRead
        const mid = runs.find((r) => r.vsRedis === median(runs.map((x) => x.vsRedis))) ?? runs.find((r) => r.msgsPerSec === median(runs.map((x) => x.msgsPerSec)))
        results.workloads[w.name] = {
          count: w.count,
          size: w.size,
          produceRuns: runs,
          produceMsgsPerSec: mid.msgsPerSec,
          produceMBps: mid.msgsPerSec * w.size / 1e6,
          produceCpu: mid.cpu,
          redisXaddPerSec: mid.redisXaddPerSec,
          produceVsRedis: mid.vsRedis,
          consumeMsgsPerSec: consume.msgsPerSec,
          consumeMBps: consume.msgsPerSec * w.size / 1e6,
          consumeCpu: { seconds: consume.seconds, broker: consume.brokerCpu, client: consume.clientCpu },
          consumeDefaultMsgsPerSec: consumeDefault.msgsPerSec,
          redisXrangeMsgsPerSec: xrangeMsgsPerSec,
          consumeVsRedis: consume.msgsPerSec / xrangeMsgsPerSec,
          consumeRuns: reads.map((r) => ({ msgsPerSec: r.consume.msgsPerSec, redisXrangeMsgsPerSec: r.xrangeMsgsPerSec, vsRedis: r.vsRedis }))
        }
      }
      // Nothing dirty left for the kernel to write back during the latency runs (Redis AOFs included).
      spawnSync('sync')
      if (rdk) results.latency = { all: latencyWithRdkbench(rdk, broker.bootstrap, 'all'), one: latencyWithRdkbench(rdk, broker.bootstrap, '1') }
    } finally {
      await stopBroker(broker)
      brokerPid = 0
      for (const redis of redisServers) await redis.stop()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  results.loadAfter = loadavg()[0]

  console.log(`\nBrook broker benchmark (${client}, node ${process.version}${quick ? ', --quick' : ''}), load average ${fmt(results.loadBefore, 2)} before, ${fmt(results.loadAfter, 2)} after`)
  if (results.ballast) console.log(`new page-cache pages (after a ${fmt(results.ballast.bytes / (1 << 20))} MiB ballast): write without fsync ${fmt(results.ballast.newPageWriteMBps)} MB/s`)
  for (const [name, raw] of Object.entries(results.raw)) {
    console.log(`raw ${name} volume: write + fdatasync per MiB ${fmt(raw.writeMBps)} MB/s, read back ${fmt(raw.readMBps)} MB/s`)
  }
  console.log(`\nproduce, ${repeats} paired run(s) each, Brook and Redis XADD taking turns (msgs/s; the median pair's ratio decides):`)
  for (const [name, w] of Object.entries(results.workloads)) {
    const pairs = w.produceRuns.map((r) => Number.isNaN(r.vsRedis) ? fmt(r.msgsPerSec) : `${fmt(r.msgsPerSec)} vs ${fmt(r.redisXaddPerSec)} = ${fmt(r.vsRedis, 2)}x`).join('; ')
    console.log(`  ${name.padEnd(6)} ${pairs}`)
  }
  console.log(`\nconsume (read-back), ${repeats} paired run(s) each, Brook and Redis XRANGE taking turns (msgs/s):`)
  for (const [name, w] of Object.entries(results.workloads)) {
    const pairs = w.consumeRuns.map((r) => Number.isNaN(r.vsRedis) ? fmt(r.msgsPerSec) : `${fmt(r.msgsPerSec)} vs ${fmt(r.redisXrangeMsgsPerSec)} = ${fmt(r.vsRedis, 2)}x`).join('; ')
    console.log(`  ${name.padEnd(6)} ${pairs}`)
  }
  console.log('\nworkload        produce msgs/s   MB/s   vs raw write   vs Redis XADD | consume msgs/s   MB/s  vs raw read  vs Redis XRANGE | consume, client defaults')
  for (const [name, w] of Object.entries(results.workloads)) {
    const raw = results.raw[name]
    const ratio = (x) => Number.isNaN(x) ? 'n/a' : `${fmt(x, 2)}x`
    console.log(`${name.padEnd(14)} ${fmt(w.produceMsgsPerSec).padStart(15)} ${fmt(w.produceMBps).padStart(6)} ${fmt(w.produceMBps / raw.writeMBps, 2).padStart(13)}x ${ratio(w.produceVsRedis).padStart(14)} | ${fmt(w.consumeMsgsPerSec).padStart(14)} ${fmt(w.consumeMBps).padStart(6)} ${fmt(w.consumeMBps / raw.readMBps, 2).padStart(11)}x ${ratio(w.consumeVsRedis).padStart(16)} | ${fmt(w.consumeDefaultMsgsPerSec)} msgs/s`)
  }
  console.log('\nCPU seconds (broker all threads / client) over the phase\'s wall seconds (produce: the median pair):')
  for (const [name, w] of Object.entries(results.workloads)) {
    const c = (x) => `${fmt(x.broker, 2)} / ${fmt(x.client, 2)} over ${fmt(x.seconds, 2)} s`
    console.log(`${name.padEnd(6)} produce ${c(w.produceCpu)}; consume ${c(w.consumeCpu)}`)
  }
  for (const [name, w] of Object.entries(results.workloads)) {
    if (!Number.isNaN(w.redisXaddPerSec)) console.log(`Redis ${name}: XADD ${fmt(w.redisXaddPerSec)}/s (${fmt(w.redisXaddPerSec * w.size / 1e6)} MB/s, median pair), XRANGE read-back ${fmt(w.redisXrangeMsgsPerSec)} msgs/s (${fmt(w.redisXrangeMsgsPerSec * w.size / 1e6)} MB/s)`)
  }
  if (results.latency) {
    for (const [acks, l] of Object.entries(results.latency)) {
      console.log(`latency acks=${acks === 'all' ? 'all' : '1'} @10,000 msgs/s linger 0 (load ${fmt(l.load, 2)}): p50 ${l.p50_ms} p90 ${l.p90_ms} p99 ${l.p99_ms} p99.9 ${l.p999_ms} max ${l.max_ms} ms; ack p99 ${l.ack_p99_ms} ms; broker CPU ${fmt(l.brokerCpu, 2)} s, client ${fmt(l.clientCpu, 2)} s`)
    }
  }
  mkdirSync(join(jsonOut, '..'), { recursive: true })
  writeFileSync(jsonOut, JSON.stringify(results, null, 2))
  console.log(`\nresults written to ${jsonOut}`)
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
