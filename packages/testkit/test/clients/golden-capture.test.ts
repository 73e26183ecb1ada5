// Golden bytes from real clients: each client talks to a broker through a capturing proxy (the
// broker advertises the proxy, so Metadata keeps clients on it). The first ApiVersions, Metadata,
// Produce and Fetch request of each client (and @platformatic/kafka's ListOffsets and
// TxnOffsetCommit, and librdkafka 2.15's InitProducerId, KIP-848 heartbeat and OffsetCommit, at the
// versions they pick from Brook's newer ranges) must decode and re-encode
// byte-for-byte with @brook/protocol. With BROOK_WRITE_GOLDEN=1 the frames are also written, with
// run-dependent values normalised (normaliseRequestFrame), as fixtures to
// packages/protocol/test/fixtures/golden/<client>-<api>-v<N>.hex (dev-only; review, then commit).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import kafkajs from 'kafkajs'
import { Consumer, Producer, stringDeserializers, stringSerializers, type Message } from '@platformatic/kafka'
import {
  assertSucceeded, ensurePromiseWithResolvers, fixturePath, kafkaJavascriptDir, loadKafkaJavascript, normaliseRequestFrame,
  roundTripRequestFrame, runCommand, runKcat, runPython, startCaptureProxy, startTestBroker, waitFor, type CapturedRequest
} from '@brook/testkit'

ensurePromiseWithResolvers()

const API_NAMES = new Map([
  [18, 'api-versions'], [3, 'metadata'], [0, 'produce'], [1, 'fetch'], [2, 'list-offsets'], [28, 'txn-offset-commit'],
  [22, 'init-producer-id'], [68, 'consumer-group-heartbeat'], [8, 'offset-commit']
])
const EVERY_CLIENT = [18, 3, 0, 1]
// What a client is driven to send beyond EVERY_CLIENT.
const EXTRA: Record<string, number[]> = { platformatic: [2, 28], rdkafka: [22, 68, 8] }
// Kept from every client whenever sent; the keys of librdkafka 2.15's extra calls only from it.
const KEPT_FROM_ALL = [18, 3, 0, 1, 2, 28]
const GOLDEN_DIR = fileURLToPath(new URL('../../../../protocol/test/fixtures/golden/', import.meta.url))

// First request per (api key, version) among the keys wanted of this client.
function firsts (client: string, requests: CapturedRequest[]): CapturedRequest[] {
  const wanted = new Set([...KEPT_FROM_ALL, ...(EXTRA[client] ?? [])])
  const seen = new Set<string>()
  return requests.filter((r) => {
    const id = `${r.apiKey}/${r.apiVersion}`
    if (!wanted.has(r.apiKey) || seen.has(id)) return false
    seen.add(id)
    return true
  })
}

type Driver = (bootstrap: string, topic: string) => Promise<void>

const drivers: Record<string, Driver> = {
  kcat: async (bootstrap, topic) => {
    assertSucceeded('kcat -P', await runKcat(['-P', '-b', bootstrap, '-t', topic, '-K', ':', '-m', '10'], { input: 'k:golden\n', timeoutMs: 20_000 }))
    assertSucceeded('kcat -C', await runKcat(['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-m', '10'], { timeoutMs: 20_000 }))
  },
  python: async (bootstrap, topic) => {
    assertSucceeded('confluent_roundtrip.py', await runPython(
      fixturePath('confluent_roundtrip.py'), [bootstrap, topic, '1', '3', '1700000000000'], { timeoutMs: 40_000 }
    ))
  },
  kafkajs: async (bootstrap, topic) => {
    const kafka = new kafkajs.Kafka({ clientId: 'golden', brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING })
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'golden', headers: { h: 'v' } }] })
    await producer.disconnect()
    // kafkajs fetches only inside a consumer group.
    const consumer = kafka.consumer({ groupId: 'golden', sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 200 })
    let got = 0
    await consumer.connect()
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      await consumer.run({ eachMessage: async () => { got++ } })
      await waitFor(() => got > 0, 15_000, { message: 'kafkajs consumed the message' })
    } finally {
      await consumer.disconnect()
    }
  },
  platformatic: async (bootstrap, topic) => {
    const producer = new Producer({ clientId: 'golden', bootstrapBrokers: [bootstrap], serializers: stringSerializers, autocreateTopics: true })
    const consumer = new Consumer({ clientId: 'golden', bootstrapBrokers: [bootstrap], groupId: 'golden-unused' })
    try {
      await producer.send({ messages: [{ topic, key: 'k', value: 'golden', headers: { h: 'v' } }] })
      const metadata = await consumer.metadata({ topics: [topic] })
      const id = metadata.topics.get(topic)?.id ?? ''
      await consumer.fetch({
        node: metadata.topics.get(topic)?.partitions[0]?.leader ?? 0,
        maxWaitTime: 100,
        topics: [{ topicId: id, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }]
      })
      await consumer.listOffsets({ topics: [topic] })
    } finally {
      await Promise.allSettled([producer.close(), consumer.close()])
    }
    await platformaticTransaction(bootstrap, topic)
  },
  rdkafka: async (bootstrap, topic) => {
    loadKafkaJavascript() // fails with the install script's name when librdkafka 2.15 is not built
    assertSucceeded('rdkafka_golden.mjs', await runCommand(process.execPath,
      [fixturePath('rdkafka_golden.mjs'), kafkaJavascriptDir(), bootstrap, topic], { timeoutMs: 60_000 }))
  }
}

/** Consume one message in a group and commit its offset inside a transaction (TxnOffsetCommit). */
async function platformaticTransaction (bootstrap: string, topic: string): Promise<void> {
  const producer = new Producer({
    clientId: 'golden', bootstrapBrokers: [bootstrap], serializers: stringSerializers, idempotent: true, transactionalId: 'golden-txn'
  })
  const consumer = new Consumer({
    clientId: 'golden', bootstrapBrokers: [bootstrap], groupId: 'golden-txn-group', deserializers: stringDeserializers, sessionTimeout: 6000, heartbeatInterval: 500
  })
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 200 })
    const first = await new Promise<Message<string, string, string, string>>((resolve, reject) => {
      stream.once('data', resolve)
      stream.once('error', reject)
    })
    const transaction = await producer.beginTransaction()
    await transaction.send({ messages: [{ topic, key: 'k', value: 'in-transaction' }] })
    await transaction.addConsumer(consumer)
    await transaction.addOffset(first)
    await transaction.commit()
    await stream.close()
  } finally {
    await Promise.allSettled([producer.close(), consumer.close()])
  }
}

test('golden capture: real clients\' requests round-trip through the codec', { timeout: 120_000 }, async () => {
  const proxy = await startCaptureProxy()
  const broker = await startTestBroker({
    'advertised.listeners': `PLAINTEXT://${proxy.bootstrap}`,
    'num.partitions': '1',
    // Kafka waits 3 s for more members before a new group's first rebalance; one is enough here.
    'group.initial.rebalance.delay.ms': '0'
  })
  proxy.setTarget(broker.host, broker.port)
  const write = process.env.BROOK_WRITE_GOLDEN === '1'
  const failures: string[] = []
  try {
    if (write) await mkdir(GOLDEN_DIR, { recursive: true })
    for (const [client, drive] of Object.entries(drivers)) {
      const from = proxy.requests.length
      await drive(proxy.bootstrap, `golden-${client}`)
      const captured = firsts(client, proxy.requests.slice(from))
      const apis = new Set(captured.map((r) => r.apiKey))
      for (const key of [...EVERY_CLIENT, ...(EXTRA[client] ?? [])]) {
        if (!apis.has(key)) failures.push(`${client} sent no ${API_NAMES.get(key)} request`)
      }
      for (const r of captured) {
        const name = `${client}-${API_NAMES.get(r.apiKey)}-v${r.apiVersion}`
        let stored = r.frame
        try {
          assert.ok(roundTripRequestFrame(r.frame).equals(r.frame), 're-encoded bytes differ')
          stored = normaliseRequestFrame(r.frame)
          assert.ok(roundTripRequestFrame(stored).equals(stored), 'normalised bytes do not round-trip')
        } catch (err) {
          failures.push(`${name}: ${(err as Error).message}`)
        }
        if (write) await writeFile(`${GOLDEN_DIR}${name}.hex`, (stored.toString('hex').match(/.{1,64}/g) ?? []).join('\n') + '\n')
      }
    }
    assert.deepEqual(failures, [])
  } finally {
    await broker.close()
    await proxy.close()
  }
})
