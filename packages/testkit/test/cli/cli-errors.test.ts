// How brook fails, and what it draws: one-line errors with distinct exit codes for a wrong
// address, an unknown topic and a bad config file; the produce progress line on a terminal only.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runCommand, startTestBroker, tempDir, type TempDir, type TestBroker } from '@brook/testkit'
import { brook, BROOK_BIN, brookOk } from './brook.js'

let broker: TestBroker
let dir: TempDir

before(async () => {
  broker = await startTestBroker()
  dir = await tempDir('brook-cli-errors-')
})
after(async () => {
  await broker.close()
  await dir.cleanup()
})

async function properties (name: string, lines: string[]): Promise<string> {
  const file = join(dir.path, name)
  await writeFile(file, lines.join('\n') + '\n')
  return file
}

test('a wrong address, an unknown topic and a bad config file: one line on stderr, distinct exit codes, no stack trace', { timeout: 60_000 }, async () => {
  const unreachable = await brook(['topic', 'list', '-b', '127.0.0.1:1'])
  assert.equal(unreachable.code, 3)
  assert.equal(unreachable.stderr.trim().split('\n').length, 1, unreachable.stderr)
  assert.match(unreachable.stderr, /^brook: cannot reach the cluster: 127\.0\.0\.1:1/)

  const b = ['-b', broker.bootstrap]
  for (const args of [['topic', 'describe', 'nope'], ['topic', 'consume', 'nope', '-e'], ['topic', 'delete', 'nope']]) {
    const r = await brook([...args, ...b], { input: 'x\n' })
    assert.equal(r.code, 1, args.join(' '))
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.match(r.stderr, /^brook: UNKNOWN_TOPIC_OR_PARTITION \(3\)/, args.join(' '))
  }
  const produce = await brook(['topic', 'produce', 'nope', ...b], { input: 'x\n' })
  assert.equal(produce.code, 1)
  assert.match(produce.stderr, /^brook: UNKNOWN_TOPIC_OR_PARTITION \(3\)/)

  const missingFile = await brook(['topic', 'list', '--command-config', join(dir.path, 'absent.properties')])
  assert.equal(missingFile.code, 2)
  assert.match(missingFile.stderr, /^brook: cannot read the client config file/)
  const badProtocol = await brook(['topic', 'list', '--command-config', await properties('proto.properties', ['security.protocol=CARRIER_PIGEON'])])
  assert.equal(badProtocol.code, 2)
  assert.match(badProtocol.stderr, /security\.protocol CARRIER_PIGEON/)
  for (const r of [unreachable, produce, missingFile, badProtocol]) assert.doesNotMatch(r.stderr, /\n\s+at /)
})

test('a long produce shows a progress line with the rate on a terminal, and none when piped', { timeout: 120_000 }, async () => {
  const b = ['-b', broker.bootstrap]
  await brookOk(['topic', 'create', 'progress', ...b])
  const file = join(dir.path, 'many.txt')
  await writeFile(file, Array.from({ length: 50_000 }, (_, i) => `line-${i}`).join('\n') + '\n')

  // script(1) gives the command a pseudo-terminal for stdout and stderr.
  const command = [process.execPath, BROOK_BIN, 'topic', 'produce', 'progress', '-F', file, ...b].map((a) => `'${a}'`).join(' ')
  const onTty = await runCommand('script', ['-qec', command, '/dev/null'], { timeoutMs: 90_000 })
  const tty = onTty.stdout.toString('utf8')
  assert.equal(onTty.code, 0, tty + onTty.stderr)
  assert.match(tty, /produced \d+ records \| \d+ records\/s/)
  assert.match(tty, /100% \| produced 50000 records/)

  const piped = await brookOk(['topic', 'produce', 'progress', '-F', file, ...b])
  assert.doesNotMatch(piped.stderr, /records\/s/)
  assert.equal(piped.stderr, '')
  assert.match(piped.out, /^TOPIC +RECORDS +SECONDS +RECORDS\/S\nprogress +50000 /)
})
