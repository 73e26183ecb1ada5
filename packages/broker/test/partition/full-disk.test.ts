// A full disk under a running broker (ENOSPC injected into the partition logs through the storage
// MemoryFileSystem): kafkajs, without retries, is answered KAFKA_STORAGE_ERROR, reads go on, and
// produce works again by itself once space is back (after the log's one-second backoff).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { MemoryFileSystem } from '@brook/storage'
import { startBroker } from '../../src/broker.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

/** The error type kafkajs reports (wrapped in a retries-exceeded error), or 'ok'. */
async function outcome (send: () => Promise<unknown>): Promise<string> {
  try {
    await send()
    return 'ok'
  } catch (err) {
    const e = err as { type?: string, cause?: { type?: string }, name: string }
    return e.type ?? e.cause?.type ?? e.name
  }
}

test('a full disk: produce gets KAFKA_STORAGE_ERROR, the topic stays readable, produce resumes by itself once space is back', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brook-full-disk-test-'))
  const fs = new MemoryFileSystem()
  const broker = await startBroker({ config: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir }, fileSystem: fs })
  const kafka = new Kafka({ clientId: 'full-disk', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } })
  const admin = kafka.admin()
  const producer = kafka.producer({ retry: { retries: 0 } })
  try {
    await admin.connect()
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'full', numPartitions: 1 }] })
    await producer.connect()
    const send = (value: string) => async () => await producer.send({ topic: 'full', acks: -1, messages: [{ value }] })
    assert.equal(await outcome(send('before')), 'ok')

    fs.failNextWrite({ code: 'ENOSPC', path: /\/full-0\/\d+\.log$/, times: Infinity })
    assert.equal(await outcome(send('refused')), 'KAFKA_STORAGE_ERROR')
    assert.equal(await outcome(send('refused again')), 'KAFKA_STORAGE_ERROR')
    const [offsets] = await admin.fetchTopicOffsets('full')
    assert.equal(offsets?.high, '1', 'nothing refused is in the log; what was there is served')

    fs.clearFaults()
    const deadline = Date.now() + 20_000
    let resumed = await outcome(send('after'))
    while (resumed !== 'ok' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      resumed = await outcome(send('after'))
    }
    assert.equal(resumed, 'ok', 'produce works again without a restart')
    const [end] = await admin.fetchTopicOffsets('full')
    assert.equal(end?.high, '2')
  } finally {
    await producer.disconnect()
    await admin.disconnect()
    await broker.close()
    await rm(dir, { recursive: true, force: true })
  }
})
