#!/usr/bin/env node
// Cluster-faults campaign: etcd and three `brook` brokers, each in its own network namespace
// (createNamespaceNetwork in @brook/testkit), under load from an idempotent acks=all kafkajs
// producer, an idempotent acks=all librdkafka producer (kafka-javascript with librdkafka 2.15, or
// confluent-kafka-python) and a kafkajs consumer group committing offsets, all on one topic of
// PARTITIONS partitions, replication factor 3, min.insync.replicas 2; and a transactional producer
// (librdkafka; --txn-client kafkajs for kafkajs, whose send can skip a partition whose leader moved
// to a broker that already answered, kafkajs issue 1303) writing one record to each partition of a
// second topic per transaction, every fifth transaction aborted (--no-txn leaves it out). Each round
// waits for a healthy cluster (every broker up, every ISR full, both producers acknowledged again),
// then injects one fault picked at random (seeded):
//   kill-leader      kill -9 of a partition's leader, restarted after 0-2 s
//   kill-controller  kill -9 of the controller, restarted after 0-2 s
//   kill-etcd        kill -9 of etcd, restarted after 1-5 s
//   pause-broker     SIGSTOP of a broker for 1-3 s longer than its session, then SIGCONT
//   isolate-broker   a broker cut off from both other brokers (still reaching etcd and clients) 4-10 s
//   cut-link         one link between two brokers cut 4-10 s
//   cut-etcd         a broker cut off from etcd (still reaching brokers and clients) 3-8 s
//   clock-jump       one broker's wall clock stepped by -10..+10 minutes (libfaketime, monotonic
//                    clock untouched: what an NTP step does); it stays stepped
// After the last round it heals everything, stops the clients, reads every partition back and
// checks the histories (cluster-faults-check.mjs; the transactional topic read read_committed:
// committed transactions whole, aborted ones invisible, unknown outcomes all or nothing), then
// stops the brokers cleanly and compares
// the replicas' log bytes below the end. Prints a summary (and --out FILE as JSON); exits 1 when a
// check fails or the cluster did not recover from a fault.
// Needs root (network namespaces), a build (npx tsc -b), /usr/bin/etcd, kcat, .deps/kafka-javascript
// (or python3-confluent-kafka); clock jumps need Debian's libfaketime (skipped without it).
// Usage: sudo node bench/reliability/cluster-faults.mjs [--rounds 30] [--seed N] [--seconds 900]
//          [--faults kill-leader,cut-etcd,...] [--partitions 3] [--session-ms 2000] [--no-txn]
//          [--librdkafka node|python] [--txn-client librdkafka|kafkajs] [--out FILE]
import { existsSync } from 'node:fs'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import kafkajs from 'kafkajs'
import { prng } from '@brook/common'
import { decodeBatchSync, listOffsetsApi, metadataApi, readBatchHeader, readControlMarker } from '@brook/protocol'
import { assertSucceeded, controllerOf, kafkaJavascriptDir, createNamespaceNetwork, kcatConsumeAll, partitionState, replicaLogPrefix, requestTo, runKcat, runPython, startTestCluster, tempDir, waitFor } from '@brook/testkit'
import { checkHistory, checkTransactions } from './cluster-faults-check.mjs'
import { runRdkafkaTxnProducer, startRdkafkaProducer } from './cluster-faults-rdkafka-node.mjs'

const { Kafka, logLevel } = kafkajs
const FAULTS = ['kill-leader', 'kill-controller', 'kill-etcd', 'pause-broker', 'isolate-broker', 'cut-link', 'cut-etcd', 'clock-jump']
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1'
const TOPIC = 'cluster-faults'
const GROUP = 'cluster-faults-group'
const TXN_TOPIC = 'cluster-faults-txn'
/** Acknowledgements each producer must get before a round's fault: both write through every change. */
const PROGRESS = 5
const RECOVERY_MS = 90_000

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '30' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    seconds: { type: 'string', default: '900' },
    faults: { type: 'string', default: FAULTS.join(',') },
    partitions: { type: 'string', default: '3' },
    'session-ms': { type: 'string', default: '2000' },
    librdkafka: { type: 'string', default: existsSync(kafkaJavascriptDir()) ? 'node' : 'python' },
    'no-txn': { type: 'boolean', default: false },
    'txn-client': { type: 'string', default: existsSync(kafkaJavascriptDir()) ? 'librdkafka' : 'kafkajs' },
    out: { type: 'string' }
  }
})
const rounds = Number(opts.rounds)
const seed = Number(opts.seed)
const partitions = Number(opts.partitions)
const sessionMs = Number(opts['session-ms'])
const transactions = !opts['no-txn']
const deadline = Date.now() + Number(opts.seconds) * 1000
let faults = opts.faults.split(',').filter((f) => f !== '')
for (const f of faults) if (!FAULTS.includes(f)) throw new Error(`unknown fault ${f}; known: ${FAULTS.join(', ')}`)
const clockJumps = existsSync(LIBFAKETIME)
if (!clockJumps && faults.includes('clock-jump')) {
  console.log(`clock-jump skipped: ${LIBFAKETIME} not found (apt-get install libfaketime)`)
  faults = faults.filter((f) => f !== 'clock-jump')
}

// Seeded, so that a run can be repeated fault for fault.
const random = prng(seed)
const between = (min, max) => Math.floor(min + random() * (max - min + 1))
const pick = (list) => list[Math.floor(random() * list.length)]

const started = Date.now()
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`
const log = (line) => { console.log(`[${elapsed()}] ${line}`) }

const net = createNamespaceNetwork(['etcd', 'b1', 'b2', 'b3'])
const scratch = await tempDir('brook-cluster-faults-')
const clockFile = (id) => join(scratch.path, `clock-b${id}`)
const clockOffset = new Map()
for (const id of [1, 2, 3]) {
  clockOffset.set(id, 0)
  await writeFile(clockFile(id), '+0')
}

const cluster = await startTestCluster({
  overrides: {
    'replica.lag.time.max.ms': '4000',
    'replica.fetch.backoff.ms': '100',
    'replica.fetch.wait.max.ms': '200',
    'auto.create.topics.enable': 'false',
    'offsets.topic.num.partitions': '3',
    'transaction.state.log.num.partitions': '3',
    'broker.session.timeout.ms': String(sessionMs),
    'broker.heartbeat.interval.ms': String(Math.max(100, Math.floor(sessionMs / 4)))
  },
  memberHost: (id) => net.ip(`b${id}`),
  memberCommand: (id) => net.command(`b${id}`),
  memberEnv: (id) => clockJumps
    ? { LD_PRELOAD: LIBFAKETIME, FAKETIME_TIMESTAMP_FILE: clockFile(id), FAKETIME_CACHE_DURATION: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' }
    : {},
  etcd: { host: net.ip('etcd'), command: net.command('etcd') },
  // Brokers start slowly on a machine shared with other heavy work; a start is not a fault.
  startTimeoutMs: 180_000
})
const brokerIds = [...cluster.members.keys()]
const findings = []
const finding = (what) => { findings.push(what); log(`FINDING: ${what}`) }

const kafka = new Kafka({
  clientId: 'cluster-faults',
  brokers: cluster.bootstrap.split(','),
  logLevel: logLevel.NOTHING,
  retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  connectionTimeout: 2000,
  requestTimeout: 8000
})

/** Why the cluster is not healthy yet, for the finding when it does not recover. */
let notYet = ''
/** Every partition of the topic has a leader and a full ISR, as a running broker reports it. */
async function healthy () {
  for (let p = 0; p < partitions; p++) {
    const s = await partitionState(cluster, TOPIC, p)
    if (s === null || s.leader < 0 || s.isr.length !== brokerIds.length) {
      notYet = s === null ? `no broker answered Metadata for partition ${p}` : `partition ${p}: leader ${s.leader}, ISR ${s.isr.join(',')}`
      return false
    }
  }
  return true
}

/** A broker that exited without being told to (a crash, or a fenced broker that stopped) is a finding; it is started again. */
async function restartExited () {
  for (const m of cluster.members.values()) {
    const child = m.process?.process
    if (child !== undefined && (child.exitCode !== null || child.signalCode !== null)) {
      finding(`broker ${m.id} exited by itself (${child.exitCode ?? child.signalCode}); last lines:\n${m.process.logs().split('\n').slice(-15).join('\n')}`)
      m.process = null
    }
    if (m.process === null) await cluster.start(m.id)
  }
}

const clients = { kafkajs: { acked: [], failures: 0, errors: new Map() }, rdkafka: { acked: 0 } }
let stopping = false

/** A kafkajs client's connect, tried again until it works: on a loaded machine the first Metadata may time out. */
async function connected (client) {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.connect()
      return client
    } catch (err) {
      if (attempt >= 30) throw err
      await sleep(1000)
    }
  }
}

async function runKafkajsProducer () {
  const producer = await connected(kafka.producer({ idempotent: true, maxInFlightRequests: 1 }))
  const out = clients.kafkajs
  for (let i = 0; !stopping; i++) {
    const value = `k-${i}`
    const partition = i % partitions
    try {
      const [meta] = await producer.send({ topic: TOPIC, acks: -1, timeout: 5000, messages: [{ value, partition }] })
      out.acked.push({ partition: meta.partition, offset: Number(meta.baseOffset), value })
    } catch (err) {
      // Not acknowledged: it may or may not be in the log; the checks allow either.
      out.failures++
      const kind = err.name ?? 'Error'
      out.errors.set(kind, (out.errors.get(kind) ?? 0) + 1)
      await sleep(100)
    }
  }
  await producer.disconnect()
}

const txns = { committed: [], aborted: [], unknown: [], errors: new Map() }
/**
 * Transactions of one record per partition of TXN_TOPIC; every fifth one aborted. A transaction
 * whose commit or abort failed has an unknown outcome; the producer is then made again, and its
 * InitProducerId fences the old epoch (the coordinator aborts what was left open).
 */
async function runTxnProducer () {
  let producer = null
  for (let n = 0; !stopping; n++) {
    const values = Array.from({ length: partitions }, (_, p) => ({ partition: p, value: `t-${n * partitions + p}` }))
    const abort = n % 5 === 4
    let transaction = null
    try {
      if (producer === null) {
        producer = kafka.producer({ transactionalId: 'cluster-faults-txn', idempotent: true, maxInFlightRequests: 1, transactionTimeout: 15_000 })
        await producer.connect()
      }
      transaction = await producer.transaction()
      const sent = await transaction.send({ topic: TXN_TOPIC, acks: -1, timeout: 5000, messages: values })
      // The offsets the produce acknowledgement named, to tell where a missing record went.
      for (const v of values) v.offset = Number(sent.find((m) => m.partition === v.partition)?.baseOffset ?? -1)
      for (const v of values) v.at = elapsed()
      if (abort) {
        await transaction.abort()
        txns.aborted.push(values)
      } else {
        await transaction.commit()
        txns.committed.push(values)
      }
    } catch (err) {
      if (transaction !== null) {
        for (const v of values) v.error = `${elapsed()} ${err.name ?? 'Error'}: ${err.message}`
        txns.unknown.push(values)
      }
      const kind = err.name ?? 'Error'
      txns.errors.set(kind, (txns.errors.get(kind) ?? 0) + 1)
      try {
        await producer?.disconnect()
      } catch {
        // Its connections are going away anyway: a new producer starts from scratch.
      }
      producer = null
      await sleep(500)
    }
  }
  await producer?.disconnect()
}

/** The transactional topic's last stable offset has reached its high watermark on every partition. */
async function nothingOpen () {
  for (let p = 0; p < partitions; p++) {
    const s = await partitionState(cluster, TXN_TOPIC, p)
    const m = s === null ? undefined : cluster.members.get(s.leader)
    if (m === undefined) return false
    const ask = async (isolationLevel) => {
      const body = await requestTo(m.port, listOffsetsApi, 5, { replicaId: -1, isolationLevel, topics: [{ name: TXN_TOPIC, partitions: [{ partitionIndex: p, currentLeaderEpoch: -1, timestamp: -1n }] }] }, 5000, m.host)
      return body.topics[0]?.partitions[0]?.offset
    }
    const [stable, high] = [await ask(1), await ask(0)]
    if (stable === undefined || stable !== high) return false
  }
  return true
}

const consumed = []
async function runConsumer () {
  const consumer = kafka.consumer({
    groupId: GROUP,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 200,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000, restartOnFailure: async () => !stopping }
  })
  await connected(consumer)
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
  await consumer.run({
    autoCommitInterval: 500,
    eachMessage: async ({ partition, message }) => {
      consumed.push({ partition, offset: Number(message.offset), value: message.value?.toString() ?? '' })
    }
  })
  return consumer
}

const commits = []
async function sampleCommits () {
  const admin = await connected(kafka.admin())
  while (!stopping) {
    try {
      const answer = await Promise.race([
        admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] }),
        sleep(5000).then(() => null)
      ])
      const at = Date.now()
      for (const p of answer?.[0]?.partitions ?? []) {
        if (Number(p.offset) >= 0) commits.push({ at, partition: p.partition, offset: Number(p.offset) })
      }
    } catch {
      // A coordinator moving or cut off: the next sample asks again.
    }
    await sleep(500)
  }
  await admin.disconnect()
}

let rdkafkaNode = null
async function rdkafkaAcked () {
  if (rdkafkaNode !== null) return rdkafkaNode.acked()
  try {
    return Number(await readFile(join(scratch.path, 'stop.acked'), 'utf8'))
  } catch {
    return 0 // not written yet: the producer is starting
  }
}

async function leaderOf (partition) {
  const s = await partitionState(cluster, TOPIC, partition)
  return s !== null && s.leader > 0 ? s.leader : pick(brokerIds)
}

/** Injects one fault and heals it; resolves with a description. */
async function inject (fault) {
  switch (fault) {
    case 'kill-leader': {
      const partition = between(0, partitions - 1)
      const id = await leaderOf(partition)
      const down = between(0, 2000)
      await cluster.kill9(id)
      await sleep(down)
      await cluster.start(id)
      return `kill -9 of broker ${id} (leader of partition ${partition}), restarted after ${down} ms`
    }
    case 'kill-controller': {
      let id = await controllerOf(cluster)
      if (id < 0) id = pick(brokerIds)
      const down = between(0, 2000)
      await cluster.kill9(id)
      await sleep(down)
      await cluster.start(id)
      return `kill -9 of broker ${id} (controller), restarted after ${down} ms`
    }
    case 'kill-etcd': {
      const down = between(1000, 5000)
      await cluster.etcd.kill()
      await sleep(down)
      await cluster.etcd.start()
      return `kill -9 of etcd, restarted after ${down} ms`
    }
    case 'pause-broker': {
      const id = random() < 0.5 ? await leaderOf(between(0, partitions - 1)) : pick(brokerIds)
      const pid = cluster.members.get(id).process.process.pid
      const paused = between(sessionMs + 1000, sessionMs + 3000)
      process.kill(pid, 'SIGSTOP')
      await sleep(paused)
      process.kill(pid, 'SIGCONT')
      return `SIGSTOP of broker ${id} for ${paused} ms`
    }
    case 'isolate-broker': {
      const id = random() < 0.5 ? await leaderOf(between(0, partitions - 1)) : pick(brokerIds)
      const others = brokerIds.filter((b) => b !== id)
      const ms = between(4000, 10_000)
      for (const o of others) net.cut(`b${id}`, `b${o}`)
      await sleep(ms)
      net.healAll()
      return `broker ${id} cut off from brokers ${others.join(' and ')} for ${ms} ms`
    }
    case 'cut-link': {
      const [a, b] = [...brokerIds].sort(() => random() - 0.5)
      const ms = between(4000, 10_000)
      net.cut(`b${a}`, `b${b}`)
      await sleep(ms)
      net.healAll()
      return `link between brokers ${a} and ${b} cut for ${ms} ms`
    }
    case 'cut-etcd': {
      const choice = random()
      let id = choice < 0.33 ? await controllerOf(cluster) : choice < 0.66 ? await leaderOf(between(0, partitions - 1)) : pick(brokerIds)
      if (id < 0) id = pick(brokerIds)
      const ms = between(3000, 8000)
      net.cut(`b${id}`, 'etcd')
      await sleep(ms)
      net.healAll()
      return `broker ${id} cut off from etcd for ${ms} ms`
    }
    case 'clock-jump': {
      const id = pick(brokerIds)
      const step = between(-600, 600)
      const offset = clockOffset.get(id) + step
      clockOffset.set(id, offset)
      await writeFile(clockFile(id), offset >= 0 ? `+${offset}` : `${offset}`)
      // libfaketime reads the file again at most a second later.
      await sleep(3000)
      return `broker ${id}'s wall clock stepped by ${step} s (now ${offset} s off)`
    }
  }
  throw new Error(`unknown fault ${fault}`)
}

/** Puts everything back as it was: links, paused processes, etcd, brokers. */
async function restoreAll () {
  net.healAll()
  for (const m of cluster.members.values()) {
    if (m.process !== null) process.kill(m.process.process.pid, 'SIGCONT')
  }
  try {
    await cluster.etcd.start()
  } catch {
    // Already running: start refuses, which is what we want.
  }
  await restartExited()
}

/** Waits for every broker up, every ISR full and both producers acknowledging; the time it took, or null. */
async function recovered (timeoutMs) {
  const from = Date.now()
  const kafkajsFrom = clients.kafkajs.acked.length
  const rdkafkaFrom = await rdkafkaAcked()
  try {
    await waitFor(async () => {
      await restartExited()
      if (!await healthy()) return false
      const kafkajs = clients.kafkajs.acked.length - kafkajsFrom
      const rdkafka = await rdkafkaAcked() - rdkafkaFrom
      notYet = `acknowledged since: kafkajs ${kafkajs}, librdkafka ${rdkafka} (${PROGRESS} wanted)`
      return kafkajs >= PROGRESS && rdkafka >= PROGRESS
    }, timeoutMs, { intervalMs: 250 })
    return Date.now() - from
  } catch {
    return null
  }
}

/** One line per batch of a partition's log (offsets, producer id/epoch/sequence, marker or first value), for a diagnosis. */
async function describeBatches (dataDir, topic, partition) {
  const dir = join(dataDir, `${topic}-${partition}`)
  const files = (await readdir(dir)).filter((f) => f.endsWith('.log')).sort()
  const lines = []
  for (const f of files) {
    const all = await readFile(join(dir, f))
    let pos = 0
    while (pos + 61 <= all.length) {
      const size = 12 + all.readInt32BE(pos + 8)
      if (pos + size > all.length) break
      const batch = all.subarray(pos, pos + size)
      const h = readBatchHeader(batch)
      const marker = readControlMarker(batch)
      const what = marker !== null
        ? (marker.type === 0 ? 'ABORT' : marker.type === 1 ? 'COMMIT' : `control ${marker.type}`)
        : decodeBatchSync(batch).records.map((r) => r.value?.toString() ?? '').join(',')
      lines.push(`${topic}-${partition} ${h.baseOffset}..${h.baseOffset + BigInt(h.lastOffsetDelta)} epoch ${h.partitionLeaderEpoch} pid ${h.producerId}/${h.producerEpoch} seq ${h.baseSequence} ${what}`)
      pos += size
    }
  }
  return lines.join('\n')
}

const rounds_ = []
let exitCode = 0
let rdkafka
let consumer
let producing
let sampling
try {
  const admin = await connected(kafka.admin())
  const topics = transactions ? [TOPIC, TXN_TOPIC] : [TOPIC]
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] })) })
  await admin.disconnect()
  await waitFor(healthy, 60_000, { message: 'every ISR full after creation' })
  log(`cluster up: etcd ${cluster.etcd.endpoint}, brokers ${cluster.bootstrap}; seed ${seed}, faults ${faults.join(', ')}`)

  const script = fileURLToPath(new URL('cluster-faults-rdkafka-producer.py', import.meta.url))
  if (opts.librdkafka === 'node') rdkafkaNode = await startRdkafkaProducer(cluster.bootstrap, TOPIC, partitions)
  else rdkafka = runPython(script, [cluster.bootstrap, TOPIC, String(partitions), join(scratch.path, 'stop'), join(scratch.path, 'rdkafka.json')], { timeoutMs: Number(opts.seconds) * 1000 + 600_000 })
  consumer = await runConsumer()
  // Caught here so that a client that never connects is a finding, not a crash of the campaign.
  const txnProducer = !transactions
    ? null
    : opts['txn-client'] === 'kafkajs' ? runTxnProducer() : runRdkafkaTxnProducer(cluster.bootstrap, TXN_TOPIC, partitions, txns, () => stopping, elapsed)
  producing = Promise.all([runKafkajsProducer(), txnProducer])
    .catch((err) => { finding(`kafkajs producer: ${err.stack ?? err}`) })
  sampling = sampleCommits().catch((err) => { finding(`committed-offset sampler: ${err.stack ?? err}`) })

  for (let round = 1; round <= rounds && Date.now() < deadline; round++) {
    let recovery = await recovered(RECOVERY_MS)
    if (recovery === null) {
      finding(`round ${round}: the cluster did not recover within ${RECOVERY_MS / 1000} s of the previous fault (${rounds_[rounds_.length - 1]?.what ?? 'start'}): ${notYet}; restoring everything`)
      log(cluster.logs().split('\n').slice(-40).join('\n'))
      await restoreAll()
      recovery = await recovered(RECOVERY_MS)
      if (recovery === null) {
        finding(`round ${round}: still not recovered after restoring everything (${notYet}); stopping the rounds`)
        break
      }
    }
    if (rounds_.length > 0) rounds_[rounds_.length - 1].recoveryMs = recovery
    const fault = pick(faults)
    const what = await inject(fault)
    rounds_.push({ round, fault, what, recoveryMs: null })
    log(`round ${round}: ${what} (previous round recovered in ${recovery} ms)`)
  }
  const last = await recovered(RECOVERY_MS)
  if (last === null) {
    finding(`the cluster did not recover within ${RECOVERY_MS / 1000} s of the last fault (${notYet}); restoring everything`)
    await restoreAll()
    await recovered(RECOVERY_MS)
  } else if (rounds_.length > 0) {
    rounds_[rounds_.length - 1].recoveryMs = last
  }
} catch (err) {
  finding(`campaign error: ${err.stack ?? err}`)
}

// The end: heal, stop the clients, read back, check.
const summary = { seed, rounds: rounds_.length, faults: {}, findings, checks: [], replicas: [] }
try {
  await restoreAll()
  stopping = true
  await writeFile(join(scratch.path, 'stop'), '')
  await producing
  let rdk
  if (rdkafkaNode !== null) {
    rdk = await rdkafkaNode.stop()
  } else {
    const python = await rdkafka
    if (python?.code !== 0) finding(`librdkafka producer exited with ${python?.code}: ${python?.stderr.toString().slice(-2000)}`)
    rdk = JSON.parse(await readFile(join(scratch.path, 'rdkafka.json'), 'utf8'))
  }
  if (rdk.fatal !== null) finding(`librdkafka producer stopped on a fatal error: ${rdk.fatal}`)
  await sampling
  await Promise.race([consumer?.disconnect(), sleep(10_000)])
  await waitFor(healthy, 60_000, { message: 'every ISR full at the end' })

  const messages = await kcatConsumeAll(cluster.bootstrap, TOPIC, 120_000)
  const logByPartition = new Map()
  for (let p = 0; p < partitions; p++) logByPartition.set(p, [])
  for (const m of messages) logByPartition.get(m.partition)?.push({ offset: m.offset, value: m.payload ?? '' })
  for (const list of logByPartition.values()) list.sort((a, b) => a.offset - b.offset)
  const producers = [
    { name: 'kafkajs', acked: clients.kafkajs.acked },
    { name: 'librdkafka', acked: rdk.acked.map(([partition, offset, value]) => ({ partition, offset, value })) }
  ]
  summary.checks = checkHistory({ producers, log: logByPartition, consumed, commits })
  // Clients take brokers reporting different cluster ids for different clusters.
  const ids = await Promise.all([...cluster.members.values()].map(async (m) => (await requestTo(m.port, metadataApi, 12,
    { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }, 10_000, m.host)).clusterId))
  summary.checks.push({ name: 'every broker reports one cluster id', ok: new Set(ids).size === 1, count: new Set(ids).size - 1, examples: [ids.join(', ')] })
  if (transactions) {
    await waitFor(nothingOpen, 60_000, { message: 'no transaction left open at the end' })
    const read = assertSucceeded('kcat read_committed', await runKcat(['-C', '-b', cluster.bootstrap, '-t', TXN_TOPIC, '-o', 'beginning', '-e', '-J', '-q',
      '-X', 'isolation.level=read_committed'], { timeoutMs: 120_000 }))
    const visible = read.stdout.toString('utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l)).map((m) => ({ partition: m.partition, offset: m.offset, value: m.payload ?? '' }))
    // read_uncommitted too: a committed record missing above is then either absent from the log or hidden by an abort.
    const readAll = assertSucceeded('kcat read_uncommitted', await runKcat(['-C', '-b', cluster.bootstrap, '-t', TXN_TOPIC, '-o', 'beginning', '-e', '-J', '-q',
      '-X', 'isolation.level=read_uncommitted'], { timeoutMs: 120_000 }))
    const inLog = readAll.stdout.toString('utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l)).map((m) => ({ partition: m.partition, offset: m.offset, value: m.payload ?? '' }))
    const txnChecks = checkTransactions({ ...txns, visible, inLog })
    summary.checks.push(...txnChecks)
    if (opts.out !== undefined && txnChecks.some((c) => !c.ok)) {
      // The brokers' logs, for the diagnosis of a transactional finding.
      await writeFile(`${opts.out}.brokers.log`, cluster.logs())
    }
    summary.transactions = { committed: txns.committed.length, aborted: txns.aborted.length, unknown: txns.unknown.length, errors: Object.fromEntries(txns.errors), visible: visible.length }
  }
  summary.clients = {
    kafkajs: { acknowledged: clients.kafkajs.acked.length, failed: clients.kafkajs.failures, errors: Object.fromEntries(clients.kafkajs.errors) },
    librdkafka: { acknowledged: rdk.acked.length, failed: rdk.failed, produced: rdk.produced, unflushed: rdk.unflushed, errors: rdk.errors },
    consumer: { served: consumed.length },
    commitSamples: commits.length,
    recordsInLog: messages.length
  }

  // Replicas: every broker stopped cleanly, then their logs compared below each partition's end.
  for (const id of brokerIds) await cluster.stop(id)
  for (let p = 0; p < partitions; p++) {
    const records = logByPartition.get(p)
    const end = records.length === 0 ? 0 : records[records.length - 1].offset + 1
    const prefixes = await Promise.all(brokerIds.map(async (id) => ({ id, bytes: await replicaLogPrefix(cluster.members.get(id).dataDir, TOPIC, p, end) })))
    const first = prefixes[0]
    const equal = prefixes.every((x) => x.bytes.equals(first.bytes))
    summary.replicas.push({ partition: p, end, bytes: first.bytes.length, equal, sizes: prefixes.map((x) => `${x.id}:${x.bytes.length}`).join(' ') })
  }
  if (opts.out !== undefined && summary.checks.some((c) => !c.ok && /transaction/.test(c.name))) {
    const dumps = []
    for (let p = 0; p < partitions; p++) dumps.push(await describeBatches(cluster.members.get(brokerIds[0]).dataDir, TXN_TOPIC, p))
    await writeFile(`${opts.out}.txn-batches.log`, dumps.join('\n'))
  }
} catch (err) {
  finding(`checking failed: ${err.stack ?? err}`)
}

for (const r of rounds_) summary.faults[r.fault] = (summary.faults[r.fault] ?? 0) + 1
const recoveries = rounds_.map((r) => r.recoveryMs).filter((x) => x !== null).sort((a, b) => a - b)
summary.recoveryMs = { median: recoveries[Math.floor(recoveries.length / 2)] ?? null, max: recoveries[recoveries.length - 1] ?? null }
summary.seconds = Math.round((Date.now() - started) / 1000)
summary.loadavg = loadavg().map((l) => Number(l.toFixed(2)))
summary.rounds_ = rounds_

console.log('\n=== cluster faults: summary ===')
console.log(`seed ${seed}, ${rounds_.length} rounds in ${summary.seconds} s, load average ${summary.loadavg.join(' ')}`)
console.log(`faults: ${Object.entries(summary.faults).map(([f, n]) => `${f} ${n}`).join(', ')}`)
console.log(`recovery after a fault (all ISRs full, both producers acknowledging): median ${summary.recoveryMs.median} ms, max ${summary.recoveryMs.max} ms`)
if (summary.clients !== undefined) console.log(`clients: ${JSON.stringify(summary.clients)}`)
if (summary.transactions !== undefined) console.log(`transactions: ${JSON.stringify(summary.transactions)}`)
for (const c of summary.checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.ok ? '' : `: ${c.count}\n       ${c.examples.join('\n       ')}`}`)
for (const r of summary.replicas) console.log(`${r.equal ? 'ok  ' : 'FAIL'} partition ${r.partition}: replicas byte-equal below offset ${r.end} (${r.sizes} bytes)`)
for (const f of findings) console.log(`FINDING ${f}`)
const failed = findings.length > 0 || summary.checks.length === 0 || summary.checks.some((c) => !c.ok) || summary.replicas.length !== partitions || summary.replicas.some((r) => !r.equal)
if (failed) exitCode = 1
console.log(failed ? 'RESULT: FAIL' : 'RESULT: PASS')
if (opts.out !== undefined) await writeFile(opts.out, JSON.stringify(summary, null, 2))

await cluster.close()
await scratch.cleanup()
net.close()
process.exit(exitCode)
