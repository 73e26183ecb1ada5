// What `brook topic produce` writes, read by kcat (librdkafka): every record once, keys and
// headers from each line, lz4 batches, and keyed records placed by murmur2 (one partition a key).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { kcatConsumeAll, startTestBroker, tempDir, type TempDir, type TestBroker } from '@brook/testkit'
import { brookJson, brookOk } from './brook.js'

let broker: TestBroker
let dir: TempDir

before(async () => {
  broker = await startTestBroker()
  dir = await tempDir('brook-cli-kcat-')
})
after(async () => {
  await broker.close()
  await dir.cleanup()
})

const LINES = 20_000

test('kcat reads what brook produced from a file with keys and headers', { timeout: 100_000 }, async () => {
  const b = ['-b', broker.bootstrap]
  await brookOk(['topic', 'create', 'session', '-p', '3', ...b])
  const file = join(dir.path, 'lines.txt')
  const lines: string[] = []
  for (let i = 0; i < LINES; i++) lines.push(`n:${i},src:cli\tkey-${i % 100}\tvalue-${i}`)
  await writeFile(file, lines.join('\n') + '\n')
  const produced = await brookJson<Array<{ topic: string, records: number }>>(['topic', 'produce', 'session', '-F', file, '--headers-delimiter', '\\t', '-K', '\\t', '-z', 'lz4', ...b], { timeoutMs: 90_000 })
  assert.deepEqual(produced.map((p) => [p.topic, p.records]), [['session', LINES]])

  // kcat reads what brook wrote: every value once, with its key and headers.
  const read = await kcatConsumeAll(broker.bootstrap, 'session', 90_000)
  assert.equal(read.length, LINES)
  const byValue = new Map(read.map((m) => [m.payload, m]))
  for (const i of [0, 1, 99, 12_345, LINES - 1]) {
    const m = byValue.get(`value-${i}`)
    assert.ok(m !== undefined, `value-${i} missing`)
    assert.equal(m.key, `key-${i % 100}`)
    assert.deepEqual(m.headers, ['n', String(i), 'src', 'cli'])
  }
  assert.equal(byValue.size, LINES)
  // Keyed records land on the partition murmur2 picks, so one key stays on one partition.
  const partitionsOfKey = new Map<string, Set<number>>()
  for (const m of read) partitionsOfKey.set(m.key ?? '', (partitionsOfKey.get(m.key ?? '') ?? new Set()).add(m.partition))
  for (const [key, set] of partitionsOfKey) assert.equal(set.size, 1, `${key} on partitions ${[...set].join(',')}`)
})
