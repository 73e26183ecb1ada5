#!/usr/bin/env node
// Soak: one broker process under steady load for a long time, sampled every minute.
//
//   node bench/reliability/soak.mjs [--minutes 60] [--rate R] [--size 512] [--partitions 6]
//        [--generators 2] [--groups 2] [--members 2] [--json .bench/soak.json]
//
// Load: rdkbench (librdkafka) in latency mode, acks=all, producing --rate records/s in total
// spread over --generators processes, each in 20-second chunks; each chunk reads its own records
// back (assign from the high watermark) and reports end-to-end p99. Beside it, --groups consumer
// groups of --members rdkbench group members each read the topic; every member lives 90-240 s
// and is replaced when it exits, so each group rebalances every minute or two.
// Without --rate, the maximum is measured first (300,000 records, acks=all) and half of it used.
//
// Each minute: the broker's RSS (/proc), V8 heap used (/metrics), open files (/proc/PID/fd), CPU
// seconds, the p99 of the latency chunks that ended in that minute and the load average.
// At the end: RSS growth over the last 75 % of the run (mean of the first three samples of that
// window vs the last three) and p99 of the last five minutes vs the first five (medians, so a
// single minute disturbed by other work on the machine does not decide). Exit 1 when RSS grew
// more than 5 % or p99 more than 2x; 2 when the broker died or a generator lost records.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, loadavg } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, rdkbenchPath } from '../bench-tools.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))
const args = process.argv.slice(2)
const opt = (name, dflt) => args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt
const minutes = Number(opt('minutes', 60))
const size = Number(opt('size', 512))
const partitions = Number(opt('partitions', 6))
const generators = Number(opt('generators', 2))
const groups = Number(opt('groups', 2))
const members = Number(opt('members', 2))
const jsonOut = opt('json', join(root, '.bench', 'soak.json'))
const TOPIC = 'soak'
const rdk = rdkbenchPath()
if (!rdk) throw new Error('soak needs rdkbench (RDKBENCH=/path, or /tmp/rdkbench)')

const dataDir = mkdtempSync(join(tmpdir(), 'brook-soak-'))
const children = new Set()
let stopping = false

function log (line) { process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`) }

async function startBroker () {
  const httpPort = await freePort()
  const child = spawn(process.execPath, [join(root, 'packages/cli/bin/brook.js'), 'start',
    '--override', 'listeners=PLAINTEXT://127.0.0.1:0',
    '--override', `http.listeners=http://127.0.0.1:${httpPort}`,
    '--override', `log.dirs=${dataDir}`,
    // Bounded disk: an hour at the chosen rate would otherwise write tens of GB.
    '--override', 'log.segment.bytes=67108864',
    '--override', 'log.retention.bytes=201326592',
    '--override', 'log.retention.check.interval.ms=30000',
    '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'inherit'] })
  // Whatever ends this script, the broker does not outlive it.
  process.on('exit', () => { if (child.exitCode === null) child.kill('SIGKILL') })
  let buffered = ''
  const bootstrap = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('broker did not start within 30 s')), 30_000)
    const onData = (chunk) => {
      buffered += chunk
      const m = /listening on ([\d.]+):(\d+)/.exec(buffered)
      if (m) { clearTimeout(timer); child.stdout.off('data', onData); resolve(`${m[1]}:${m[2]}`) }
    }
    child.stdout.on('data', onData)
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`broker exited with ${code}`)) })
  }).catch((err) => { child.kill('SIGKILL'); throw err })
  child.stdout.resume()
  return { child, bootstrap, metricsUrl: `http://127.0.0.1:${httpPort}/metrics` }
}

/** Runs rdkbench; resolves with its RESULT object (or null) and exit code. */
function rdkbench (argv) {
  const child = spawn(rdk, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let out = ''
  let err = ''
  child.stdout.on('data', (c) => { out += c })
  child.stderr.on('data', (c) => { err = (err + c).slice(-4000) })
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      children.delete(child)
      const m = /^RESULT (.*)$/m.exec(out)
      resolve({ code, result: m ? JSON.parse(m[1]) : null, stderr: err })
    })
  })
}

function procStat (pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
  const cpu = (Number(fields[11]) + Number(fields[12])) / 100
  const fds = readdirSync(`/proc/${pid}/fd`).length
  return { rss, cpu, fds }
}

async function heapUsed (url) {
  try {
    const text = await (await fetch(url)).text()
    const m = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)
    return m ? Number(m[1]) : NaN
  } catch (err) {
    log(`metrics scrape failed: ${err.message}`)
    return NaN
  }
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
const mb = (b) => (b / 1048576).toFixed(1)

// --from-json FILE: no run, only the verdicts again from the samples a run saved.
const fromJson = opt('from-json', null)
const saved = fromJson === null ? null : JSON.parse(readFileSync(fromJson, 'utf8'))
let brokerDied = saved?.summary.brokerDied ?? false
let rate = Number(saved?.summary.rate ?? opt('rate', NaN))
let rateNote = saved?.summary.rateNote ?? 'given with --rate'
const chunks = saved?.chunks ?? [] // { end, p99, sent, received, missing, dups, drErrors }
const samples = saved?.samples ?? []
let rebalancesStarted = saved?.summary.memberStarts ?? 0
let consumed = saved?.summary.groupRecordsConsumed ?? 0
if (saved === null) {
  const broker = await startBroker()
  const pid = broker.child.pid
  broker.child.once('exit', (code, signal) => {
    if (!stopping) { brokerDied = true; log(`BROKER EXITED code=${code} signal=${signal}`) }
  })
  log(`broker pid ${pid} on ${broker.bootstrap}, data ${dataDir}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`)

  // Topic with the wanted partition count: a short latency run creates it.
  await rdkbench(['latency', '-b', broker.bootstrap, '-t', TOPIC, '-c', '-p', String(partitions), '-r', '100', '-d', '1', '--grace', '2', '-s', String(size)])

  if (!Number.isFinite(rate)) {
    const r = await rdkbench(['produce', '-b', broker.bootstrap, '-t', 'soak-max', '-c', '-p', String(partitions), '-n', '300000', '-s', String(size), '-a', 'all', '-T', '60'])
    if (!r.result) throw new Error(`max measurement failed: ${r.stderr}`)
    rate = Math.round(r.result.msgs_per_s / 2)
    rateNote = `half of the ${r.result.msgs_per_s} records/s measured just before (load average ${loadavg()[0].toFixed(2)})`
  }
  log(`rate ${rate} records/s of ${size} B (${rateNote}), ${partitions} partitions, ${generators} latency generators, ${groups} groups x ${members} members, ${minutes} min`)

  // Latency generators: back-to-back one-minute chunks.
  async function generator (g) {
    while (!stopping) {
      const r = await rdkbench(['latency', '-b', broker.bootstrap, '-t', TOPIC, '-p', String(partitions),
        '-r', String(Math.max(1, Math.round(rate / generators))), '-d', '20', '--grace', '5', '-s', String(size)])
      if (stopping) break
      if (!r.result) { log(`generator ${g}: no result (exit ${r.code}): ${r.stderr.split('\n').slice(-3).join(' | ')}`); await new Promise((resolve) => setTimeout(resolve, 2000)); continue }
      chunks.push({ end: Date.now(), p99: r.result.p99_ms, p50: r.result.p50_ms, sent: r.result.sent, received: r.result.received, missing: r.result.missing, dups: r.result.dups, drErrors: r.result.dr_errors })
    }
  }

  // Group members: each lives 90-240 s, then a new one joins.
  async function member (group, m) {
    let first = true
    while (!stopping) {
      // Stagger the first lifetimes so the members of a group do not all leave together.
      const life = first ? 60 + Math.floor(Math.random() * 120) + m * 30 : 90 + Math.floor(Math.random() * 150)
      first = false
      rebalancesStarted++
      const r = await rdkbench(['consume', '-b', broker.bootstrap, '-t', TOPIC, '-g', `soak-group-${group}`, '-o', 'end',
        '-n', '1000000000000', '-T', String(life), '--idle', String(life), '-s', String(size)])
      if (r.result) consumed += r.result.count
      else if (!stopping) log(`group ${group} member ${m}: no result (exit ${r.code})`)
    }
  }

  const tasks = []
  for (let g = 0; g < generators; g++) tasks.push(generator(g))
  for (let g = 0; g < groups; g++) for (let m = 0; m < members; m++) tasks.push(member(g, m))

  const t0 = Date.now()
  let lastCpu = procStat(pid).cpu
  console.log('minute | RSS MB | heap MB | fds | broker CPU s/min | p99 ms | p50 ms | records | load1')
  for (let minute = 1; minute <= minutes && !brokerDied; minute++) {
    const due = t0 + minute * 60_000
    while (Date.now() < due && !brokerDied) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, due - Date.now())))
    if (brokerDied) break
    const st = procStat(pid)
    const heap = await heapUsed(broker.metricsUrl)
    const mine = chunks.filter((c) => c.end > due - 60_000 && c.end <= due)
    const p99 = mine.length ? Math.max(...mine.map((c) => c.p99)) : NaN
    const p50 = mine.length ? Math.max(...mine.map((c) => c.p50)) : NaN
    const s = { minute, rss: st.rss, heap, fds: st.fds, cpu: st.cpu - lastCpu, p99, p50, records: mine.reduce((a, c) => a + c.received, 0), load1: loadavg()[0] }
    lastCpu = st.cpu
    samples.push(s)
    console.log(`${String(minute).padStart(6)} | ${mb(s.rss).padStart(6)} | ${mb(s.heap).padStart(7)} | ${String(s.fds).padStart(3)} | ${s.cpu.toFixed(1).padStart(16)} | ${Number.isFinite(p99) ? p99.toFixed(1).padStart(6) : '     -'} | ${Number.isFinite(p50) ? p50.toFixed(1).padStart(6) : '     -'} | ${String(s.records).padStart(7)} | ${s.load1.toFixed(2)}`)
  }

  stopping = true
  for (const c of children) c.kill('SIGTERM')
  await Promise.all(tasks)
  if (!brokerDied) {
    broker.child.kill('SIGTERM')
    await once(broker.child, 'exit')
  }
}
rmSync(dataDir, { recursive: true, force: true })

// Verdicts.
const lost = chunks.reduce((a, c) => a + c.missing, 0)
const dups = chunks.reduce((a, c) => a + c.dups, 0)
const drErrors = chunks.reduce((a, c) => a + c.drErrors, 0)
const sent = chunks.reduce((a, c) => a + c.sent, 0)
const windowStart = Math.floor(samples.length / 4)
const win = samples.slice(windowStart)
const head = win.slice(0, Math.min(3, win.length))
const tail = win.slice(-Math.min(3, win.length))
const rssMeanGrowth = win.length ? (mean(tail.map((s) => s.rss)) / mean(head.map((s) => s.rss)) - 1) * 100 : NaN
// RSS rides the garbage collector's sawtooth (tens of MB between two samples), so the verdict
// compares low-water marks: the least RSS of the first and of the last five samples of the window.
const lowHead = win.slice(0, Math.min(5, win.length))
const lowTail = win.slice(-Math.min(5, win.length))
const rssLowStart = Math.min(...lowHead.map((s) => s.rss))
const rssLowEnd = Math.min(...lowTail.map((s) => s.rss))
const rssGrowth = win.length ? (rssLowEnd / rssLowStart - 1) * 100 : NaN
const k = Math.max(1, Math.min(5, Math.floor(samples.length / 3)))
// The first minute includes connection set-up and the first rebalances: start at minute 2 when possible.
const firstP99 = median(samples.slice(samples.length > k + 1 ? 1 : 0, (samples.length > k + 1 ? 1 : 0) + k).map((s) => s.p99))
const lastP99 = median(samples.slice(-k).map((s) => s.p99))
const p99Ratio = lastP99 / firstP99
const fdsFirst = win.length ? win[0].fds : NaN
const fdsLast = win.length ? win[win.length - 1].fds : NaN
const summary = {
  minutes: samples.length, rate, rateNote, size, partitions, generators, groups, members,
  recordsSent: sent, lost, dups, drErrors, groupRecordsConsumed: consumed, memberStarts: rebalancesStarted,
  rssFirstMb: samples.length ? Number(mb(samples[0].rss)) : NaN,
  rssWindowStartMb: head.length ? Number(mb(mean(head.map((s) => s.rss)))) : NaN,
  rssEndMb: tail.length ? Number(mb(mean(tail.map((s) => s.rss)))) : NaN,
  rssMeanGrowthPct: Number(rssMeanGrowth.toFixed(2)),
  rssLowStartMb: Number(mb(rssLowStart)), rssLowEndMb: Number(mb(rssLowEnd)),
  rssGrowthPct: Number(rssGrowth.toFixed(2)),
  heapWindowStartMb: head.length ? Number(mb(mean(head.map((s) => s.heap)))) : NaN,
  heapEndMb: tail.length ? Number(mb(mean(tail.map((s) => s.heap)))) : NaN,
  fdsWindowStart: fdsFirst, fdsEnd: fdsLast,
  p99FirstMs: firstP99, p99LastMs: lastP99, p99Ratio: Number(p99Ratio.toFixed(2)),
  loadMin: Math.min(...samples.map((s) => s.load1)), loadMax: Math.max(...samples.map((s) => s.load1)),
  brokerDied
}
if (saved === null) {
  mkdirSync(dirname(jsonOut), { recursive: true })
  writeFileSync(jsonOut, JSON.stringify({ summary, samples, chunks }, null, 2))
}
console.log(`\nrecords sent ${sent}, not read back within the grace (late or lost) ${lost}, duplicated ${dups}, delivery errors ${drErrors}; group members started ${rebalancesStarted} (each start and exit is a rebalance)`)
console.log(`RSS over the last 75 % of the run, low-water of 5 samples: ${summary.rssLowStartMb} MB -> ${summary.rssLowEndMb} MB (${summary.rssGrowthPct} %, limit 5 %); mean of 3: ${summary.rssWindowStartMb} -> ${summary.rssEndMb} MB (${summary.rssMeanGrowthPct} %)`)
console.log(`heap used: ${summary.heapWindowStartMb} MB -> ${summary.heapEndMb} MB; open files ${fdsFirst} -> ${fdsLast}`)
console.log(`p99 (median of ${k} minutes): first ${firstP99} ms, last ${lastP99} ms, ratio ${summary.p99Ratio} (limit 2)`)
console.log(`load average during the run: ${summary.loadMin.toFixed(2)}-${summary.loadMax.toFixed(2)} (2 cores shared with other work)`)
console.log(`SUMMARY ${JSON.stringify(summary)}`)
let code = 0
if (brokerDied || lost > 0 || dups > 0) code = 2
else if (!(rssGrowth <= 5) || !(p99Ratio <= 2)) code = 1
console.log(code === 0 ? 'PASS' : `FAIL (exit ${code})`)
process.exit(code)
