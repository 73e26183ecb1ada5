#!/usr/bin/env node
// Runs every compiled test (packages/*/dist/test/**/*.test.js) with node's built-in runner.
// Node 20 has no type stripping, so tests run from tsc output; `npm test` builds first.
// Optional arguments filter by substring of the path: `node scripts/run-tests.mjs storage/`.
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { spawnSync } from 'node:child_process'

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
const concurrency = process.env.BROOK_TEST_CONCURRENCY ?? '2'
const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...selected], {
  cwd: root, stdio: 'inherit'
})
process.exit(result.status ?? 1)
