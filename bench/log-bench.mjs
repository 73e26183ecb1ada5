#!/usr/bin/env node
// Log engine benchmark (not a test): `npm run bench:log` (builds, then runs this from dist).
// Prints a Markdown report; docs/benchmarks.md "Log engine" holds the figures of a reference run.
//
// Sections (BENCH_ONLY=append,commit,lookup,restart,partitions picks some):
//   append/read  engine MB/s vs a plain sequential write/read of the same bytes, same fsync policy
//   commit       durable appends: fsync passes, appends served per fsync, time per pass
//   lookup       random read and timestamp lookup latency on a small and a large log (should be flat)
//   restart      open() after a clean shutdown of the large log
//   partitions   memory and open files with many partitions
// Sizes (env): BENCH_DIR (default: os tmpdir), BENCH_APPEND_MB=256, BENCH_DURABLE_MB=64,
// BENCH_SMALL_GB=1, BENCH_LARGE_GB=10, BENCH_PARTITIONS=10000.
import { mkdir, open, readdir, rm } from 'node:fs/promises'
import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { LogManager, NodeFileSystem, defaultLogConfig } from '@brook/storage'
import { buildBatchSync } from '@brook/protocol'

setFlagsFromString('--expose_gc')
const gc = runInNewContext('gc')

const num = (name, def) => Number(process.env[name] ?? def)
const ROOT = process.env.BENCH_DIR ?? join(tmpdir(), 'brook-log-bench')
const APPEND_MB = num('BENCH_APPEND_MB', 256)
const DURABLE_MB = num('BENCH_DURABLE_MB', 64)
const SMALL_GB = num('BENCH_SMALL_GB', 1)
const LARGE_GB = num('BENCH_LARGE_GB', 10)
const PARTITIONS = num('BENCH_PARTITIONS', 10_000)
const ONLY = process.env.BENCH_ONLY?.split(',')
const run = (section) => ONLY === undefined || ONLY.includes(section)
const MiB = 1024 * 1024
const WINDOW = 8
const REPEATS = num('BENCH_REPEATS', 3)
/** Writes back dirty pages before a timed run, so one run does not pay for the previous one's writeback. */
const settle = () => execFileSync('sync')

const out = []
const say = (line = '') => { out.push(line); console.log(line) }
const fmt = (n, d = 1) => n.toFixed(d)

function template (recordSize, batchBytes) {
  const count = Math.max(1, Math.floor(batchBytes / (recordSize + 12)))
  const value = Buffer.alloc(recordSize)
  for (let i = 0; i < recordSize; i++) value[i] = (i * 31 + 7) & 0xff
  return { count, build: () => buildBatchSync({ records: Array.from({ length: count }, (_, i) => ({ key: null, value, timestamp: BigInt(Date.now() + i) })) }) }
}

async function fresh (name) {
  const dir = join(ROOT, name)
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  return dir
}

async function manager (dir, overrides = {}, options = {}) {
  const m = new LogManager({ fs: new NodeFileSystem(), logDirs: [dir], defaults: { ...defaultLogConfig, ...overrides }, scheduler: false, ...options })
  await m.open()
  return m
}

/**
 * Appends `n` batches with WINDOW in flight, cycling through distinct buffers (append patches
 * them). `clock` gives a LogAppendTime log one millisecond per batch.
 */
async function appendMany (log, copies, n, durable, clock) {
  const inflight = new Set()
  for (let i = 0; i < n; i++) {
    if (inflight.size >= WINDOW) await Promise.race(inflight)
    const options = clock === undefined ? { leaderEpoch: 0, durable } : { leaderEpoch: 0, durable, now: clock + i }
    const p = log.append(copies[i % copies.length], options).then(() => { inflight.delete(p) })
    inflight.add(p)
  }
  await Promise.all(inflight)
}

async function plainWrite (path, buf, n, syncs) {
  const fh = await open(path, 'w')
  const every = syncs > 0 ? Math.max(1, Math.round(n / syncs)) : 0
  let pos = 0
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    await fh.write(buf, 0, buf.length, pos)
    pos += buf.length
    if (every > 0 && (i + 1) % every === 0) await fh.datasync()
  }
  if (every > 0 && n % every !== 0) await fh.datasync()
  const ms = performance.now() - t0
  await fh.close()
  return ms
}

async function plainRead (dir) {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.log')).sort()
  let bytes = 0
  const t0 = performance.now()
  for (const f of files) {
    const fh = await open(join(dir, f), 'r')
    let pos = 0
    for (;;) {
      const buf = Buffer.allocUnsafe(MiB)
      const { bytesRead } = await fh.read(buf, 0, MiB, pos)
      if (bytesRead === 0) break
      pos += bytesRead
      bytes += bytesRead
    }
    await fh.close()
  }
  return { ms: performance.now() - t0, bytes }
}

async function engineRead (log) {
  let offset = log.logStartOffset
  let bytes = 0
  const t0 = performance.now()
  while (offset < log.logEndOffset) {
    const r = await log.read(offset, { maxBytes: MiB, minOneBatch: true })
    const chunk = r.chunks[r.chunks.length - 1]
    let at = 0
    let last = offset
    while (at < chunk.length) {
      last = Number(chunk.readBigInt64BE(at)) + chunk.readInt32BE(at + 23)
      at += 12 + chunk.readInt32BE(at + 8)
    }
    bytes += r.bytes
    offset = last + 1
  }
  return { ms: performance.now() - t0, bytes }
}

async function appendSection () {
  say('### Append and read throughput')
  say()
  say(`${APPEND_MB} MiB per case without fsync (flush left to the OS, Kafka's default), ${DURABLE_MB} MiB per case with`)
  say(`\`durable: true\` appends; ${WINDOW} appends in flight. The plain baseline writes the same batches one after another`)
  say('with positional writes, fdatasync-ing as often as the engine\'s group commit did; it reads the .log files back')
  say('sequentially in 1 MiB reads. The engine reads with `read(offset, { maxBytes: 1 MiB })` from offset 0 to the end.')
  say('Both read from the page cache (the data was just written).')
  say()
  say(`Best of ${REPEATS} interleaved runs each; \`sync\` before every timed run.`)
  say()
  say('| record | batch | fsync | engine append MB/s | plain write MB/s | ratio | engine read MB/s | plain read MB/s | ratio |')
  say('|---|---|---|---|---|---|---|---|---|')
  for (const recordSize of [100, 1024]) {
    for (const batchBytes of [16 * 1024, 256 * 1024, MiB]) {
      for (const durable of [false, true]) {
        const t = template(recordSize, batchBytes)
        const copies = Array.from({ length: 32 }, () => t.build())
        const size = copies[0].length
        const n = Math.ceil(((durable ? DURABLE_MB : APPEND_MB) * MiB) / size)
        const bytes = n * size
        const best = { a: 0, w: 0, r: 0, pr: 0, passes: 0 }
        for (let rep = 0; rep < REPEATS; rep++) {
          const engine = async () => {
            const dir = await fresh('append')
            const m = await manager(dir)
            const log = await m.createLog('bench', 0)
            settle()
            const t0 = performance.now()
            await appendMany(log, copies, n, durable)
            const appendMs = performance.now() - t0
            best.passes = log.syncPasses
            const read = await engineRead(log)
            await m.close()
            best.a = Math.max(best.a, bytes / MiB / (appendMs / 1000))
            best.r = Math.max(best.r, read.bytes / MiB / (read.ms / 1000))
            await rm(dir, { recursive: true, force: true })
          }
          const plain = async () => {
            const plainDir = await fresh('plain')
            settle()
            const writeMs = await plainWrite(join(plainDir, 'plain.log'), copies[0], n, durable ? Math.max(1, best.passes) : 0)
            const read = await plainRead(plainDir)
            best.w = Math.max(best.w, bytes / MiB / (writeMs / 1000))
            best.pr = Math.max(best.pr, read.bytes / MiB / (read.ms / 1000))
            await rm(plainDir, { recursive: true, force: true })
          }
          // The engine goes first in the first round, so the plain run knows its fsync count.
          if (rep % 2 === 0) { await engine(); await plain() } else { await plain(); await engine() }
        }
        say(`| ${recordSize} B | ${batchBytes / 1024} KiB | ${durable ? `${best.passes} passes` : 'none'} | ${fmt(best.a)} | ${fmt(best.w)} | ${fmt(best.a / best.w, 2)} | ${fmt(best.r)} | ${fmt(best.pr)} | ${fmt(best.r / best.pr, 2)} |`)
      }
    }
  }
  say()
}

async function commitSection () {
  say('### Group commit')
  say()
  say('`durable: true` appends of one 16 KiB batch (1 KiB records), with 1, 8 and 64 appends in flight; a pass is one')
  say('round of fdatasync over the segments written since the last one. Raw cost: 16 KiB write + fdatasync in a loop.')
  say()
  const t = template(1024, 16 * 1024)
  const copies = Array.from({ length: 128 }, () => t.build())
  const dirRaw = await fresh('raw')
  const fh = await open(join(dirRaw, 'raw'), 'w')
  const rounds = 300
  let t0 = performance.now()
  for (let i = 0; i < rounds; i++) {
    await fh.write(copies[0], 0, copies[0].length, i * copies[0].length)
    await fh.datasync()
  }
  const rawMs = (performance.now() - t0) / rounds
  await fh.close()
  say(`Raw write + fdatasync: ${fmt(rawMs, 2)} ms each.`)
  say()
  say('| in flight | appends | appends/s | fsync passes | appends per pass | ms per pass |')
  say('|---|---|---|---|---|---|')
  for (const window of [1, 8, 64]) {
    const dir = await fresh('commit')
    const m = await manager(dir)
    const log = await m.createLog('bench', 0)
    const n = window === 1 ? 500 : 3000
    const inflight = new Set()
    t0 = performance.now()
    for (let i = 0; i < n; i++) {
      if (inflight.size >= window) await Promise.race(inflight)
      const p = log.append(copies[i % copies.length], { leaderEpoch: 0, durable: true }).then(() => { inflight.delete(p) })
      inflight.add(p)
    }
    await Promise.all(inflight)
    const ms = performance.now() - t0
    say(`| ${window} | ${n} | ${fmt(n / (ms / 1000), 0)} | ${log.syncPasses} | ${fmt(n / log.syncPasses, 1)} | ${fmt(ms / log.syncPasses, 2)} |`)
    await m.close()
    await rm(dir, { recursive: true, force: true })
  }
  await rm(dirRaw, { recursive: true, force: true })
  say()
}

function percentile (sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}

const LOOKUP_CONFIG = { messageTimestampType: 'LogAppendTime' }
const CLOCK = 1_700_000_000_000

async function buildLog (name, gib) {
  const dir = await fresh(name)
  const m = await manager(dir, LOOKUP_CONFIG)
  const log = await m.createLog('bench', 0)
  const t = template(1024, 16 * 1024)
  const copies = Array.from({ length: 32 }, () => t.build())
  const n = Math.ceil((gib * 1024 * MiB) / copies[0].length)
  const t0 = performance.now()
  await appendMany(log, copies, n, false, CLOCK)
  const ms = performance.now() - t0
  return { dir, m, log, ms, bytes: n * copies[0].length }
}

async function lookups (log, count) {
  const first = log.logStartOffset
  const span = log.logEndOffset - first
  const lastTs = log.maxTimestampOffset().timestamp
  const reads = []
  const times = []
  // Warm pass (loads inactive segments' indexes lazily), then the measured one.
  for (const measure of [false, true]) {
    let seed = 12345
    const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff }
    for (let i = 0; i < count; i++) {
      const offset = first + Math.floor(rand() * span)
      const t0 = performance.now()
      const r = await log.read(offset, { maxBytes: 1, minOneBatch: true })
      const t1 = performance.now()
      if (r.bytes === 0) throw new Error('empty read')
      const found = await log.offsetForTimestamp(CLOCK + Math.floor(rand() * (lastTs - CLOCK)))
      if (found === null) throw new Error('timestamp not found')
      const t2 = performance.now()
      if (measure) {
        reads.push((t1 - t0) * 1000)
        times.push((t2 - t1) * 1000)
      }
    }
  }
  reads.sort((a, b) => a - b)
  times.sort((a, b) => a - b)
  return { reads, times }
}

async function lookupAndRestartSections () {
  const rows = []
  for (const gib of [SMALL_GB, LARGE_GB]) {
    const built = await buildLog(`lookup-${gib}`, gib)
    await built.log.flush()
    settle()
    const l = await lookups(built.log, 2000)
    await built.m.close()
    const t0 = performance.now()
    const m2 = await manager(built.dir, LOOKUP_CONFIG)
    const openMs = performance.now() - t0
    const log2 = m2.getLog('bench', 0)
    const t1 = performance.now()
    await log2.read(Math.floor(log2.logEndOffset / 2), { maxBytes: 1, minOneBatch: true })
    const firstReadMs = performance.now() - t1
    rows.push({ gib, bytes: built.bytes, segments: log2.segments.length, l, openMs, firstReadMs, buildMs: built.ms })
    await m2.close()
    await rm(built.dir, { recursive: true, force: true })
  }
  if (run('lookup')) {
    say('### Lookups: small vs large log')
    say()
    say('16 KiB batches of 1 KiB records (one offset and time index entry per batch), 1 GiB segments, LogAppendTime')
    say('one millisecond apart. 2000 random offsets: `read(offset, { maxBytes: 1, minOneBatch: true })` (index lookup')
    say('and reading the one batch), and `offsetForTimestamp` at random times over the whole log (time index, offset')
    say('index, header walk, record decode); after one warm pass that loads the indexes.')
    say()
    say('| log size | segments | read p50 µs | read p99 µs | time lookup p50 µs | time lookup p99 µs |')
    say('|---|---|---|---|---|---|')
    for (const r of rows) {
      say(`| ${fmt(r.bytes / 1024 / MiB, 2)} GiB | ${r.segments} | ${fmt(percentile(r.l.reads, 0.5), 0)} | ${fmt(percentile(r.l.reads, 0.99), 0)} | ${fmt(percentile(r.l.times, 0.5), 0)} | ${fmt(percentile(r.l.times, 0.99), 0)} |`)
    }
    say()
  }
  if (run('restart')) {
    say('### Restart after a clean shutdown')
    say()
    say('| log size | segments | open() ms | first read after open ms |')
    say('|---|---|---|---|')
    for (const r of rows) say(`| ${fmt(r.bytes / 1024 / MiB, 2)} GiB | ${r.segments} | ${fmt(r.openMs, 1)} | ${fmt(r.firstReadMs, 1)} |`)
    say()
  }
}

function fds () {
  return readdirSync('/proc/self/fd').length
}

async function partitionsSection () {
  say('### Many partitions')
  say()
  const dir = await fresh('partitions')
  gc()
  const before = process.memoryUsage()
  const fdBefore = fds()
  const m = await manager(dir)
  const value = Buffer.alloc(100, 1)
  const batch = () => buildBatchSync({ records: [{ key: null, value, timestamp: BigInt(Date.now()) }] })
  let t0 = performance.now()
  for (let p = 0; p < PARTITIONS; p++) {
    const log = await m.createLog('many', p)
    await log.append(batch(), { leaderEpoch: 0, durable: false })
  }
  const createMs = performance.now() - t0
  // A second round over every partition, as traffic would: handles come and go through the LRU.
  t0 = performance.now()
  for (let p = 0; p < PARTITIONS; p++) await m.getLog('many', p).append(batch(), { leaderEpoch: 0, durable: false })
  const roundMs = performance.now() - t0
  gc()
  const after = process.memoryUsage()
  const fdAfter = fds()
  await m.close()
  t0 = performance.now()
  const m2 = await manager(dir)
  const reopenMs = performance.now() - t0
  gc()
  const reopened = process.memoryUsage()
  await m2.close()
  await rm(dir, { recursive: true, force: true })
  const mb = (n) => fmt(n / MiB, 1)
  say(`${PARTITIONS} partitions, one active segment each, default config (maxOpenFiles 512).`)
  say()
  say('| figure | value |')
  say('|---|---|')
  say(`| create + first append, all partitions | ${fmt(createMs / 1000, 1)} s |`)
  say(`| one more append to each partition | ${fmt(roundMs / 1000, 1)} s |`)
  say(`| heap used, growth | ${mb(after.heapUsed - before.heapUsed)} MiB (${fmt((after.heapUsed - before.heapUsed) / PARTITIONS / 1024, 1)} KiB per partition) |`)
  say(`| RSS, growth | ${mb(after.rss - before.rss)} MiB (total ${mb(after.rss)} MiB) |`)
  say(`| open file descriptors, growth | ${fdAfter - fdBefore} |`)
  say(`| open() of the ${PARTITIONS} partitions after a clean shutdown | ${fmt(reopenMs / 1000, 2)} s |`)
  say(`| heap used after that open() | ${mb(reopened.heapUsed)} MiB |`)
  say()
}

await mkdir(ROOT, { recursive: true })
say(`## Log engine (${new Date().toISOString().slice(0, 10)}, node ${process.version}, dir ${ROOT})`)
say()
if (run('append')) await appendSection()
if (run('commit')) await commitSection()
if (run('lookup') || run('restart')) await lookupAndRestartSections()
if (run('partitions')) await partitionsSection()
await rm(ROOT, { recursive: true, force: true })
