#!/usr/bin/env node
// Partition scale of one broker process: the time of one CreateTopics of N partitions (answered
// once every partition exists), the time from process start to "listening on" when the broker
// holds them (after a clean stop and after kill -9), a Metadata request for all of them, and the
// broker's RSS. Needs a build (npx tsc -b).
// Usage: node bench/partition-scale-bench.mjs [--partitions 10000] [--topics 1] [--keep dir]
// (--topics N: N topics of --partitions each, e.g. --topics 10 for 100,000 partitions; each
// start also reports the broker's CPU seconds until it listened, a figure less sensitive to the
// machine's load than the wall time; --keep: the data dir is made there and kept, to profile a
// start by hand with node --cpu-prof)
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { Client } from '@brook/client'
import { startBrokerProcess, tempDir } from '@brook/testkit'

const { values } = parseArgs({ options: { partitions: { type: 'string', default: '10000' }, topics: { type: 'string', default: '1' }, keep: { type: 'string' } } })
const partitions = Number(values.partitions)
const topics = Array.from({ length: Number(values.topics) }, (_, i) => i === 0 ? 'scale' : `scale-${i}`)
const total = partitions * topics.length
const dir = values.keep === undefined ? await tempDir('brook-partition-scale-') : { path: values.keep, cleanup: async () => {} }

const rssMiB = (pid) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))
  return Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024)
}

/** User + system CPU seconds of a process so far (/proc/<pid>/stat, clock ticks of 10 ms). */
const cpuSeconds = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** The median wall time of `runs` calls, and the last call's result. */
async function medianOf (runs, call) {
  const times = []
  let result
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    result = await call()
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  return [times[Math.floor(runs / 2)], result]
}

async function start () {
  const before = performance.now()
  const broker = await startBrokerProcess({ dataDir: dir.path, startTimeoutMs: 300_000, overrides: { 'log.segment.bytes': '1048576' } })
  return { broker, ms: performance.now() - before, cpu: cpuSeconds(broker.process.pid) }
}

console.log(`partitions: ${total} (${topics.length} x ${partitions}), load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
let { broker, ms: firstStart, cpu: firstCpu } = await start()
console.log(`empty broker: process start to listening ${firstStart.toFixed(0)} ms (${firstCpu.toFixed(2)} CPU s), RSS ${rssMiB(broker.process.pid)} MiB`)
try {
  const client = new Client({ brokers: [broker.bootstrap], clientId: 'partition-scale', requestTimeoutMs: 600_000 })
  let admin = client.admin()
  let t = performance.now()
  for (const topic of topics) {
    const cpu = cpuSeconds(broker.process.pid)
    t = performance.now()
    await admin.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }])
    console.log(`CreateTopics of ${partitions} partitions (${topic}): ${(performance.now() - t).toFixed(0)} ms (${(cpuSeconds(broker.process.pid) - cpu).toFixed(2)} CPU s), RSS after ${rssMiB(broker.process.pid)} MiB`)
  }
  // The admin that created every topic describes one: its Metadata request names that topic only,
  // so the time follows that topic's size, not the cluster's. Median of 5.
  const [oneMs, described] = await medianOf(5, async () => await admin.describeTopics(['scale']))
  console.log(`Metadata of one topic (${described[0]?.partitions.length} partitions): ${oneMs.toFixed(0)} ms (median of 5)`)
  if (topics.length > 1) {
    const [allMs, all] = await medianOf(5, async () => await admin.describeTopics(topics))
    console.log(`Metadata of every topic (${all.reduce((n, d) => n + d.partitions.length, 0)} partitions): ${allMs.toFixed(0)} ms (median of 5), RSS after ${rssMiB(broker.process.pid)} MiB`)
  }
  await admin.close()

  t = performance.now()
  const code = await broker.stop()
  console.log(`clean stop: ${(performance.now() - t).toFixed(0)} ms, exit code ${code}${code === 0 ? '' : ' (killed after 10 s: the next start is not a clean one)'}`)
  let restarted = await start()
  broker = restarted.broker
  console.log(`restart after a clean stop: process start to listening ${restarted.ms.toFixed(0)} ms (${restarted.cpu.toFixed(2)} CPU s), RSS ${rssMiB(broker.process.pid)} MiB`)
  await broker.kill9()
  restarted = await start()
  broker = restarted.broker
  console.log(`restart after kill -9: process start to listening ${restarted.ms.toFixed(0)} ms (${restarted.cpu.toFixed(2)} CPU s), RSS ${rssMiB(broker.process.pid)} MiB`)
  admin = new Client({ brokers: [broker.bootstrap], clientId: 'partition-scale' }).admin()
  t = performance.now()
  const again = await admin.describeTopics(topics)
  console.log(`Metadata after restart (${again.reduce((n, d) => n + d.partitions.length, 0)} partitions): ${(performance.now() - t).toFixed(0)} ms`)
  await admin.close()
} finally {
  await broker.stop()
  await dir.cleanup()
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
}
