#!/usr/bin/env node
// Full disk (issue 22): a Brook broker process whose log dir is a small tmpfs (mounted here, as
// root, and unmounted at the end). A filler file leaves FREE_MB free, production fills the rest,
// the disk stays full for a while, then the filler is deleted. Through fill and free:
//   - a librdkafka idempotent acks=all producer (clients/idempotent_producer.py) runs all along:
//     it retries what the full disk refused and must get everything acknowledged after the free;
//   - probes, every PROBE_MS, with kafkajs and no retries: a produce (which error code while
//     full), an offset commit of a group (__consumer_offsets) and a transaction
//     (__transaction_state and markers);
//   - a kcat consumer reads the topic while the disk is full.
// Checks: the broker process never exits; produce fails with KAFKA_STORAGE_ERROR while full; the
// consumer reads everything acknowledged before the fill while full; produce, offset commits and
// transactions work again by themselves after the free; no acknowledged record lost or
// duplicated; after a clean stop every segment passes the full CRC scan.
// Exit code 1 on a failed check, 2 when tmpfs cannot be mounted (the normal test run covers the
// same code paths with ENOSPC injected through the storage FileSystem).
//
// Usage: node bench/reliability/full-disk.mjs [--size-mb 64] [--free-mb 6] [--full-seconds 15]
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, unlinkSync, writeSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import kafkajs from 'kafkajs'
import { SYSTEM_PYTHON, assertSucceeded, runKcat, startBrokerProcess } from '../../packages/testkit/dist/src/index.js'
import { formatScanReport, scanLogDirs } from './scan-log.mjs'

const args = process.argv.slice(2)
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def }
const SIZE_MB = opt('--size-mb', 64)
const FREE_MB = opt('--free-mb', 6)
const FULL_MS = opt('--full-seconds', 15) * 1000
const PROBE_MS = 500
const TOPIC = 'full-disk'
const GROUP = 'full-disk-group'
const here = fileURLToPath(new URL('.', import.meta.url))
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')
const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a)

const mountPoint = mkdtempSync(join(tmpdir(), 'brook-full-disk-'))
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE_MB}m`, 'tmpfs', mountPoint], { encoding: 'utf8' })
if (mounted.status !== 0) {
  console.error(`cannot mount a tmpfs (${mounted.stderr.trim() || mounted.error?.message}); run as root`)
  rmSync(mountPoint, { recursive: true, force: true })
  process.exit(2)
}
const dataDir = join(mountPoint, 'data')
const filler = join(mountPoint, 'filler')
const checks = []
const check = (name, ok, detail = '') => { checks.push({ name, ok }); log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail === '' ? '' : `: ${detail}`}`) }

let broker
let exitCode = 1
try {
  log(`full disk: tmpfs of ${SIZE_MB} MiB at ${mountPoint}, full for ${FULL_MS / 1000} s, load ${load()}`)
  broker = await startBrokerProcess({
    dataDir,
    startTimeoutMs: 120_000,
    overrides: { 'offsets.topic.num.partitions': '1', 'transaction.state.log.num.partitions': '1', 'group.initial.rebalance.delay.ms': '0' }
  })
  let brokerExit = null
  void broker.exited.then((code) => { brokerExit = code })
  const kafka = new kafkajs.Kafka({ clientId: 'full-disk', brokers: [broker.bootstrap], logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 0 } })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 2 }] })

  // The librdkafka producer, all along: 2 KiB records at 100/s.
  const acked = new Map()
  let notAcked = 0
  const rdk = spawn(SYSTEM_PYTHON, [join(here, 'clients', 'idempotent_producer.py'), broker.bootstrap, TOPIC, '2', 'rdk', '100', '2048'], { stdio: ['ignore', 'pipe', 'inherit'] })
  createInterface({ input: rdk.stdout }).on('line', (line) => {
    const [kind, id, p, o] = line.split(' ')
    if (kind === 'A') acked.set(id, `${p}:${o}`)
    else if (kind === 'F') notAcked++
  })
  const rdkExited = new Promise((resolve) => rdk.once('exit', resolve))
  process.once('exit', () => rdk.kill('SIGKILL'))

  // Probes: one attempt each, no client retries, so the broker's own answer is seen.
  const probeProducer = kafka.producer({ retry: { retries: 0 } })
  await probeProducer.connect()
  // 64 KiB: more than the slack in the last page of a segment file, which small records still fit.
  const big = 'x'.repeat(64 * 1024)
  const produceProbe = async () => {
    try {
      await probeProducer.send({ topic: TOPIC, acks: -1, messages: [{ value: big, partition: 0 }] })
      return 'ok'
    } catch (err) {
      return err.type ?? err.cause?.type ?? err.name
    }
  }
  const consumer = kafka.consumer({ groupId: GROUP, retry: { retries: 0 }, heartbeatInterval: 500 })
  let commitAcked = 0
  consumer.on(consumer.events.COMMIT_OFFSETS, () => { commitAcked++ })
  await consumer.connect()
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
  let consumed = 0
  await consumer.run({ autoCommit: false, eachMessage: async () => { consumed++ } })
  let commitOffset = 0
  const commitProbe = async () => {
    const before = commitAcked
    try {
      await consumer.commitOffsets([{ topic: TOPIC, partition: 1, offset: String(++commitOffset) }])
    } catch (err) {
      return err.type ?? err.name
    }
    return commitAcked > before ? 'ok' : 'not sent'
  }
  let txnRound = 0
  const txnProbe = async () => {
    const producer = kafka.producer({ transactionalId: 'full-disk-txn', maxInFlightRequests: 1, idempotent: true, retry: { retries: 1, initialRetryTime: 100 } })
    try {
      await producer.connect()
      const txn = await producer.transaction()
      await txn.send({ topic: TOPIC, messages: [{ key: `txn-${++txnRound}`, value: big, partition: 1 }] })
      await txn.commit()
      return 'ok'
    } catch (err) {
      return err.type ?? err.cause?.type ?? err.name
    } finally {
      await producer.disconnect().catch((err) => log(`txn probe disconnect: ${err.message}`))
    }
  }
  const probe = async () => ({ produce: await produceProbe(), commit: await commitProbe(), txn: await txnProbe() })

  await sleep(3000)
  const before = await probe()
  check('before the fill: produce, commit and transaction work', Object.values(before).every((v) => v === 'ok'), JSON.stringify(before))
  const ackedBeforeFill = acked.size

  // The filler: production fills the last FREE_MB.
  const available = () => { const st = statfsSync(mountPoint); return st.bavail * st.bsize }
  const fd = openSync(filler, 'w')
  const chunk = Buffer.alloc(1 << 20, 0x5a)
  let fillerBytes = 0
  try {
    while (available() > (FREE_MB + 1) * 2 ** 20) { writeSync(fd, chunk); fillerBytes += chunk.length }
  } finally {
    closeSync(fd)
  }
  log(`filler of ${(fillerBytes / 2 ** 20).toFixed(0)} MiB: ${(available() / 2 ** 20).toFixed(1)} MiB left`)

  // Production fills the disk.
  const fillBy = Date.now() + 180_000
  while (await produceProbe() === 'ok' && Date.now() < fillBy) await sleep(PROBE_MS)
  log(`disk full: ${(available() / 2 ** 20).toFixed(1)} MiB left, ${acked.size} records acknowledged (${ackedBeforeFill} before the fill started)`)
  const seen = { produce: new Map(), commit: new Map(), txn: new Map() }
  const fullUntil = Date.now() + FULL_MS
  while (Date.now() < fullUntil) {
    const r = await probe()
    for (const k of Object.keys(seen)) seen[k].set(r[k], (seen[k].get(r[k]) ?? 0) + 1)
    await sleep(PROBE_MS)
  }
  const fmt = (m) => [...m].map(([k, v]) => `${k} x${v}`).join(', ')
  log(`while full: produce ${fmt(seen.produce)}; commit ${fmt(seen.commit)}; transaction ${fmt(seen.txn)}`)
  check('while full: produce answered KAFKA_STORAGE_ERROR', seen.produce.has('KAFKA_STORAGE_ERROR') && !seen.produce.has('ok'))
  check('while full: transactions fail with an error', !seen.txn.has('ok'))
  // Offset commits are small records that may still fit the last page of their segment: no check
  // here (the test run injects ENOSPC into those appends deterministically).
  const readWhileFull = assertSucceeded('kcat', await runKcat(['-C', '-b', broker.bootstrap, '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { timeoutMs: 120_000 }))
  const readIds = new Set(readWhileFull.stdout.toString('utf8').split('\n'))
  const ackedSnapshot = [...acked.keys()]
  check('while full: a consumer reads every record acknowledged so far', ackedSnapshot.every((id) => readIds.has(id)), `${readIds.size - 1} read, ${ackedSnapshot.length} acknowledged`)
  check('while full: the broker is up', brokerExit === null)

  // Free: production must resume by itself.
  unlinkSync(filler)
  const freed = Date.now()
  const ackedAtFree = acked.size
  let after = await probe()
  while (Object.values(after).some((v) => v !== 'ok') && Date.now() - freed < 60_000) {
    await sleep(PROBE_MS)
    after = await probe()
  }
  log(`after the free: ${JSON.stringify(after)} after ${((Date.now() - freed) / 1000).toFixed(1)} s`)
  check('after the free: produce, commit and transaction work again', Object.values(after).every((v) => v === 'ok'))
  const resumeBy = Date.now() + 60_000
  while (acked.size < ackedAtFree + 1000 && Date.now() < resumeBy) await sleep(200)
  check('after the free: the librdkafka producer is acknowledged again', acked.size >= ackedAtFree + 1000, `${acked.size - ackedAtFree} acknowledged since the free`)

  rdk.kill('SIGTERM')
  await rdkExited
  await consumer.disconnect()
  await probeProducer.disconnect()
  await admin.disconnect()
  const all = assertSucceeded('kcat', await runKcat(['-C', '-b', broker.bootstrap, '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%p:%o %s\n'], { timeoutMs: 120_000 }))
  const where = new Map()
  let duplicates = 0
  for (const line of all.stdout.toString('utf8').split('\n')) {
    const [at, id] = line.split(' ')
    if (id === undefined || !id.startsWith('rdk:')) continue
    if (where.has(id)) duplicates++
    where.set(id, at)
  }
  let lost = 0
  for (const [id, at] of acked) if (where.get(id) !== at) lost++
  check('no acknowledged record lost or moved, none duplicated', lost === 0 && duplicates === 0, `${acked.size} acknowledged, ${notAcked} not, ${lost} lost, ${duplicates} duplicated`)
  check('the broker stayed up through fill and free', brokerExit === null)
  await broker.stop()
  const scan = await scanLogDirs([dataDir], { strictTail: true })
  log(formatScanReport(scan))
  check('full CRC scan after a clean stop', scan.ok)
  log(`consumed by the group ${consumed}, load ${load()}`)
  exitCode = checks.every((c) => c.ok) ? 0 : 1
  if (exitCode !== 0) console.log(`--- broker log (last lines) ---\n${broker.logs().split('\n').slice(-40).join('\n')}`)
} finally {
  await broker?.stop('SIGKILL')
  const un = spawnSync('umount', [mountPoint], { encoding: 'utf8' })
  if (un.status !== 0) console.error(`umount ${mountPoint}: ${un.stderr}`)
  else rmSync(mountPoint, { recursive: true, force: true })
}
console.log(`\nfull disk: ${checks.filter((c) => c.ok).length}/${checks.length} checks passed`)
process.exit(exitCode)
