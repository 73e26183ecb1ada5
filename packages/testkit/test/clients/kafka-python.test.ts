// kafka-python 2.0.2 (Debian's python3-kafka, a pure-Python client that picks its API versions from
// ApiVersions), run with /usr/bin/python3: admin create, keyed produce with headers (plain and gzip,
// acks=all), a consumer group from the earliest offset, commit, and a second member that finds
// nothing left. Its default partitioner is murmur2, as the Java client's: keys land where Brook's
// own partitionForKey says.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { partitionForKey } from '@brook/protocol'
import { assertSucceeded, fixturePath, runPython, startTestBroker } from '@brook/testkit'

interface Report {
  delivered: Array<{ id: number, partition: number, offset: number }>
  consumed: Array<{ partition: number, offset: number, key: string, value: string, headers: Array<[string, string]> }>
  committed: Record<string, number | null>
  leftover: number
}

const COUNT = 400
const PARTITIONS = 3

test('kafka-python: admin, keyed produce (plain and gzip), consumer group, commit', { timeout: 90_000 }, async () => {
  const broker = await startTestBroker()
  try {
    const run = assertSucceeded('kafka_python_roundtrip.py', await runPython(fixturePath('kafka_python_roundtrip.py'),
      [broker.bootstrap, 'kafka-python', String(PARTITIONS), String(COUNT), 'kafka-python-group'], { timeoutMs: 80_000 }))
    const report = JSON.parse(run.stdout.toString('utf8')) as Report

    assert.equal(report.delivered.length, COUNT)
    assert.equal(report.consumed.length, COUNT)
    const deliveredAt = new Map(report.delivered.map((d) => [`${d.partition}/${d.offset}`, d.id]))
    for (const m of report.consumed) {
      const id = Number(m.value.slice('value-'.length))
      assert.equal(deliveredAt.get(`${m.partition}/${m.offset}`), id, `message ${id} is where its delivery said`)
      assert.equal(m.key, `key-${id % 11}`)
      assert.equal(m.partition, partitionForKey(m.key, PARTITIONS), `key ${m.key} is placed by murmur2`)
      assert.deepEqual(m.headers, [['id', String(id)]])
    }
    const perPartition = new Map<number, number>()
    for (const m of report.consumed) perPartition.set(m.partition, (perPartition.get(m.partition) ?? 0) + 1)
    for (let p = 0; p < PARTITIONS; p++) assert.equal(report.committed[String(p)], perPartition.get(p) ?? 0, `partition ${p} committed at its end`)
    assert.equal(report.leftover, 0)
  } finally {
    await broker.close()
  }
})
