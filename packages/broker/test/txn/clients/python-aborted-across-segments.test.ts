// A large aborted transaction spanning many small segments: its data lies in segments before the
// one holding its abort marker, so each read_committed fetch of a data segment must still be told
// about the transaction. A librdkafka consumer (confluent-kafka-python) in read_committed mode
// then drops all of it and still sees the committed records on both sides.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { startBroker } from '../../../src/broker.js'
import { runPython } from './processes.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
const TOPIC = 'big-abort'
const ABORTED_SENDS = 30
const PER_SEND = 30

test('read_committed librdkafka consumer drops an aborted transaction whose marker is segments after its data', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brook-big-abort-'))
  const broker = await startBroker({ config: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir } })
  try {
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '4096' }] }] })
    await admin.disconnect()
    const producer = kafka.producer({ transactionalId: 'big-abort-tx', idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const send = async (prefix: string, count: number, commit: boolean): Promise<void> => {
      const txn = await producer.transaction()
      await txn.send({ topic: TOPIC, messages: Array.from({ length: count }, (_v, i) => ({ value: `${prefix}-${i}-${'x'.repeat(40)}` })) })
      if (commit) await txn.commit()
      else await txn.abort()
    }
    await send('before', 20, true)
    const aborted = await producer.transaction()
    for (let s = 0; s < ABORTED_SENDS; s++) {
      await aborted.send({ topic: TOPIC, messages: Array.from({ length: PER_SEND }, (_v, i) => ({ value: `aborted-${s}-${i}-${'y'.repeat(40)}` })) })
    }
    await aborted.abort()
    await send('after', 20, true)
    await producer.disconnect()

    const segments = (await readdir(join(dir, `${TOPIC}-0`))).filter((f) => f.endsWith('.log')).length
    assert.ok(segments > 5, `the aborted transaction spans many segments (${segments})`)

    const read = async (isolation: string): Promise<string[]> =>
      (JSON.parse(await runPython('read_topic.py', [broker.bootstrap, TOPIC, isolation], 60_000)) as Record<string, string[]>)['0'] ?? []
    const committed = await read('read_committed')
    assert.deepEqual(committed.filter((v) => v.startsWith('aborted-')).length, 0, 'no aborted record reaches a read_committed consumer')
    assert.deepEqual(committed.map((v) => v.split('-').slice(0, 2).join('-')),
      [...Array.from({ length: 20 }, (_v, i) => `before-${i}`), ...Array.from({ length: 20 }, (_v, i) => `after-${i}`)])
    const uncommitted = await read('read_uncommitted')
    assert.equal(uncommitted.length, 20 + ABORTED_SENDS * PER_SEND + 20, 'read_uncommitted sees the aborted records too')
  } finally {
    await broker.close()
    await rm(dir, { recursive: true, force: true })
  }
})
