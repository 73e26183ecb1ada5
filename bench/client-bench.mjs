#!/usr/bin/env node
// Client throughput: produce 1,000,000 x 100 B records, then consume them back, with Brook's own
// client (@brook/client), kafkajs 2.2.4, @platformatic/kafka and @confluentinc/kafka-javascript
// (librdkafka 2.15 behind its KafkaJS-style API; built by scripts/install-librdkafka-client.sh,
// skipped with a message when missing), against one Brook broker (a child
// process) in the same run. Each client phase runs in its own child process, so the CPU seconds
// printed (user + system) are that client's alone; the broker's CPU is printed beside them.
// Every client gets the same work: one topic with one partition, acks=all, no compression, sends
// of 5,000 records (kafkajs makes one batch of a send: ~550 kB, under max.message.bytes) with up
// to 8 sends in flight; consume reads the topic from offset 0 until it has seen every record.
// @platformatic/kafka needs Promise.withResolvers (Node 22): testkit's polyfill adds it on Node 20.
// librdkafka is measured with rdkbench (a C load generator on librdkafka, built outside the repo;
// path from --rdkbench or $RDKBENCH; without one that column is skipped with a message): acks=all,
// idempotence on (as Brook's producer), partition 0 explicit, librdkafka's default linger/batching;
// consume assigns partition 0 from the beginning. Its time is rdkbench's own (produce: first
// enqueue to last delivery; consume: start to last record, startup included), its CPU seconds
// from /usr/bin/time.
// With --runs N every phase runs N times per client and the median is printed.
// Figures are ratios on a shared 2-core VM: read them as such.
//
// Usage: npm run build && node bench/client-bench.mjs [--count N] [--runs N] [--rdkbench PATH]
//          [--clients brook,kafkajs,platformatic,confluent,rdkafka]
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const args = process.argv.slice(2)
const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const SIZE = 100
const CHUNK = 5_000
const WINDOW = 8

/** Sends count records in chunks with at most WINDOW sends in flight. */
async function windowed (count, send) {
  const inFlight = new Set()
  for (let start = 0; start < count; start += CHUNK) {
    const p = send(start, Math.min(CHUNK, count - start)).then(() => inFlight.delete(p))
    inFlight.add(p)
    if (inFlight.size >= WINDOW) await Promise.race(inFlight)
  }
  await Promise.all(inFlight)
}

const workers = {
  brook: {
    async produce ({ bootstrap, topic, count, value }) {
      const { Client } = await import('@brook/client')
      const producer = new Client({ brokers: [bootstrap] }).producer({ lingerMs: 5, batchSize: 512 * 1024 })
      await producer.connect()
      await windowed(count, (start, n) => producer.send({ topic, messages: Array.from({ length: n }, () => ({ value, partition: 0 })) }))
      await producer.close()
    },
    async consume ({ bootstrap, topic, count }) {
      const { Client } = await import('@brook/client')
      const consumer = new Client({ brokers: [bootstrap] }).consumer({ maxPartitionBytes: 8 * 1_048_576 })
      consumer.assign([{ topic, partition: 0, offset: 0n }])
      let seen = 0
      for await (const batch of consumer) {
        seen += batch.messages.length
        if (seen >= count) break
      }
      await consumer.close()
    }
  },
  kafkajs: {
    async produce ({ bootstrap, topic, count, value }) {
      const { Kafka, logLevel } = (await import('kafkajs')).default
      const producer = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer()
      await producer.connect()
      await windowed(count, (start, n) => producer.send({ topic, acks: -1, messages: Array.from({ length: n }, () => ({ value, partition: 0 })) }))
      await producer.disconnect()
    },
    async consume ({ bootstrap, topic, count }) {
      const { Kafka, logLevel } = (await import('kafkajs')).default
      const consumer = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING }).consumer({ groupId: `bench-${topic}`, maxBytesPerPartition: 8 * 1_048_576 })
      await consumer.connect()
      await consumer.subscribe({ topic, fromBeginning: true })
      let seen = 0
      await new Promise((resolve, reject) => {
        consumer.run({ autoCommit: false, eachBatch: async ({ batch }) => { seen += batch.messages.length; if (seen >= count) resolve() } }).catch(reject)
      })
      await consumer.disconnect()
    }
  },
  confluent: {
    async produce ({ bootstrap, topic, count, value }) {
      const { Kafka } = (await loadConfluent()).KafkaJS
      const producer = new Kafka({ kafkaJS: { brokers: [bootstrap], logLevel: 0 } }).producer({ kafkaJS: { acks: -1, idempotent: true } })
      await producer.connect()
      await windowed(count, (start, n) => producer.send({ topic, messages: Array.from({ length: n }, () => ({ value, partition: 0 })) }))
      await producer.disconnect()
    },
    async consume ({ bootstrap, topic, count }) {
      const { Kafka } = (await loadConfluent()).KafkaJS
      const consumer = new Kafka({ kafkaJS: { brokers: [bootstrap], logLevel: 0 } }).consumer({ kafkaJS: { groupId: `bench-${topic}`, fromBeginning: true, autoCommit: false } })
      await consumer.connect()
      await consumer.subscribe({ topics: [topic] })
      let seen = 0
      await new Promise((resolve, reject) => {
        consumer.run({ eachBatch: async ({ batch }) => { seen += batch.messages.length; if (seen >= count) resolve() } }).catch(reject)
      })
      await consumer.disconnect()
    }
  },
  platformatic: {
    async produce ({ bootstrap, topic, count, value }) {
      ;(await import('@brook/testkit')).ensurePromiseWithResolvers()
      const { Producer } = await import('@platformatic/kafka')
      const producer = new Producer({ clientId: 'bench', bootstrapBrokers: [bootstrap] })
      await windowed(count, (start, n) => producer.send({ acks: -1, messages: Array.from({ length: n }, () => ({ topic, value, partition: 0 })) }))
      await producer.close()
    },
    async consume ({ bootstrap, topic, count }) {
      ;(await import('@brook/testkit')).ensurePromiseWithResolvers()
      const { Consumer } = await import('@platformatic/kafka')
      const consumer = new Consumer({ clientId: 'bench', bootstrapBrokers: [bootstrap], groupId: `bench-${topic}`, maxBytes: 8 * 1_048_576 })
      const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false })
      let seen = 0
      for await (const _ of stream) { // eslint-disable-line no-unused-vars
        if (++seen >= count) break
      }
      await stream.close()
      await consumer.close(true)
    }
  }
}

/** @confluentinc/kafka-javascript (librdkafka 2.15) as scripts/install-librdkafka-client.sh built it. */
async function loadConfluent () {
  const { loadKafkaJavascript } = await import('@brook/testkit')
  return loadKafkaJavascript()
}

if (args[0] === '--worker') {
  const [, client, phase, bootstrap, topic, countText] = args
  const count = Number(countText)
  const value = Buffer.alloc(SIZE, 'x')
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  await workers[client][phase]({ bootstrap, topic, count, value })
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  const cpu = process.cpuUsage(cpu0)
  process.stdout.write(JSON.stringify({ seconds, cpu: (cpu.user + cpu.system) / 1e6 }) + '\n')
  process.exit(0)
}

function runWorker (client, phase, bootstrap, topic, count) {
  if (client === 'rdkafka') return runRdkbench(phase, bootstrap, topic, count)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--worker', client, phase, bootstrap, topic, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.on('exit', (code) => {
      if (code !== 0) { reject(new Error(`${client} ${phase} exited with ${code}`)); return }
      resolve(JSON.parse(out.trim().split('\n').pop()))
    })
  })
}

function runRdkbench (phase, bootstrap, topic, count) {
  const dir = mkdtempSync(join(tmpdir(), 'rdkbench-'))
  const timeFile = join(dir, 'time')
  const options = phase === 'produce'
    ? ['produce', '-b', bootstrap, '-t', topic, '-p', '1', '-n', String(count), '-s', String(SIZE), '-a', 'all', '-i', '1']
    : ['consume', '-b', bootstrap, '-t', topic, '-p', '1', '-n', String(count), '--idle', '5']
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%U %S', RDKBENCH, ...options], { stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.on('exit', (code) => {
      try {
        const line = out.split('\n').find((l) => l.startsWith('RESULT '))
        if (code !== 0 || line === undefined) throw new Error(`rdkbench ${phase} exited with ${code}: ${out}`)
        const result = JSON.parse(line.slice('RESULT '.length))
        const [user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number)
        const seconds = phase === 'produce' ? result.sec : result.count / result.msgs_per_s_incl_startup
        resolve({ seconds, cpu: user + system })
      } catch (err) {
        reject(err)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function brokerCpu (pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const count = Number(arg('--count', '1000000'))
const runs = Number(arg('--runs', '1'))
const RDKBENCH = arg('--rdkbench', process.env.RDKBENCH)
let clients = arg('--clients', 'brook,kafkajs,platformatic,confluent,rdkafka').split(',')
if (clients.includes('confluent')) {
  try {
    await loadConfluent()
  } catch (err) {
    console.log(`@confluentinc/kafka-javascript column skipped: ${err.message}`)
    clients = clients.filter((c) => c !== 'confluent')
  }
}
if (clients.includes('rdkafka') && (RDKBENCH === undefined || !existsSync(RDKBENCH))) {
  console.log(`librdkafka column skipped: no rdkbench binary (${RDKBENCH ?? 'give --rdkbench PATH or RDKBENCH=PATH'}); build it from its README`)
  clients = clients.filter((c) => c !== 'rdkafka')
}
const { startBrokerProcess } = await import('@brook/testkit')
const { Client } = await import('@brook/client')
const broker = await startBrokerProcess()
const rows = []
try {
  const admin = new Client({ brokers: [broker.bootstrap] }).admin()
  const topic = (client, run) => `bench-${client}-${run}`
  for (let run = 0; run < runs; run++) for (const client of clients) await admin.createTopics([{ topic: topic(client, run), numPartitions: 1 }])
  await admin.close()
  for (const phase of ['produce', 'consume']) {
    for (const client of clients) {
      const samples = []
      // Each run reads back what the same run produced, so every consume starts from a full topic.
      for (let run = 0; run < runs; run++) {
        const b0 = brokerCpu(broker.process.pid)
        const r = await runWorker(client, phase, broker.bootstrap, topic(client, run), count)
        samples.push({ msgsPerSec: count / r.seconds, seconds: r.seconds, clientCpu: r.cpu, brokerCpu: brokerCpu(broker.process.pid) - b0 })
      }
      const row = { client, phase, ...Object.fromEntries(['msgsPerSec', 'seconds', 'clientCpu', 'brokerCpu'].map((k) => [k, median(samples.map((x) => x[k]))])) }
      rows.push(row)
      const label = runs > 1 ? ` (median of ${runs})` : ''
      console.log(`${phase.padEnd(8)} ${client.padEnd(13)} ${Math.round(row.msgsPerSec).toLocaleString('en-US').padStart(10)} msgs/s  ${row.seconds.toFixed(2)} s  client CPU ${row.clientCpu.toFixed(2)} s  broker CPU ${row.brokerCpu.toFixed(2)} s${label}`)
    }
  }
} finally {
  await broker.stop()
}
console.log('\nratios (Brook client / other, msgs/s):')
for (const phase of ['produce', 'consume']) {
  const brook = rows.find((r) => r.client === 'brook' && r.phase === phase)
  if (brook === undefined) continue
  for (const other of rows.filter((r) => r.phase === phase && r.client !== 'brook')) {
    console.log(`${phase.padEnd(8)} brook / ${other.client.padEnd(13)} ${(brook.msgsPerSec / other.msgsPerSec).toFixed(2)}x`)
  }
}
