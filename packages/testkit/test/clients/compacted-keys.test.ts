// A topic with cleanup.policy=compact refuses records without a key with INVALID_RECORD, as
// Kafka does, and takes keyed ones: seen through kcat (librdkafka names error 87 "Broker failed
// to validate record") and kafkajs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { kcatConsumeAll, runKcat, startTestBroker } from '@brook/testkit'

const { Kafka, CompressionTypes, logLevel } = kafkajs

test('kcat: a keyless message to a compacted topic fails with INVALID_RECORD ("Broker failed to validate record"); keyed ones are stored', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker()
  try {
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'kcat-compacted', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] })
    await admin.disconnect()
    for (const codec of ['none', 'gzip']) {
      const keyless = await runKcat(['-P', '-b', broker.bootstrap, '-t', 'kcat-compacted', '-z', codec, '-X', 'message.send.max.retries=0'], { input: 'no key here\n', timeoutMs: 30_000 })
      assert.notEqual(keyless.code, 0, `kcat reports the failed delivery (${codec})`)
      assert.match(keyless.stderr, /Broker: Broker failed to validate record/, `${codec}: ${keyless.stderr}`)
    }
    const keyed = await runKcat(['-P', '-b', broker.bootstrap, '-t', 'kcat-compacted', '-K', ':', '-z', 'gzip'], { input: 'k1:v1\nk2:v2\n', timeoutMs: 30_000 })
    assert.equal(keyed.code, 0, keyed.stderr)
    const stored = await kcatConsumeAll(broker.bootstrap, 'kcat-compacted')
    assert.deepEqual(stored.map((m) => [m.offset, m.key, m.payload]), [[0, 'k1', 'v1'], [1, 'k2', 'v2']])
  } finally {
    await broker.close()
  }
})

test('kafkajs: a keyless send to a compacted topic is refused with INVALID_RECORD; keyed sends go through', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker()
  try {
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'kafkajs-compacted', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact,delete' }] }] })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    try {
      for (const compression of [CompressionTypes.None, CompressionTypes.GZIP]) {
        await assert.rejects(producer.send({ topic: 'kafkajs-compacted', compression, messages: [{ key: 'k', value: 'keyed' }, { value: 'keyless' }] }),
          (err: unknown) => {
            const cause = (err as { cause?: { type?: string } }).cause
            return (err as { type?: string }).type === 'INVALID_RECORD' || cause?.type === 'INVALID_RECORD'
          })
      }
      const sent = await producer.send({ topic: 'kafkajs-compacted', messages: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] })
      assert.deepEqual(sent.map((r) => [r.errorCode, r.baseOffset]), [[0, '0']], 'the refused batches left nothing behind')
    } finally {
      await producer.disconnect()
    }
  } finally {
    await broker.close()
  }
})
