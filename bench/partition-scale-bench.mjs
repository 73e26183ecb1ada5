#!/usr/bin/env node
// Partition scale of one broker process: the time of one CreateTopics of N partitions (answered
// once every partition exists), the time from process start to "listening on" when the broker
// holds them (after a clean stop and after kill -9), a Metadata request for all of them, and the
// broker's RSS. Needs a build (npx tsc -b).
// Usage: node bench/partition-scale-bench.mjs [--partitions 10000] [--keep dir]
// (--keep: the data dir is made there and kept, to profile a start by hand with node --cpu-prof)
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { Client } from '@brook/client'
import { startBrokerProcess, tempDir } from '@brook/testkit'

const { values } = parseArgs({ options: { partitions: { type: 'string', default: '10000' }, keep: { type: 'string' } } })
const partitions = Number(values.partitions)
const dir = values.keep === undefined ? await tempDir('brook-partition-scale-') : { path: values.keep, cleanup: async () => {} }

const rssMiB = (pid) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))
  return Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024)
}

async function start () {
  const before = performance.now()
  const broker = await startBrokerProcess({ dataDir: dir.path, startTimeoutMs: 300_000, overrides: { 'log.segment.bytes': '1048576' } })
  return { broker, ms: performance.now() - before }
}

console.log(`partitions: ${partitions}, load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
let { broker, ms: firstStart } = await start()
console.log(`empty broker: process start to listening ${firstStart.toFixed(0)} ms, RSS ${rssMiB(broker.process.pid)} MiB`)
try {
  const client = new Client({ brokers: [broker.bootstrap], clientId: 'partition-scale', requestTimeoutMs: 600_000 })
  let admin = client.admin()
  let t = performance.now()
  await admin.createTopics([{ topic: 'scale', numPartitions: partitions, replicationFactor: 1 }])
  console.log(`CreateTopics of ${partitions} partitions: ${(performance.now() - t).toFixed(0)} ms, RSS after ${rssMiB(broker.process.pid)} MiB`)
  t = performance.now()
  const described = await admin.describeTopics(['scale'])
  console.log(`Metadata of the topic (${described[0]?.partitions.length} partitions): ${(performance.now() - t).toFixed(0)} ms`)
  await admin.close()

  await broker.stop()
  let restarted = await start()
  broker = restarted.broker
  console.log(`restart after a clean stop: process start to listening ${restarted.ms.toFixed(0)} ms, RSS ${rssMiB(broker.process.pid)} MiB`)
  await broker.kill9()
  restarted = await start()
  broker = restarted.broker
  console.log(`restart after kill -9: process start to listening ${restarted.ms.toFixed(0)} ms, RSS ${rssMiB(broker.process.pid)} MiB`)
  admin = new Client({ brokers: [broker.bootstrap], clientId: 'partition-scale' }).admin()
  t = performance.now()
  const again = await admin.describeTopics(['scale'])
  console.log(`Metadata after restart (${again[0]?.partitions.length} partitions): ${(performance.now() - t).toFixed(0)} ms`)
  await admin.close()
} finally {
  await broker.stop()
  await dir.cleanup()
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
}
