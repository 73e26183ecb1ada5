// kcat (librdkafka 2.0) against an in-process broker: 100,000 keyed messages with headers into a
// 3-partition topic, one kcat run per compression codec, then read back from the beginning with
// a byte-exact format (%K/%S give key and value lengths, so no delimiter can be misread).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { assertSucceeded, runKcat, startTestBroker, tempDir } from '@brook/testkit'

const TOTAL = 100_000
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const
const PER_RUN = TOTAL / CODECS.length

function keyOf (id: number): string {
  return `key-${id % 997}`
}

// Unique, verifiable and of varying length (0..63 bytes of filler); never contains \n or \t.
function valueOf (id: number): string {
  const filler = ((id * 2654435761) >>> 0).toString(36).repeat(8).slice(0, id % 64)
  return `value-${id}:${filler}`
}

interface Consumed {
  partition: number
  offset: number
  key: Buffer
  value: Buffer
  headers: string
}

// Parses lines of "%p\t%o\t%K\t%S\t%k%s\t%h\n": the lengths come before the bytes they measure.
function parseKcatOutput (out: Buffer): Consumed[] {
  const records: Consumed[] = []
  let at = 0
  const field = (end: number): string => {
    const stop = out.indexOf(end, at)
    assert.ok(stop >= 0, `truncated kcat output at byte ${at}`)
    const text = out.toString('utf8', at, stop)
    at = stop + 1
    return text
  }
  while (at < out.length) {
    const partition = Number(field(0x09))
    const offset = Number(field(0x09))
    const keyLength = Number(field(0x09))
    const valueLength = Number(field(0x09))
    const key = out.subarray(at, at + keyLength)
    at += keyLength
    const value = out.subarray(at, at + valueLength)
    at += valueLength
    assert.equal(out[at], 0x09, `expected a tab after the value at byte ${at}`)
    at += 1
    const headers = field(0x0a)
    records.push({ partition, offset, key, value, headers })
  }
  return records
}

test('kcat: 100,000 keyed messages with headers round-trip through a 3-partition topic', { timeout: 180_000 }, async () => {
  const broker = await startTestBroker({ 'num.partitions': '3', 'auto.create.topics.enable': 'true' })
  const work = await tempDir('brook-kcat-')
  const topic = 'kcat-100k'
  try {
    for (const [run, codec] of CODECS.entries()) {
      const lines: string[] = []
      for (let id = run * PER_RUN; id < (run + 1) * PER_RUN; id++) lines.push(`${keyOf(id)}\t${valueOf(id)}`)
      const file = join(work.path, `run-${run}.txt`)
      await writeFile(file, lines.join('\n') + '\n')
      assertSucceeded(`kcat -P (${codec})`, await runKcat([
        '-P', '-b', broker.bootstrap, '-t', topic, '-K', '\\t', '-l',
        '-H', `run=${run}`, '-H', `codec=${codec}`,
        '-X', `compression.codec=${codec}`, '-X', 'acks=all', '-m', '10',
        file
      ], { timeoutMs: 60_000 }))
    }

    const consumed = assertSucceeded('kcat -C', await runKcat([
      '-C', '-b', broker.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-m', '10',
      '-f', '%p\\t%o\\t%K\\t%S\\t%k%s\\t%h\\n'
    ], { timeoutMs: 60_000 }))
    const records = parseKcatOutput(consumed.stdout)
    assert.equal(records.length, TOTAL, 'every message comes back exactly once')

    const seen = new Set<number>()
    const partitionOfKey = new Map<string, number>()
    const lastIdOf = new Map<number, number>()
    const nextOffsetOf = new Map<number, number>()
    for (const r of records) {
      const match = /^value-(\d+):/.exec(r.value.toString('latin1'))
      assert.ok(match !== null, `unrecognised value at ${r.partition}/${r.offset}`)
      const id = Number(match[1])
      assert.ok(!seen.has(id), `message ${id} came back twice`)
      seen.add(id)
      assert.ok(r.value.equals(Buffer.from(valueOf(id))), `value of message ${id} differs`)
      assert.ok(r.key.equals(Buffer.from(keyOf(id))), `key of message ${id} differs`)
      const run = Math.floor(id / PER_RUN)
      assert.equal(r.headers, `run=${run},codec=${CODECS[run]}`, `headers of message ${id}`)

      // kcat reads each partition in offset order; offsets start at 0 and have no gaps.
      assert.equal(r.offset, nextOffsetOf.get(r.partition) ?? 0, `offset gap in partition ${r.partition}`)
      nextOffsetOf.set(r.partition, r.offset + 1)
      const previous = lastIdOf.get(r.partition) ?? -1
      assert.ok(id > previous, `partition ${r.partition}: message ${id} after ${previous}`)
      lastIdOf.set(r.partition, id)

      const key = keyOf(id)
      const partition = partitionOfKey.get(key) ?? r.partition
      assert.equal(r.partition, partition, `key ${key} in partitions ${partition} and ${r.partition}`)
      partitionOfKey.set(key, partition)
    }
    assert.deepEqual([...nextOffsetOf.keys()].sort(), [0, 1, 2], 'messages land in all 3 partitions')
  } finally {
    await work.cleanup()
    await broker.close()
  }
})
