#!/usr/bin/env node
// Protocol fuzzing, the long run (docs/reliability.md, "Protocol fuzzing"). fast-check drives a
// mutator of golden frames of real clients (Jazzer.js cannot be used: its native part does not
// load on this glibc, and older releases download it from outside the npm registry).
//
//   node bench/reliability/fuzz.mjs [--inputs 10000000] [--seed 1] [--target splitter,header,request,records,network]
//                                   [--chunk 100000] [--connections 5000] [--out DIR]
//
// In-process targets share --inputs evenly. Each runs in a worker thread, in chunks of --chunk
// inputs with seeds seed, seed+1, ...; the worker counts inputs in shared memory, and a count that
// stops moving for STALL_MS is a hang: the worker is ended and the chunk's seed and input index
// are printed (replay: `fuzzTarget(target(name), seed, index + 1)` in packages/protocol/test/fuzz/run.ts,
// or fast-check's path). A failing input (untyped error, slow input, oversized allocation) is
// shrunk by fast-check and written as hex to --out. The network target starts a broker process,
// a kafkajs producer and consumer group beside it, and --connections hostile connections; the
// broker process must still run at the end. Prints inputs/s per target and the totals.
import { Worker } from 'node:worker_threads'
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const root = new URL('../..', import.meta.url).pathname
const STALL_MS = 60_000
const IN_PROCESS = ['splitter', 'header', 'request', 'records']

const { values: args } = parseArgs({
  options: {
    inputs: { type: 'string', default: '10000000' },
    seed: { type: 'string', default: '1' },
    target: { type: 'string', default: [...IN_PROCESS, 'network'].join(',') },
    chunk: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '5000' },
    out: { type: 'string', default: join(tmpdir(), 'brook-fuzz') }
  }
})
const inputs = Number(args.inputs)
const seed = Number(args.seed)
const chunk = Number(args.chunk)
const targets = args.target.split(',').map((t) => t.trim()).filter(Boolean)
for (const t of targets) if (!IN_PROCESS.includes(t) && t !== 'network') throw new Error(`unknown target ${t}`)
const inProcess = targets.filter((t) => IN_PROCESS.includes(t))
const perTarget = inProcess.length === 0 ? 0 : Math.floor(inputs / inProcess.length)

// ---- in-process targets, in a worker ----

const WORKER = `
import { workerData, parentPort } from 'node:worker_threads'
const { fuzzTarget, target } = await import(workerData.run)
const counter = new Int32Array(workerData.counter)
const t = target(workerData.name)
const run = t.run
t.run = (c) => { Atomics.add(counter, 0, 1); run(c) }
const outcome = fuzzTarget(t, workerData.seed, workerData.runs)
parentPort.postMessage(outcome)
`

function runChunk (name, chunkSeed, runs) {
  const counter = new SharedArrayBuffer(4)
  const count = new Int32Array(counter)
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { run: join(root, 'packages/protocol/dist/test/fuzz/run.js'), name, seed: chunkSeed, runs, counter }
  })
  return new Promise((resolve, reject) => {
    let last = -1
    let lastMove = Date.now()
    const watchdog = setInterval(() => {
      const now = Atomics.load(count, 0)
      if (now !== last) {
        last = now
        lastMove = Date.now()
      } else if (Date.now() - lastMove > STALL_MS) {
        clearInterval(watchdog)
        void worker.terminate()
        resolve({ target: name, runs: now, ms: 0, failure: { message: `hang: input ${now - 1} of seed ${chunkSeed} made no progress for ${STALL_MS} ms`, input: '', seed: chunkSeed, path: String(now - 1) } })
      }
    }, 1000)
    worker.once('message', (outcome) => { clearInterval(watchdog); resolve(outcome) })
    worker.once('error', (err) => { clearInterval(watchdog); reject(err) })
  })
}

const results = []
const failures = []
mkdirSync(args.out, { recursive: true })

for (const name of inProcess) {
  const started = Date.now()
  let done = 0
  let chunkSeed = seed
  while (done < perTarget) {
    const runs = Math.min(chunk, perTarget - done)
    const outcome = await runChunk(name, chunkSeed, runs)
    done += outcome.failure === null ? runs : outcome.runs
    if (outcome.failure !== null) {
      failures.push(outcome.failure)
      const file = join(args.out, `${name}-seed${chunkSeed}.txt`)
      writeFileSync(file, `${outcome.failure.message}\nseed ${outcome.failure.seed} path ${outcome.failure.path}\n${outcome.failure.input}\n`)
      console.log(`${name}: FAILURE (seed ${chunkSeed}) written to ${file}: ${outcome.failure.message.slice(0, 300)}`)
    }
    chunkSeed++
    const s = (Date.now() - started) / 1000
    process.stdout.write(`\r${name}: ${done}/${perTarget} inputs, ${(done / s).toFixed(0)}/s   `)
  }
  const seconds = (Date.now() - started) / 1000
  console.log(`\r${name}: ${done} inputs in ${seconds.toFixed(1)} s, ${(done / seconds).toFixed(0)} inputs/s, seeds ${seed}..${chunkSeed - 1}`)
  results.push({ target: name, inputs: done, seconds })
}

// ---- the network target ----

if (targets.includes('network')) {
  const { startBrokerProcess } = await import(join(root, 'packages/testkit/dist/src/index.js'))
  const { runNetworkFuzz } = await import(join(root, 'packages/testkit/dist/test/fuzz/network-fuzz.js'))
  const { startWellBehaved } = await import(join(root, 'packages/testkit/dist/test/fuzz/well-behaved.js'))
  const broker = await startBrokerProcess({ overrides: { 'group.initial.rebalance.delay.ms': '0' }, startTimeoutMs: 120_000 })
  let exited = null
  void broker.exited.then((code) => { exited = code })
  const started = Date.now()
  try {
    const good = await startWellBehaved(broker.bootstrap, 'fuzz-good')
    const connections = Number(args.connections)
    const report = await runNetworkFuzz({
      host: broker.host, port: broker.port, seed, connections, concurrency: 16, answerTimeoutMs: 60_000,
      onCase: (i) => {
        if (exited !== null) throw new Error(`the broker exited with ${String(exited)} at connection ${i}:\n${broker.logs()}`)
        if (i % 500 === 0) process.stdout.write(`\rnetwork: ${i}/${connections} connections   `)
      }
    })
    const served = await good.finish(60_000)
    const seconds = (Date.now() - started) / 1000
    console.log(`\rnetwork: ${report.connections} connections, ${report.frames} frames in ${seconds.toFixed(1)} s (${(report.frames / seconds).toFixed(0)} frames/s): ${JSON.stringify(report.outcomes)}`)
    console.log(`network: well-behaved client: ${served.acknowledged} records acknowledged, ${served.consumed} consumed, errors: ${served.errors.length === 0 ? 'none' : served.errors.join('; ')}`)
    console.log(`network: broker ${exited === null ? 'alive' : `exited with ${String(exited)}`}`)
    for (const f of report.failures) {
      failures.push({ message: `network ${f.outcome} (seed ${seed}, connection ${f.index}): ${f.detail}`, input: f.frames.join(' ') })
      const file = join(args.out, `network-seed${seed}-${f.index}.txt`)
      writeFileSync(file, `${f.outcome} ${f.detail}\n${f.frames.join('\n')}\n`)
      console.log(`network: FAILURE ${f.outcome} at connection ${f.index} written to ${file}`)
    }
    if (served.errors.length > 0 || exited !== null) failures.push({ message: 'network: well-behaved client failed or broker exited', input: '' })
    results.push({ target: 'network', inputs: report.frames, seconds })
  } finally {
    await broker.stop()
  }
}

const total = results.reduce((n, r) => n + r.inputs, 0)
const seconds = results.reduce((n, r) => n + r.seconds, 0)
console.log(`total: ${total} inputs in ${seconds.toFixed(0)} s (${(total / seconds).toFixed(0)}/s), ${failures.length} failure(s); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`)
process.exitCode = failures.length === 0 ? 0 : 1
