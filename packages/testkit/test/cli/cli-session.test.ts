// A scripted operator session with the real `brook` binary against an in-process broker:
// create, produce 100,000 lines with keys and headers, consume them with a format template,
// consume as a group and see lag 0, delete. (cli-produce-kcat reads brook's records with kcat.)
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startTestBroker, tempDir, type TempDir, type TestBroker } from '@brook/testkit'
import { brook, brookJson, brookOk } from './brook.js'

let broker: TestBroker
let dir: TempDir
let b: string[]

before(async () => {
  broker = await startTestBroker({ 'num.partitions': '1' })
  dir = await tempDir('brook-cli-session-')
  b = ['-b', broker.bootstrap]
})
after(async () => {
  await broker.close()
  await dir.cleanup()
})

const LINES = 100_000

test('create, produce 100,000 keyed lines with headers, read back with a template, group lag 0, delete', { timeout: 300_000 }, async () => {
  const created = await brookOk(['topic', 'create', 'session', '-p', '3', '-c', 'retention.ms=86400000', ...b])
  assert.equal(created.out, 'TOPIC    STATUS\nsession  OK\n')
  const again = await brook(['topic', 'create', 'session', ...b])
  assert.equal(again.code, 1)
  assert.equal(again.stderr.trim().split('\n').length, 1)
  assert.match(again.stderr, /^brook: TOPIC_ALREADY_EXISTS \(36\)/)
  assert.equal((await brook(['topic', 'create', 'session', '--if-not-exists', ...b])).code, 0)

  // Lines: headers, TAB, key, TAB, value.
  const file = join(dir.path, 'lines.txt')
  const lines: string[] = []
  for (let i = 0; i < LINES; i++) lines.push(`n:${i},src:cli\tkey-${i % 100}\tvalue-${i}`)
  await writeFile(file, lines.join('\n') + '\n')
  const produced = await brookJson<Array<{ topic: string, records: number }>>(['topic', 'produce', 'session', '-F', file, '--headers-delimiter', '\\t', '-K', '\\t', '-z', 'lz4', ...b], { timeoutMs: 180_000 })
  assert.deepEqual(produced.map((p) => [p.topic, p.records]), [['session', LINES]])

  // brook reads it back as a group member, with a template, to the end of every partition.
  const consumed = await brookOk(['topic', 'consume', 'session', '-g', 'session-readers', '-e', '-f', '%k|%s|%h\\n', ...b], { timeoutMs: 180_000 })
  const out = consumed.out.split('\n').filter((l) => l !== '')
  assert.equal(out.length, LINES)
  assert.deepEqual(new Set(out), new Set(lines.map((l) => {
    const [headers, key, value] = l.split('\t')
    return `${key}|${value}|${(headers ?? '').replace(/:/g, '=')}`
  })))

  // The group's lag is 0 on every partition.
  const [described] = await brookJson<Array<{ state: string, totalLag: number, partitions: Array<{ partition: number, currentOffset: number, logEndOffset: number, lag: number }> }>>(['group', 'describe', 'session-readers', ...b])
  assert.ok(described !== undefined)
  assert.equal(described.totalLag, 0)
  assert.equal(described.partitions.length, 3)
  assert.equal(described.partitions.reduce((s, p) => s + p.logEndOffset, 0), LINES)
  for (const p of described.partitions) assert.equal(p.lag, 0)
  const table = await brookOk(['group', 'describe', 'session-readers', ...b])
  assert.match(table.out, /^total lag: +0$/m)
  assert.match(table.out, /TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG/)

  await brookOk(['group', 'delete', 'session-readers', ...b])
  assert.deepEqual(await brookJson<unknown[]>(['group', 'list', ...b]), [])
  await brookOk(['topic', 'delete', 'session', ...b])
  assert.deepEqual(await brookJson<unknown[]>(['topic', 'list', ...b]), [])
})
