#!/usr/bin/env node
// Runs every compiled test (packages/*/dist/test/**/*.test.js) with node's built-in runner.
// Node 20 has no type stripping, so tests run from tsc output; `npm test` builds first.
// Optional arguments filter by substring of the path: `node scripts/run-tests.mjs storage/`.
//
// Time limits, so that a hang fails the run instead of stalling it:
// - BROOK_TEST_TIMEOUT_MS (default 180000) goes to node's --test-timeout. Node 22+ applies it to
//   every test that sets no timeout of its own; Node 20 applies it to each test file as a whole.
// - BROOK_TEST_RUN_TIMEOUT_MS (default 1200000) bounds the whole run: past it the runner and every
//   test process are killed and the run fails. Node 22+ waits forever for a file whose process
//   stays alive after its tests (a leaked socket or timer), so this bound is the only one there.
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { spawn } from 'node:child_process'

const root = new URL('..', import.meta.url).pathname
const filters = process.argv.slice(2)

function walk (dir, out) {
  let entries
  try { entries = readdirSync(dir) } catch (err) {
    if (err.code === 'ENOENT') return out
    throw err
  }
  for (const name of entries) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path, out)
    else if (name.endsWith('.test.js')) out.push(path)
  }
  return out
}

const files = []
for (const pkg of readdirSync(join(root, 'packages'))) walk(join(root, 'packages', pkg, 'dist', 'test'), files)
const selected = files
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort()
if (selected.length === 0) {
  console.error('no test files matched')
  process.exit(1)
}

function positiveInt (name, fallback) {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value <= 0) {
    console.error(`${name} must be a positive integer (milliseconds or a count), got ${JSON.stringify(raw)}`)
    process.exit(2)
  }
  return value
}

const concurrency = positiveInt('BROOK_TEST_CONCURRENCY', 2)
const testTimeout = positiveInt('BROOK_TEST_TIMEOUT_MS', 180_000)
const runTimeout = positiveInt('BROOK_TEST_RUN_TIMEOUT_MS', 1_200_000)

// Its own process group, so that a timeout or an interrupt can end the test processes with it.
const runner = spawn(process.execPath, [
  '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${testTimeout}`, ...selected
], { cwd: root, stdio: 'inherit', detached: true })

let stopping = false
function stop (signal) {
  if (stopping) return
  stopping = true
  const group = runner.pid
  if (group === undefined) return // never started: the 'error' handler reports it
  try { process.kill(-group, signal) } catch (err) {
    if (err.code !== 'ESRCH') throw err // ESRCH: the group has already exited
  }
  // Whatever ignores the first signal is killed shortly after.
  setTimeout(() => {
    try { process.kill(-group, 'SIGKILL') } catch (err) {
      if (err.code !== 'ESRCH') throw err
    }
  }, 5_000).unref()
}

const watchdog = setTimeout(() => {
  console.error(`\ntest run exceeded BROOK_TEST_RUN_TIMEOUT_MS=${runTimeout}; killing it`)
  stop('SIGTERM')
}, runTimeout)
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { stop(signal) })

runner.on('error', (err) => {
  console.error(`cannot start the test runner: ${err.message}`)
  process.exit(1)
})
runner.on('exit', (code, signal) => {
  clearTimeout(watchdog)
  process.exit(stopping || signal !== null ? 1 : (code ?? 1))
})
