#!/usr/bin/env node
// Produce throughput with replication factor 3 against replication factor 1, in the same run on
// the same three-broker cluster (etcd + three `brook` processes on this machine, Brook's defaults):
// kcat (librdkafka) sends N messages of 1 KiB with acks=all to partition 0 of a topic with one
// replica, then of a topic with three (min.insync.replicas=2; acks=all still waits for the whole
// ISR), taking turns `--repeat` times. Prints, per run, messages/s, MiB/s and the CPU seconds each
// broker process used (user + system, from /proc), then the median ratio RF3 / RF1 and the load
// average before and after. With three copies of every byte written to one disk by processes
// sharing two cores, RF3 is bounded near a third of RF1 here.
// Needs a build (npx tsc -b), /usr/bin/etcd and kcat.
// Usage: node bench/cluster-replication-bench.mjs [--count N (50000)] [--repeat N (3)]
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import kafkajs from 'kafkajs'
import { partitionState, startTestCluster, waitFor } from '@brook/testkit'

const args = process.argv.slice(2)
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback)
const count = option('--count', 50_000)
const repeats = option('--repeat', 3)
const SIZE = 1024
const TICKS_PER_SECOND = 100 // USER_HZ on Linux

/** User + system CPU seconds a process has used so far. */
function cpuSeconds (pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may hold spaces), counted from the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')
const loadBefore = load()
const scratch = mkdtempSync(join(tmpdir(), 'brook-rf-bench-'))
const payloads = join(scratch, 'payloads')
// One message per line: SIZE - 1 characters and the newline kcat -l strips.
writeFileSync(payloads, Array.from({ length: count }, (_, i) => String(i).padStart(SIZE - 1, 'x')).join('\n') + '\n')

const cluster = await startTestCluster({ overrides: { 'auto.create.topics.enable': 'false' } })
try {
  const admin = new kafkajs.Kafka({ brokers: cluster.bootstrap.split(','), logLevel: kafkajs.logLevel.NOTHING }).admin()
  await admin.connect()
  await admin.createTopics({
    topics: [
      { topic: 'rf1', numPartitions: 1, replicationFactor: 1 },
      { topic: 'rf3', numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }
    ]
  })
  await admin.disconnect()
  await waitFor(async () => (await partitionState(cluster, 'rf1'))?.isr.length === 1, 20_000)
  await waitFor(async () => (await partitionState(cluster, 'rf3'))?.isr.length === 3, 20_000)
  console.log(`rf1 leader: broker ${(await partitionState(cluster, 'rf1')).leader}; rf3 leader: broker ${(await partitionState(cluster, 'rf3')).leader}`)

  const ratios = []
  for (let r = 0; r < repeats; r++) {
    const rates = {}
    for (const topic of ['rf1', 'rf3']) {
      const pids = [...cluster.members.values()].map((m) => [m.id, m.process.process.pid])
      const cpuBefore = pids.map(([, pid]) => cpuSeconds(pid))
      const started = process.hrtime.bigint()
      const run = spawnSync('kcat', ['-P', '-b', cluster.bootstrap, '-t', topic, '-p', '0', '-X', 'acks=all', '-X', 'linger.ms=5', '-l', payloads], { encoding: 'utf8' })
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      if (run.status !== 0) throw new Error(`kcat failed: ${run.stderr}`)
      const cpu = pids.map(([id, pid], i) => `broker ${id} ${(cpuSeconds(pid) - cpuBefore[i]).toFixed(2)} s`).join(', ')
      rates[topic] = count / seconds
      console.log(`run ${r + 1} ${topic}: ${Math.round(count / seconds)} msg/s, ${(count * SIZE / seconds / 1048576).toFixed(1)} MiB/s in ${seconds.toFixed(2)} s; CPU ${cpu}`)
    }
    ratios.push(rates.rf3 / rates.rf1)
  }
  const sorted = [...ratios].sort((a, b) => a - b)
  console.log(`RF3 / RF1: median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} (${ratios.map((x) => x.toFixed(2)).join(', ')})`)
  console.log(`load average before ${loadBefore}, after ${load()}`)
} finally {
  await cluster.close()
  rmSync(scratch, { recursive: true, force: true })
}
