#!/usr/bin/env node
// Resource abuse against a live broker process, one kind at a time, beside a well-behaved client.
//
//   node bench/reliability/abuse.mjs [--seconds 20] [--connections 100] [--idle-ms 10000]
//
// Phases (each --seconds long):
//   baseline      nothing but the well-behaved client
//   trickle       slowloris: each connection declares a 64 KiB Metadata frame and sends it one
//                 byte every 100 ms
//   huge-prefix   each connection sends a size prefix of socket.request.max.bytes (100 MiB) and
//                 then nothing
//   non-reader    each connection pipelines Fetch (1 MiB per partition from a topic holding
//                 ~16 MiB) and Metadata requests as fast as the socket takes them and never reads
//   flood         each connection keeps 64 Metadata requests outstanding, reading the answers
//   idle          connections that connect and send nothing
// The well-behaved client is rdkbench (librdkafka) in latency mode, 500 records/s, acks=all:
// its p99 and lost records per phase. The broker's RSS is sampled every 250 ms (peak per phase,
// and after the abusers left). Abusive connections still open at the end of a phase are counted
// (closed by the broker: the idle timeout, connections.max.idle.ms, is set to --idle-ms here).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeRequestFrame, fetchApi, metadataApi } from '@brook/protocol'
import { rdkbenchPath } from '../bench-tools.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))
const args = process.argv.slice(2)
const opt = (name, dflt) => args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt
const seconds = Number(opt('seconds', 20))
const connections = Number(opt('connections', 100))
const idleMs = Number(opt('idle-ms', 10_000))
const rdk = rdkbenchPath()
if (!rdk) throw new Error('abuse needs rdkbench (RDKBENCH=/path, or /tmp/rdkbench)')
const dataDir = mkdtempSync(join(tmpdir(), 'brook-abuse-'))

const child = spawn(process.execPath, [join(root, 'packages/cli/bin/brook.js'), 'start',
  '--override', 'listeners=PLAINTEXT://127.0.0.1:0',
  '--override', `log.dirs=${dataDir}`,
  '--override', `connections.max.idle.ms=${idleMs}`,
  '--log-format', 'json', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'inherit'] })
// Whatever ends this script, the broker does not outlive it.
process.on('exit', () => { if (child.exitCode === null) child.kill('SIGKILL') })
let buffered = ''
const [host, port] = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('broker did not start within 30 s')), 30_000)
  const onData = (chunk) => {
    buffered += chunk
    const m = /listening on ([\d.]+):(\d+)/.exec(buffered)
    if (m) { clearTimeout(timer); child.stdout.off('data', onData); resolve([m[1], Number(m[2])]) }
  }
  child.stdout.on('data', onData)
  child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`broker exited with ${code}`)) })
}).catch((err) => { child.kill('SIGKILL'); throw err })
child.stdout.resume()
const bootstrap = `${host}:${port}`
let brokerDied = false
child.once('exit', (code, signal) => { brokerDied = true; console.log(`BROKER EXITED code=${code} signal=${signal}`) })

function rdkbench (argv) {
  const c = spawn(rdk, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  c.stdout.on('data', (d) => { out += d })
  c.stderr.resume()
  return new Promise((resolve) => c.once('exit', (code) => {
    const m = /^RESULT (.*)$/m.exec(out)
    resolve({ code, result: m ? JSON.parse(m[1]) : null })
  }))
}
const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) * 1024
const mb = (b) => (b / 1048576).toFixed(0)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// Data for the fetches: 16 MiB in one partition; a topic for the well-behaved client.
await rdkbench(['produce', '-b', bootstrap, '-t', 'abuse-data', '-c', '-p', '1', '-n', '16384', '-s', '1024', '-a', 'all'])
await rdkbench(['latency', '-b', bootstrap, '-t', 'good', '-c', '-p', '1', '-r', '100', '-d', '1', '--grace', '2', '-s', '100'])

function open () {
  return new Promise((resolve) => {
    const s = connect({ host, port })
    s.on('error', () => { /* a reset is one of the answers being measured */ })
    s.once('connect', () => resolve(s))
    s.once('close', () => { s.closedByPeer = true; resolve(s) })
  })
}

const metadataFrame = (id) => Buffer.concat(encodeRequestFrame(id, 'abuser', metadataApi, 1, { topics: null }))
const fetchFrame = (id) => Buffer.concat(encodeRequestFrame(id, 'abuser', fetchApi, 11, {
  replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 52428800, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
  topics: [{ topic: 'abuse-data', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1048576, currentLeaderEpoch: -1, logStartOffset: -1n }] }],
  forgottenTopicsData: [], rackId: ''
}))

const phases = {
  baseline: async () => ({ stop () {}, sockets: [] }),
  trickle: async () => {
    const sockets = await Promise.all(Array.from({ length: connections }, open))
    const frame = Buffer.alloc(4 + 65536)
    frame.writeInt32BE(65536, 0)
    metadataFrame(1).copy(frame, 4, 4)
    let i = 0
    const timer = setInterval(() => {
      for (const s of sockets) if (!s.destroyed && i < frame.length) s.write(frame.subarray(i, i + 1))
      i++
    }, 100)
    return { stop () { clearInterval(timer) }, sockets }
  },
  'huge-prefix': async () => {
    const sockets = await Promise.all(Array.from({ length: connections }, open))
    const prefix = Buffer.alloc(4)
    prefix.writeInt32BE(104857600, 0)
    for (const s of sockets) s.write(prefix)
    return { stop () {}, sockets }
  },
  'non-reader': async () => {
    const sockets = await Promise.all(Array.from({ length: Math.max(1, connections / 5) }, open))
    let id = 0
    let stopped = false
    for (const s of sockets) {
      s.pause()
      const pump = () => {
        while (!stopped && !s.destroyed) {
          id++
          if (!s.write(id % 2 ? fetchFrame(id) : metadataFrame(id))) { s.once('drain', pump); return }
        }
      }
      pump()
    }
    return { stop () { stopped = true }, sockets }
  },
  flood: async () => {
    const sockets = await Promise.all(Array.from({ length: Math.max(1, connections / 2) }, open))
    let stopped = false
    let answered = 0
    for (const s of sockets) {
      let pending = Buffer.alloc(0)
      let id = 0
      s.on('data', (d) => {
        pending = Buffer.concat([pending, d])
        while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
          pending = pending.subarray(4 + pending.readInt32BE(0))
          answered++
          if (!stopped && !s.destroyed) s.write(metadataFrame(++id))
        }
      })
      for (let k = 0; k < 64; k++) s.write(metadataFrame(++id))
    }
    return { stop () { stopped = true; console.log(`  flood: ${answered} Metadata answers`) }, sockets }
  },
  idle: async () => ({ stop () {}, sockets: await Promise.all(Array.from({ length: connections }, open)) })
}

console.log(`broker pid ${child.pid} on ${bootstrap}; ${connections} abusive connections per phase (non-reader ${Math.max(1, connections / 5)}, flood ${Math.max(1, connections / 2)}), ${seconds} s each, connections.max.idle.ms=${idleMs}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`)
console.log('phase        | RSS before MB | peak MB | after MB | still open/opened | good p99 ms | good p50 ms | good lost | load1')
const rows = []
for (const [name, start] of Object.entries(phases)) {
  if (brokerDied) break
  const before = rss()
  let peak = before
  const sampler = setInterval(() => { if (!brokerDied) peak = Math.max(peak, rss()) }, 250)
  const good = rdkbench(['latency', '-b', bootstrap, '-t', 'good', '-p', '1', '-r', '500', '-d', String(seconds), '--grace', '5', '-s', '100'])
  const abuse = await start()
  const r = await good
  abuse.stop()
  const open = abuse.sockets.filter((s) => !s.destroyed && !s.closedByPeer).length
  for (const s of abuse.sockets) s.destroy()
  await sleep(2000)
  clearInterval(sampler)
  if (brokerDied) break
  const row = { name, before: rss(), peak, after: rss(), open, opened: abuse.sockets.length, p99: r.result?.p99_ms ?? NaN, p50: r.result?.p50_ms ?? NaN, lost: r.result?.missing ?? NaN, load: loadavg()[0] }
  row.before = before
  rows.push(row)
  console.log(`${name.padEnd(12)} | ${mb(row.before).padStart(13)} | ${mb(row.peak).padStart(7)} | ${mb(row.after).padStart(8)} | ${`${row.open}/${row.opened}`.padStart(17)} | ${row.p99.toFixed(1).padStart(11)} | ${row.p50.toFixed(1).padStart(11)} | ${String(row.lost).padStart(9)} | ${row.load.toFixed(2)}`)
}
// Connections left open by an abuser that then goes quiet are closed after connections.max.idle.ms.
if (!brokerDied) {
  const quiet = await Promise.all(Array.from({ length: connections }, open))
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(104857600, 0)
  for (const s of quiet) s.write(prefix)
  const t0 = Date.now()
  while (Date.now() - t0 < idleMs * 3 && quiet.some((s) => !s.destroyed && !s.closedByPeer)) await sleep(200)
  const left = quiet.filter((s) => !s.destroyed && !s.closedByPeer).length
  console.log(`idle close: ${connections - left} of ${connections} quiet connections (half a frame sent) closed by the broker after ${((Date.now() - t0) / 1000).toFixed(1)} s (connections.max.idle.ms=${idleMs})`)
  for (const s of quiet) s.destroy()
}
const died = brokerDied
if (!died) { child.kill('SIGTERM'); await once(child, 'exit') }
rmSync(dataDir, { recursive: true, force: true })
console.log(died ? 'FAIL: the broker died' : 'broker up throughout')
process.exit(died ? 1 : 0)
