// Every command of the brook CLI has --help with an example. The test walks the command tree
// from `brook --help` down by parsing each help text's command list (in-process: dozens of
// process starts are slow on a loaded machine; the binary's own --help is checked in
// testkit's cli tests), so a verb added without examples fails here.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CommanderError } from 'commander'
import { buildProgram } from '../src/program.js'

async function helpOf (path: string[]): Promise<string> {
  let out = ''
  const program = buildProgram(() => {})
  const capture = (cmd: ReturnType<typeof buildProgram>): void => {
    cmd.configureOutput({ writeOut: (s) => { out += s }, writeErr: (s) => { out += s } })
    for (const sub of cmd.commands) capture(sub)
  }
  capture(program)
  await assert.rejects(program.parseAsync([...path, '--help'], { from: 'user' }), (err: unknown) => err instanceof CommanderError && err.code === 'commander.helpDisplayed')
  return out
}

function subcommands (help: string): string[] {
  const section = /\nCommands:\n([\s\S]*?)(\n\n|$)/.exec(help)?.[1] ?? ''
  return section.split('\n')
    .filter((line) => /^ {2}\S/.test(line))
    .map((line) => line.trim().split(/[\s|]/)[0] ?? '')
    .filter((name) => name !== '' && name !== 'help')
}

test('brook --help and every command\'s --help show an example', { timeout: 30_000 }, async () => {
  const seen: string[] = []
  const walk = async (path: string[]): Promise<void> => {
    const help = await helpOf(path)
    assert.match(help, /^Usage: brook/m, path.join(' '))
    assert.match(help, /\nExamples:\n {2}\$ .*\bbrook /, `brook ${path.join(' ')} --help has no example`)
    seen.push(path.join(' '))
    for (const name of subcommands(help)) await walk([...path, name])
  }
  await walk([])
  for (const expected of ['start', 'topic create', 'topic list', 'topic describe', 'topic delete', 'topic alter-config', 'topic add-partitions',
    'topic produce', 'topic consume', 'group list', 'group describe', 'group delete', 'group seek', 'cluster info', 'cluster health',
    'config get', 'config set', 'user create', 'user list', 'user delete', 'acl create', 'acl list', 'acl delete', 'quota set', 'quota delete', 'quota describe',
    'share-group list', 'share-group describe', 'share-group offsets', 'share-group reset-offsets', 'share-group delete', 'version']) {
    assert.ok(seen.includes(expected), `the walk did not reach ${expected}: ${seen.join(', ')}`)
  }
})
