// The brook binary's help, usage errors and version (the walk of every command's --help is
// packages/cli/test/help.test.ts, in-process).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { brook } from './brook.js'

test('the binary\'s --help exits 0 with examples, for the program and a verb', { timeout: 60_000 }, async () => {
  for (const path of [[], ['topic', 'consume']]) {
    const r = await brook([...path, '--help'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.out, /^Usage: brook/m)
    assert.match(r.out, /\nExamples:\n {2}\$ .*\bbrook /)
  }
})

test('usage errors exit 2 with one line; the version prints', { timeout: 60_000 }, async () => {
  const noCommand = await brook([])
  assert.equal(noCommand.code, 2)
  const unknown = await brook(['topic', 'frobnicate'])
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /unknown command 'frobnicate'/)
  const badFlag = await brook(['topic', 'create', 'x', '--partitions', 'many'])
  assert.equal(badFlag.code, 2)
  assert.equal(badFlag.stderr.trim().split('\n').length, 1, badFlag.stderr)
  assert.match(badFlag.stderr, /--partitions must be an integer/)
  const version = await brook(['version'])
  assert.equal(version.code, 0)
  assert.match(version.out, /^\d+\.\d+\.\d+\n$/)
})
