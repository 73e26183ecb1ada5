#!/usr/bin/env node
// Crash campaign (issue 22): one Brook broker process on one data dir, killed with SIGKILL at a
// random moment of every round and restarted on the same data and port, while these clients run
// through all rounds (they reconnect by themselves):
//   - librdkafka (confluent_kafka) idempotent acks=all producer, clients/idempotent_producer.py;
//   - kafkajs idempotent acks=all producer (a new producer id after a send that failed for good,
//     so a retried sequence never stands for other records);
//   - a kafkajs consumer group committing what it consumed every COMMIT_MS;
//   - a librdkafka transactional consume-transform-produce loop, clients/txn_loop.py, aborting
//     about a quarter of its transactions on purpose.
// Every record carries a unique "<producer>:<seq>". After each kill the data dir gets a CRC scan
// (a bad tail in a last segment is allowed there: recovery cuts what was never acknowledged);
// after each restart the group's committed offsets are read back. After all rounds the clients
// stop, every topic is read with kcat, the broker is stopped cleanly and scanned again, and:
//   - no acknowledged record lost, each at the offset its acknowledgement gave;
//   - no record twice in the log (idempotence), per producer and partition in sequence order;
//   - committed offsets never behind an acknowledged commit, never ahead of what was consumed,
//     never moving backwards; a consumer never goes back before an acknowledged commit;
//   - read_committed output: every committed transaction whole, nothing of an aborted one,
//     every input record at most once;
//   - every segment passes the full CRC scan.
// Prints a summary; exit code 1 on any failed check. Needs a build (`npx tsc -b`).
//
// Usage: node bench/reliability/crash-campaign.mjs [--rounds 100] [--seconds 6] [--seed 1]
//          [--rate 100] [--max-minutes M] [--gate-seconds 45] [--keep]
//   rate: records/s of each producer; max-minutes: stop starting rounds after M minutes (the
//   summary says how many ran); gate-seconds: how long a round waits for every client (both
//   producers, the group, the transaction loop) to make progress after the restart before its
//   random kill moment (rounds where one did not are counted); keep: leave the data dir.
import { spawn } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import kafkajs from 'kafkajs'
import { prng } from '../../packages/common/dist/src/index.js'
import { SYSTEM_PYTHON, assertSucceeded, runKcat, startBrokerProcess } from '../../packages/testkit/dist/src/index.js'
import { freePort } from '../bench-tools.mjs'
import { formatScanReport, scanLogDirs } from './scan-log.mjs'

const args = process.argv.slice(2)
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def }
const ROUNDS = opt('--rounds', 100)
const ROUND_MS = opt('--seconds', 6) * 1000
const SEED = opt('--seed', 1)
const RATE = opt('--rate', 100)
const MAX_MS = opt('--max-minutes', Infinity) * 60_000
const GATE_MS = opt('--gate-seconds', 45) * 1000
const KEEP = args.includes('--keep')
const PARTITIONS = 3
const IN = 'crash-in'
const OUT = 'crash-out'
const GROUP = 'crash-group'
const COMMIT_MS = 300
const here = fileURLToPath(new URL('.', import.meta.url))
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')
const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a)

// mulberry32: the kill times and the transaction loop's aborts follow from --seed.
const random = prng(SEED)

const failures = []
const fail = (msg) => { if (failures.length < 200) failures.push(msg) }

// ---- what the clients were told ----
/** id -> { p, o } for every acknowledged record. */
const acked = new Map()
let notAcked = 0
let kjsAcked = 0
const ack = (id, p, o) => {
  if (acked.has(id)) fail(`${id} acknowledged twice`)
  acked.set(id, { p, o })
}
/** Consumer group: highest consumed offset, last acknowledged commit, observations. */
const maxConsumed = new Array(PARTITIONS).fill(-1)
const lastAckedCommit = new Array(PARTITIONS).fill(-1)
const lastObservedCommit = new Array(PARTITIONS).fill(-1)
const nextExpected = new Array(PARTITIONS).fill(-1)
/** (p, o) -> value the group consumed, checked against the log at the end. */
const consumedValue = new Map()
let consumedCount = 0
let rewinds = 0
let commitsAcked = 0
let commitsFailed = 0
let offsetChecks = 0
/** attempt -> { state: 'C'|'X'|'U', count } of the transaction loop. */
const attempts = new Map()

// Ctrl-C or kill: run the 'exit' handlers (they end the python clients).
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130))

const dir = mkdtempSync(join(tmpdir(), 'brook-crash-campaign-'))
const port = await freePort()
const overrides = {
  listeners: `PLAINTEXT://127.0.0.1:${port}`,
  'offsets.topic.num.partitions': '3',
  'transaction.state.log.num.partitions': '3',
  'group.initial.rebalance.delay.ms': '0'
}
const startBroker = () => startBrokerProcess({ dataDir: dir, overrides, startTimeoutMs: 120_000 })
const bootstrap = `127.0.0.1:${port}`
const clientLog = createWriteStream(join(dir, '..', `brook-crash-campaign-${process.pid}-clients.log`))

log(`crash campaign: ${ROUNDS} rounds of ~${ROUND_MS / 1000} s, seed ${SEED}, ${RATE} records/s per producer, data ${dir}, load ${load()}`)
const started = Date.now()
let broker = await startBroker()

const kafka = new kafkajs.Kafka({
  clientId: 'crash-campaign',
  brokers: [bootstrap],
  logLevel: kafkajs.logLevel.ERROR,
  logCreator: () => ({ namespace, log: entry }) => clientLog.write(`kafkajs ${namespace}: ${entry.message} ${entry.error ?? ''}\n`),
  retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 30 }
})
const admin = kafka.admin()
await admin.connect()
await admin.createTopics({ waitForLeaders: true, topics: [IN, OUT].map((topic) => ({ topic, numPartitions: PARTITIONS })) })

let stopping = false

/** A python client whose stdout lines go to onLine; stderr (librdkafka logs) to the client log. */
function python (script, argv, onLine) {
  const child = spawn(SYSTEM_PYTHON, [join(here, 'clients', script), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
  createInterface({ input: child.stdout }).on('line', onLine)
  child.stderr.pipe(clientLog, { end: false })
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
  // A campaign that dies must not leave its clients running on the shared machine.
  process.once('exit', () => child.kill('SIGKILL'))
  return { child, exited }
}

const rdkProducer = python('idempotent_producer.py', [bootstrap, IN, String(PARTITIONS), 'rdk', String(RATE)], (line) => {
  const [kind, id, p, o] = line.split(' ')
  if (kind === 'A') ack(id, Number(p), Number(o))
  else if (kind === 'F') notAcked++
  else clientLog.write(`rdk: ${line}\n`)
})

const txnLoop = python('txn_loop.py', [bootstrap, IN, OUT, 'crash-ctp', 'crash-ctp-txn', String(SEED), '0.25'], (line) => {
  const [kind, attempt, count] = line.split(' ')
  if (kind === 'C' || kind === 'X' || kind === 'U') attempts.set(Number(attempt), { state: kind, count: Number(count) })
  else clientLog.write(`txn: ${line}\n`)
})

async function kafkajsProducerLoop () {
  const BATCH = 10
  let producer = null
  let seq = 0
  const t0 = Date.now()
  while (!stopping) {
    await sleep(t0 + (seq / RATE) * 1000 - Date.now())
    if (producer === null) {
      producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 30 } })
      try {
        await producer.connect()
      } catch (err) {
        clientLog.write(`kjs connect: ${err.message}\n`)
        producer = null
        await sleep(200)
        continue
      }
    }
    const p = (seq / BATCH) % PARTITIONS
    const ids = Array.from({ length: BATCH }, (_, i) => `kjs:${seq + i}`)
    seq += BATCH
    try {
      const [meta] = await producer.send({ topic: IN, acks: -1, messages: ids.map((value) => ({ value, partition: p })) })
      const base = Number(meta.baseOffset)
      ids.forEach((id, i) => ack(id, p, base + i))
      kjsAcked += BATCH
    } catch (err) {
      clientLog.write(`kjs send: ${err.message}\n`)
      notAcked += BATCH
      await producer.disconnect().catch((e) => clientLog.write(`kjs disconnect: ${e.message}\n`))
      producer = null
    }
  }
  if (producer !== null) await producer.disconnect()
}

// kafkajs restarts a consumer after a crash only while its retries hold; one that crashed and
// has not joined again within CONSUMER_STALL_MS is replaced by a new one (same group).
const CONSUMER_STALL_MS = 8000
let consumer = null
let joinedAt = 0
let crashedAt = 0
let consumerRestarts = 0
async function startConsumer () {
  const c = kafka.consumer({ groupId: GROUP, sessionTimeout: 10_000, heartbeatInterval: 1000, retry: { retries: 1000, initialRetryTime: 100, maxRetryTime: 1000 } })
  // kafkajs resolves commitOffsets without sending anything while the consumer is restarting after
  // an error; only this event (sent after the coordinator's answer) means a commit was acknowledged.
  c.on(c.events.COMMIT_OFFSETS, ({ payload }) => {
    commitsAcked++
    for (const { partitions } of payload.topics) {
      for (const { partition, offset } of partitions) lastAckedCommit[partition] = Math.max(lastAckedCommit[partition], Number(offset))
    }
  })
  c.on(c.events.GROUP_JOIN, () => { joinedAt = Date.now() })
  c.on(c.events.CRASH, ({ payload }) => {
    crashedAt = Date.now()
    clientLog.write(`group crash: ${payload.error?.message} (restart ${payload.restart})\n`)
  })
  consumer = c
  await c.connect()
  await c.subscribe({ topic: IN, fromBeginning: true })
  await c.run({
    autoCommit: false,
    eachMessage: async ({ partition: p, message }) => {
      const o = Number(message.offset)
      if (o < nextExpected[p]) {
        // Consumption went back (restart or rebalance): only as far as the last acknowledged commit.
        rewinds++
        if (o < lastAckedCommit[p]) fail(`group re-read partition ${p} from ${o}, before its acknowledged commit ${lastAckedCommit[p]}`)
      }
      nextExpected[p] = o + 1
      consumedCount++
      consumedValue.set(`${p}:${o}`, message.value?.toString() ?? '')
      if (o > maxConsumed[p]) maxConsumed[p] = o
    }
  })
}
let consumerDone = false
async function superviseConsumer () {
  while (!consumerDone) {
    await sleep(1000)
    if (crashedAt <= joinedAt || Date.now() - crashedAt < CONSUMER_STALL_MS) continue
    consumerRestarts++
    crashedAt = 0
    await consumer.disconnect().catch((err) => clientLog.write(`group disconnect: ${err.message}\n`))
    // A new member starts from the committed offsets: positions are re-learnt.
    nextExpected.fill(-1)
    await startConsumer().catch((err) => { crashedAt = Date.now(); clientLog.write(`group start: ${err.message}\n`) })
  }
}
await startConsumer()

async function commitLoop () {
  while (!stopping) {
    await sleep(COMMIT_MS)
    const offsets = []
    for (let p = 0; p < PARTITIONS; p++) if (maxConsumed[p] + 1 > lastAckedCommit[p]) offsets.push({ topic: IN, partition: p, offset: String(maxConsumed[p] + 1) })
    if (offsets.length === 0) continue
    try {
      await consumer.commitOffsets(offsets)
    } catch (err) {
      // Not a member right now (the broker is down or the group rebalances): try again later.
      commitsFailed++
      clientLog.write(`commit: ${err.message}\n`)
    }
  }
}

/** Reads the group's committed offsets back and checks them against what the group did. */
async function checkCommitted (when) {
  const snapshotAcked = [...lastAckedCommit]
  let result
  try {
    result = await Promise.race([
      admin.fetchOffsets({ groupId: GROUP, topics: [IN] }),
      sleep(20_000).then(() => null)
    ])
  } catch (err) {
    clientLog.write(`fetchOffsets: ${err.message}\n`)
    return
  }
  if (result === null) return
  offsetChecks++
  for (const { partition: p, offset } of result[0].partitions) {
    const committed = Number(offset)
    if (committed < snapshotAcked[p]) fail(`${when}: committed offset of partition ${p} is ${committed}, below the acknowledged commit ${snapshotAcked[p]}`)
    if (committed < lastObservedCommit[p]) fail(`${when}: committed offset of partition ${p} went back from ${lastObservedCommit[p]} to ${committed}`)
    if (committed > maxConsumed[p] + 1) fail(`${when}: committed offset of partition ${p} is ${committed}, ahead of the consumed ${maxConsumed[p]}`)
    lastObservedCommit[p] = Math.max(lastObservedCommit[p], committed)
  }
}

const loops = [kafkajsProducerLoop(), commitLoop()]
const supervisor = superviseConsumer()
let scanErrors = 0
let badTails = 0
let downtimeMs = 0
let ungated = 0
let pendingCheck = null
let rounds = 0
for (let round = 1; round <= ROUNDS && Date.now() - started < MAX_MS; round++) {
  rounds = round
  // Each client has done something since the restart (on a loaded machine reconnecting takes
  // longer than a round), then the kill comes at a random moment of the round.
  const progress = () => [acked.size, kjsAcked, consumedCount, attempts.size]
  const since = progress()
  const gateBy = Date.now() + GATE_MS
  while (Date.now() < gateBy && progress().some((v, i) => v === since[i])) await sleep(100)
  if (progress().some((v, i) => v === since[i])) ungated++
  const killAt = ROUND_MS * random()
  await sleep(killAt)
  await broker.kill9()
  const scan = await scanLogDirs([dir])
  scanErrors += scan.errors.length
  badTails += scan.tailProblems.length
  if (!scan.ok) fail(`round ${round}: scan after kill -9:\n${formatScanReport(scan)}`)
  const down = Date.now()
  broker = await startBroker()
  downtimeMs += Date.now() - down
  // Read back beside the next round (the coordinator may still be loading): one at a time.
  if (pendingCheck === null) pendingCheck = checkCommitted(`round ${round}`).finally(() => { pendingCheck = null })
  if (round % 10 === 0 || round === ROUNDS) {
    log(`round ${round}/${ROUNDS}: acknowledged ${acked.size}, not acknowledged ${notAcked}, consumed ${consumedCount}, ` +
      `transactions ${attempts.size}, failures ${failures.length}, load ${load()}`)
  }
}

// Let the clients finish what is in flight, then stop them.
log('rounds done; stopping the clients')
await pendingCheck
await sleep(3000)
stopping = true
rdkProducer.child.kill('SIGTERM')
await Promise.all(loops)
await rdkProducer.exited
txnLoop.child.kill('SIGTERM')
await txnLoop.exited
// The group reads to the end of what was acknowledged before it stops.
const ackedEnd = new Array(PARTITIONS).fill(0)
for (const { p, o } of acked.values()) ackedEnd[p] = Math.max(ackedEnd[p], o + 1)
const catchUp = Date.now() + 120_000
while (Date.now() < catchUp && ackedEnd.some((end, p) => maxConsumed[p] + 1 < end)) await sleep(200)
const caughtUp = ackedEnd.every((end, p) => maxConsumed[p] + 1 >= end)
consumerDone = true
await supervisor
const finalCommit = []
for (let p = 0; p < PARTITIONS; p++) if (maxConsumed[p] >= 0) finalCommit.push({ topic: IN, partition: p, offset: String(maxConsumed[p] + 1) })
await consumer.commitOffsets(finalCommit).catch((err) => clientLog.write(`final commit: ${err.message}\n`))
await consumer.stop()
await checkCommitted('end')
await consumer.disconnect()
await admin.disconnect()

/** Every record of a topic as [{ partition, offset, payload }], read with kcat (librdkafka). */
async function readAll (topic, isolation) {
  const result = assertSucceeded(`kcat ${topic}`, await runKcat(
    ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%p %o %s\\n'],
    { timeoutMs: 300_000 }
  ))
  return result.stdout.toString('utf8').split('\n').filter((l) => l !== '').map((l) => {
    const [p, o, payload] = l.split(' ')
    return { partition: Number(p), offset: Number(o), payload }
  })
}

const input = await readAll(IN, 'read_uncommitted')
const outCommitted = await readAll(OUT, 'read_committed')
const outAll = await readAll(OUT, 'read_uncommitted')
await broker.stop()
const finalScan = await scanLogDirs([dir], { strictTail: true })
if (!finalScan.ok) fail(`final scan:\n${formatScanReport(finalScan)}`)

// ---- checks ----
const checks = []
const check = (name, ok) => checks.push({ name, ok })

// Input log: every id once, acknowledged ones where they were acknowledged, order per producer.
const where = new Map()
let duplicates = 0
const lastSeq = new Map()
let outOfOrder = 0
for (const { partition, offset, payload } of input) {
  if (where.has(payload)) { duplicates++; fail(`${payload} twice: ${where.get(payload)} and ${partition}:${offset}`) }
  where.set(payload, `${partition}:${offset}`)
  const [producer, seq] = payload.split(':')
  const key = `${producer}/${partition}`
  if (Number(seq) <= (lastSeq.get(key) ?? -1)) { outOfOrder++; fail(`${payload} at ${partition}:${offset} after ${producer}:${lastSeq.get(key)}`) }
  lastSeq.set(key, Number(seq))
  const v = consumedValue.get(`${partition}:${offset}`)
  if (v !== undefined && v !== payload) fail(`the group consumed ${v} at ${partition}:${offset}, the log holds ${payload}`)
}
let lost = 0
let moved = 0
for (const [id, { p, o }] of acked) {
  const at = where.get(id)
  if (at === undefined) { lost++; fail(`acknowledged ${id} (${p}:${o}) lost`) } else if (at !== `${p}:${o}`) { moved++; fail(`acknowledged ${id} at ${p}:${o}, found at ${at}`) }
}
check('no acknowledged record lost', lost === 0)
check('acknowledged records at their acknowledged offsets', moved === 0)
check('no duplicate (idempotent producers)', duplicates === 0)
check('order per producer and partition', outOfOrder === 0)
check('group: read everything acknowledged', caughtUp)
check('group: consumed what the log holds, commits never lost, behind, ahead or backwards', failures.filter((f) => /group|committed/.test(f)).length === 0)

// Transactions: read_committed shows committed attempts whole, aborted ones not at all.
const visible = new Map()
const sourceSeen = new Set()
let txnDuplicates = 0
for (const { payload } of outCommitted) {
  const cut = payload.indexOf(':')
  const attempt = Number(payload.slice(0, cut))
  const source = payload.slice(cut + 1)
  visible.set(attempt, (visible.get(attempt) ?? 0) + 1)
  if (sourceSeen.has(source)) { txnDuplicates++; fail(`read_committed shows ${source} twice`) }
  sourceSeen.add(source)
}
let abortedVisible = 0
let committedMissing = 0
const states = { C: 0, X: 0, U: 0 }
for (const [attempt, { state, count }] of attempts) {
  states[state]++
  const seen = visible.get(attempt) ?? 0
  if (state === 'X' && seen > 0) { abortedVisible++; fail(`aborted transaction ${attempt}: ${seen} records visible to read_committed`) }
  if (state === 'C' && seen !== count) { committedMissing++; fail(`committed transaction ${attempt}: ${seen} of ${count} records visible`) }
  if (state === 'U' && seen !== 0 && seen !== count) fail(`transaction ${attempt} (outcome unknown): ${seen} of ${count} records visible`)
}
check('no aborted transaction visible to read_committed', abortedVisible === 0)
check('every committed transaction visible whole', committedMissing === 0)
check('each input record at most once in read_committed output', txnDuplicates === 0)
check('every segment passes the CRC scan (after each kill and at the end)', scanErrors === 0 && finalScan.ok)
check('no other failure', failures.length === 0)

const minutes = ((Date.now() - started) / 60_000).toFixed(1)
console.log('\n---- crash campaign summary ----')
console.log(`rounds ${rounds}${rounds < ROUNDS ? ` of ${ROUNDS} (time budget)` : ''} (kill -9 each), seed ${SEED}, ${minutes} min, mean restart ${(downtimeMs / Math.max(1, rounds) / 1000).toFixed(1)} s, load ${load()}`)
console.log(`rounds where a client had not progressed within --gate-seconds before the kill: ${ungated}`)
console.log(`records acknowledged ${acked.size} (librdkafka ${[...acked.keys()].filter((k) => k.startsWith('rdk:')).length}, kafkajs ${[...acked.keys()].filter((k) => k.startsWith('kjs:')).length}), not acknowledged ${notAcked}, in the log ${input.length}`)
console.log(`lost ${lost}, duplicated ${duplicates}, out of order ${outOfOrder}, at another offset ${moved}`)
console.log(`group: consumed ${consumedCount} (re-reads after restarts ${rewinds}, consumers replaced ${consumerRestarts}), commits acknowledged ${commitsAcked}, refused ${commitsFailed}, read back ${offsetChecks} times`)
console.log(`transactions: committed ${states.C}, aborted ${states.X}, unknown outcome ${states.U}; read_committed ${outCommitted.length} records, read_uncommitted ${outAll.length}; aborted visible ${abortedVisible}, duplicates ${txnDuplicates}`)
console.log(`scans: after each kill ${scanErrors} errors (${badTails} bad tails, cut by recovery); final ${formatScanReport(finalScan)}`)
for (const c of checks) console.log(`${c.ok ? 'PASS' : 'FAIL'} ${c.name}`)
for (const f of failures.slice(0, 30)) console.log(`  ${f}`)
clientLog.end()
if (!KEEP) rmSync(dir, { recursive: true, force: true })
else console.log(`data kept in ${dir}`)
process.exit(checks.every((c) => c.ok) ? 0 : 1)
