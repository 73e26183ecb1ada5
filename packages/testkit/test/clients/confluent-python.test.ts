// confluent-kafka-python (Debian's python3-confluent-kafka on librdkafka), run with
// /usr/bin/python3: create a topic, produce with keys, headers and explicit timestamps, consume by
// assign() without group commits, and look offsets up by timestamp.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { assertSucceeded, fixturePath, runPython, startTestBroker } from '@brook/testkit'

interface Report {
  delivered: Array<{ id: number, partition: number, offset: number }>
  consumed: Array<{
    partition: number
    offset: number
    key: string
    value: string
    timestamp: number
    timestampType: number
    headers: Array<[string, string | null]>
  }>
  lookups: Array<{ timestamp: number, partition: number, offset: number }>
}

const COUNT = 500
const PARTITIONS = 2
const BASE_TS = 1_700_000_000_000
// confluent_kafka.TIMESTAMP_CREATE_TIME
const CREATE_TIME = 1

test('confluent-kafka-python: produce with keys, headers, timestamps; consume by assignment; offsets_for_times', { timeout: 90_000 }, async () => {
  const broker = await startTestBroker()
  try {
    const run = assertSucceeded('confluent_roundtrip.py', await runPython(
      fixturePath('confluent_roundtrip.py'),
      [broker.bootstrap, 'python-roundtrip', String(PARTITIONS), String(COUNT), String(BASE_TS)],
      { timeoutMs: 80_000 }
    ))
    const report = JSON.parse(run.stdout.toString('utf8')) as Report

    assert.equal(report.delivered.length, COUNT)
    assert.equal(report.consumed.length, COUNT)
    const deliveredAt = new Map(report.delivered.map((d) => [`${d.partition}/${d.offset}`, d.id]))
    const keyPartition = new Map<string, number>()
    for (const m of report.consumed) {
      const id = Number(m.value.split(':')[1])
      assert.equal(deliveredAt.get(`${m.partition}/${m.offset}`), id, `message ${id} is where its delivery report said`)
      assert.equal(m.value, `value:${id}:${'x'.repeat(id % 13)}`)
      assert.equal(m.key, `key-${id % 7}`)
      assert.equal(m.timestamp, BASE_TS + 10 * id)
      assert.equal(m.timestampType, CREATE_TIME)
      assert.deepEqual(m.headers, [['id', String(id)], ['lang', 'python'], ['empty', '']])
      assert.equal(keyPartition.get(m.key) ?? m.partition, m.partition, `key ${m.key} stays in one partition`)
      keyPartition.set(m.key, m.partition)
    }

    // offsets_for_times: the first offset whose timestamp is >= the query, or -1 past the end.
    const partitions = new Map<number, Report['consumed']>()
    for (const m of report.consumed) partitions.set(m.partition, [...(partitions.get(m.partition) ?? []), m])
    assert.ok(report.lookups.length > PARTITIONS * 3)
    for (const lookup of report.lookups) {
      const messages = (partitions.get(lookup.partition) ?? []).sort((a, b) => a.offset - b.offset)
      const expected = messages.find((m) => m.timestamp >= lookup.timestamp)?.offset ?? -1
      assert.equal(lookup.offset, expected, `offsets_for_times(${lookup.timestamp}) on partition ${lookup.partition}`)
    }
  } finally {
    await broker.close()
  }
})

test('confluent-kafka-python: alter_configs on the broker resource; read-only broker configs are refused', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker()
  try {
    const run = assertSucceeded('confluent_broker_configs.py', await runPython(
      fixturePath('confluent_broker_configs.py'), [broker.bootstrap, String(broker.nodeId), 'python-dynamic'], { timeoutMs: 50_000 }))
    const report = JSON.parse(run.stdout.toString('utf8')) as {
      broker: Record<string, { value: string, source: number, read_only: boolean }>
      topic: Record<string, { value: string, source: number, read_only: boolean }>
      refusal: string | null
    }
    // confluent_kafka.admin.ConfigSource: DYNAMIC_BROKER_CONFIG = 2.
    assert.deepEqual(report.broker['log.retention.ms'], { value: '7200000', source: 2, read_only: false })
    assert.equal(report.broker['log.dirs']?.read_only, true)
    assert.deepEqual(report.topic['retention.ms'], { value: '7200000', source: 2, read_only: false })
    assert.equal(report.refusal, 'INVALID_REQUEST')
  } finally {
    await broker.close()
  }
})
