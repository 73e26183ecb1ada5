#!/usr/bin/env node
// Share group (KIP-932) throughput and memory, against a fresh Brook broker:
//   - a topic of N 100 B messages on ONE partition (kcat -P);
//   - the baseline: a consumer group reading it (kcat -G, librdkafka), messages per second;
//   - share groups of 1, 3 and 10 librdkafka share consumers (packages/testkit/native/share-consumer.c,
//     explicit ACCEPT of every record), each a new group reading the same topic from the earliest
//     offset, messages per second until the broker confirmed every acceptance;
//   - memory: heap bytes per in-flight (acquired, unacknowledged) record and per empty
//     share-partition state, measured on the broker's own structures with 1,000,000 records.
// Figures are ratios on a 2-core machine shared by broker and clients; the load average is printed.
//
// Usage: npm run build && node --expose-gc bench/share-bench.mjs [--quick] [--messages N]
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBroker } from '@brook/broker'
import { buildShareConsumer, startShareConsumer } from '@brook/testkit'
import { Client } from '@brook/client'
import { InFlightRecords } from '../packages/broker/dist/src/share/partition/in-flight.js'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const N = args.includes('--messages') ? Number(args[args.indexOf('--messages') + 1]) : (quick ? 50_000 : 200_000)

// Asynchronous: the broker runs in this process, a synchronous child would stall it.
async function kcat (argv) {
  await new Promise((resolve, reject) => {
    const child = spawn('kcat', argv, { stdio: ['ignore', 'ignore', 'inherit'] })
    child.on('exit', (code) => {
      if (code === 0) resolve()
      else reject(new Error(`kcat ${argv.join(' ')} exited with ${code}`))
    })
  })
}

async function consumerGroupRate (bootstrap, topic) {
  const started = process.hrtime.bigint()
  await new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-b', bootstrap, '-G', `bench-cg-${Date.now()}`, '-o', 'beginning', '-e', '-q', '-f', '\\n', '-X', 'enable.partition.eof=true', topic], { stdio: ['ignore', 'pipe', 'inherit'] })
    let lines = 0
    child.stdout.on('data', (chunk) => {
      for (const b of chunk) if (b === 10) lines++
      if (lines >= N) child.kill('SIGTERM')
    })
    child.on('exit', () => {
      if (lines >= N) resolve()
      else reject(new Error(`consumer group read ${lines} of ${N}`))
    })
  })
  return N / (Number(process.hrtime.bigint() - started) / 1e9)
}

async function shareRate (bootstrap, admin, topic, consumers) {
  const group = `bench-share-${consumers}-${Date.now()}`
  await admin.alterConfigs({ type: 32, name: group }, [{ name: 'share.auto.offset.reset', value: 'earliest' }])
  const started = process.hrtime.bigint()
  const procs = []
  for (let i = 0; i < consumers; i++) procs.push(await startShareConsumer({ bootstrap, group, topic, quiet: true }))
  const acked = () => procs.reduce((n, p) => n + p.acked.reduce((m, a) => m + (a.error === 0 ? a.offsets.length : 0), 0), 0)
  while (acked() < N) await new Promise((resolve) => setTimeout(resolve, 20))
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  await Promise.all(procs.map((p) => p.kill()))
  return N / seconds
}

function memory () {
  if (typeof globalThis.gc !== 'function') return null
  const count = 1_000_000
  globalThis.gc()
  const base = process.memoryUsage().heapUsed
  const records = new InFlightRecords(0)
  const limits = { deliveryCountLimit: 5, deadLetter: false, backoffMs: () => 0 }
  const lock = records.newLockId()
  for (let o = 0; o < count; o++) records.acquire(o, true, 'member', lock, 0, limits)
  globalThis.gc()
  const perRecord = (process.memoryUsage().heapUsed - base) / count
  const partitions = []
  globalThis.gc()
  const base2 = process.memoryUsage().heapUsed
  for (let i = 0; i < 100_000; i++) partitions.push(new InFlightRecords(i))
  globalThis.gc()
  const perPartition = (process.memoryUsage().heapUsed - base2) / partitions.length
  const runs = records.toSnapshot(1, 0).batches.length
  return { perRecord, perPartition, snapshotRuns: runs, keep: records.acquiredCount + partitions.length }
}

const dir = mkdtempSync(join(tmpdir(), 'brook-share-bench-'))
// No initial rebalance delay: the consumer group's figure would otherwise include 3 s of waiting.
const broker = await startBroker({ config: { 'log.dirs': dir, 'offsets.topic.num.partitions': '1', 'share.coordinator.state.topic.num.partitions': '1', 'group.initial.rebalance.delay.ms': '0' } })
const client = new Client({ brokers: [broker.bootstrap] })
const admin = client.admin()
try {
  await buildShareConsumer()
  await admin.createTopics([{ topic: 'bench-q', numPartitions: 1 }])
  const payload = 'x'.repeat(99) + '\n'
  const file = join(dir, 'input.txt')
  writeFileSync(file, payload.repeat(N))
  await kcat(['-P', '-b', broker.bootstrap, '-t', 'bench-q', '-l', file])
  console.log(`${N} x 100 B messages on one partition; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  const cg = await consumerGroupRate(broker.bootstrap, 'bench-q')
  console.log(`consumer group (kcat -G):            ${Math.round(cg)} msg/s`)
  for (const n of [1, 3, 10]) {
    const rate = await shareRate(broker.bootstrap, admin, 'bench-q', n)
    console.log(`share group, ${String(n).padStart(2)} consumer(s), explicit ACCEPT: ${Math.round(rate)} msg/s (${(100 * rate / cg).toFixed(0)} % of the consumer group)`)
  }
  const mem = memory()
  if (mem === null) console.log('memory: run with node --expose-gc')
  else console.log(`memory: ${mem.perRecord.toFixed(0)} B per in-flight record (1,000,000 acquired), ${mem.perPartition.toFixed(0)} B per empty share-partition state, snapshot of 1,000,000 acquired records = ${mem.snapshotRuns} run(s)`)
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
} finally {
  await admin.close()
  await broker.close()
  rmSync(dir, { recursive: true, force: true })
}
