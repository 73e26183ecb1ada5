// Golden bytes from real clients: each client talks to a broker through a capturing proxy (the
// broker advertises the proxy, so Metadata keeps clients on it). The first ApiVersions, Metadata,
// Produce and Fetch request of each client must decode and re-encode byte-for-byte with
// @brook/protocol. With BROOK_WRITE_GOLDEN=1 the frames are also written as fixtures to
// packages/protocol/test/fixtures/golden/<client>-<api>-v<N>.hex (dev-only; review, then commit).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import kafkajs from 'kafkajs'
import { Consumer, Producer, stringSerializers } from '@platformatic/kafka'
import {
  assertSucceeded, ensurePromiseWithResolvers, fixturePath, roundTripRequestFrame, runKcat, runPython,
  startCaptureProxy, startTestBroker, waitFor, type CapturedRequest
} from '@brook/testkit'

ensurePromiseWithResolvers()

const API_NAMES = new Map([[18, 'api-versions'], [3, 'metadata'], [0, 'produce'], [1, 'fetch']])
const GOLDEN_DIR = fileURLToPath(new URL('../../../../protocol/test/fixtures/golden/', import.meta.url))

// First request per (api key, version) among the wanted keys.
function firsts (requests: CapturedRequest[]): CapturedRequest[] {
  const seen = new Set<string>()
  return requests.filter((r) => {
    const id = `${r.apiKey}/${r.apiVersion}`
    if (!API_NAMES.has(r.apiKey) || seen.has(id)) return false
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
    } finally {
      await Promise.allSettled([producer.close(), consumer.close()])
    }
  }
}

test('golden capture: real clients\' ApiVersions, Metadata, Produce and Fetch requests round-trip through the codec', { timeout: 120_000 }, async () => {
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
      const captured = firsts(proxy.requests.slice(from))
      const apis = new Set(captured.map((r) => r.apiKey))
      for (const key of API_NAMES.keys()) {
        if (!apis.has(key)) failures.push(`${client} sent no ${API_NAMES.get(key)} request`)
      }
      for (const r of captured) {
        const name = `${client}-${API_NAMES.get(r.apiKey)}-v${r.apiVersion}`
        try {
          assert.ok(roundTripRequestFrame(r.frame).equals(r.frame), 're-encoded bytes differ')
        } catch (err) {
          failures.push(`${name}: ${(err as Error).message}`)
        }
        if (write) await writeFile(`${GOLDEN_DIR}${name}.hex`, (r.frame.toString('hex').match(/.{1,64}/g) ?? []).join('\n') + '\n')
      }
    }
    assert.deepEqual(failures, [])
  } finally {
    await broker.close()
    await proxy.close()
  }
})
