// Every command of the brook CLI has --help with an example: the test walks the tree from
// `brook --help` down, so a verb added without examples fails here.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { brook } from './brook.js'

function subcommands (help: string): string[] {
  const section = /\nCommands:\n([\s\S]*?)(\n\n|$)/.exec(help)?.[1] ?? ''
  return section.split('\n')
    .filter((line) => /^ {2}\S/.test(line))
    .map((line) => line.trim().split(/[\s|]/)[0] ?? '')
    .filter((name) => name !== '' && name !== 'help')
}

test('brook --help and every command\'s --help run, exit 0 and show an example', { timeout: 300_000 }, async () => {
  const seen: string[] = []
  const walk = async (path: string[]): Promise<void> => {
    const r = await brook([...path, '--help'])
    assert.equal(r.code, 0, `brook ${path.join(' ')} --help: ${r.stderr}`)
    assert.match(r.out, /^Usage: brook/m, path.join(' '))
    assert.match(r.out, /\nExamples:\n {2}\$ .*\bbrook /, `brook ${path.join(' ')} --help has no example`)
    seen.push(path.join(' '))
    // Siblings in parallel: each is a process start, and a loaded machine makes them slow.
    await Promise.all(subcommands(r.out).map((name) => walk([...path, name])))
  }
  await walk([])
  for (const expected of ['start', 'topic create', 'topic list', 'topic describe', 'topic delete', 'topic alter-config', 'topic add-partitions',
    'topic produce', 'topic consume', 'group list', 'group describe', 'group delete', 'group seek', 'cluster info', 'cluster health',
    'config get', 'config set', 'version']) {
    assert.ok(seen.includes(expected), `the walk did not reach ${expected}: ${seen.join(', ')}`)
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
