#!/usr/bin/env node
// The brook CLI against kcat on the same work, wall-clock time of the whole command (start-up
// included, as a user sees it), against one Brook broker (a child process):
//   produce: N lines of 100 B from a file into a 1-partition topic, acks=all, no compression
//            (`brook topic produce -F` and `kcat -P -l`; both wait for every delivery);
//   consume: that topic from the beginning to its end into /dev/null
//            (`brook topic consume -e` and `kcat -C -e`), each reading the topic kcat wrote.
// With --runs N each phase runs N times per tool and the median is printed.
// Figures are ratios on a shared machine: read them as such.
//
// Usage: npm run build && node bench/cli-bench.mjs [--count N] [--runs N]
import { spawn } from 'node:child_process'
import { openSync, closeSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const args = process.argv.slice(2)
const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const count = Number(arg('--count', '1000000'))
const runs = Number(arg('--runs', '1'))
const BROOK = fileURLToPath(new URL('../packages/cli/bin/brook.js', import.meta.url))

function timed (command, argv, { stdoutFile } = {}) {
  return new Promise((resolve, reject) => {
    const out = stdoutFile === undefined ? 'ignore' : openSync(stdoutFile, 'w')
    const started = process.hrtime.bigint()
    const child = spawn(command, argv, { stdio: ['ignore', out, 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d) => { stderr += d })
    child.on('error', reject)
    child.on('close', (code) => {
      if (typeof out === 'number') closeSync(out)
      if (code !== 0) reject(new Error(`${command} ${argv.join(' ')} exited ${code}: ${stderr}`))
      else resolve(Number(process.hrtime.bigint() - started) / 1e9)
    })
  })
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const dir = mkdtempSync(join(tmpdir(), 'brook-cli-bench-'))
const file = join(dir, 'lines.txt')
const line = (i) => `${String(i).padStart(10, '0')}-${'x'.repeat(88)}`
const lines = []
for (let i = 0; i < count; i++) lines.push(line(i))
writeFileSync(file, lines.join('\n') + '\n')

const { startBrokerProcess } = await import('@brook/testkit')
const broker = await startBrokerProcess()
const b = broker.bootstrap
const results = []
try {
  const brook = (...a) => timed(process.execPath, [BROOK, ...a])
  for (let run = 0; run < runs; run++) {
    for (const t of [`brook-${run}`, `kcat-${run}`]) await brook('topic', 'create', t, '-p', '1', '-b', b)
  }
  const phases = {
    'produce brook': (run) => brook('topic', 'produce', `brook-${run}`, '-F', file, '--no-progress', '-b', b),
    'produce kcat': (run) => timed('kcat', ['-P', '-b', b, '-t', `kcat-${run}`, '-X', 'acks=all', '-l', file]),
    'consume brook': (run) => timed(process.execPath, [BROOK, 'topic', 'consume', `kcat-${run}`, '-e', '-b', b], { stdoutFile: '/dev/null' }),
    'consume kcat': (run) => timed('kcat', ['-C', '-b', b, '-t', `kcat-${run}`, '-o', 'beginning', '-e', '-q'], { stdoutFile: '/dev/null' })
  }
  for (const [name, phase] of Object.entries(phases)) {
    const samples = []
    for (let run = 0; run < runs; run++) samples.push(await phase(run))
    const seconds = median(samples)
    results.push({ name, seconds })
    console.log(`${name.padEnd(14)} ${Math.round(count / seconds).toLocaleString('en-US').padStart(10)} records/s  ${seconds.toFixed(2)} s${runs > 1 ? ` (median of ${runs})` : ''}`)
  }
  const s = Object.fromEntries(results.map((r) => [r.name, r.seconds]))
  console.log(`brook / kcat time: produce ${(s['produce brook'] / s['produce kcat']).toFixed(2)}, consume ${(s['consume brook'] / s['consume kcat']).toFixed(2)} (below 1: brook faster); load average ${loadavg()[0].toFixed(2)}`)
} finally {
  await broker.stop()
  rmSync(dir, { recursive: true, force: true })
}
