// kafkajs 2.2.4 (Metadata 6, Produce 7, Fetch 11, CreateTopics 3 ...): produce with every
// compression it supports (snappy, lz4 and zstd through Brook's own codecs), read back, and the
// admin calls: create/delete topics, describe configs, create partitions, topic offsets (latest and
// by timestamp).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { kcatConsumeAll, probeApiVersions, registerKafkajsCodecs, startTestBroker, waitFor, type KcatMessage, type TestBroker } from '@brook/testkit'

const { Kafka, CompressionTypes, ConfigResourceTypes, ConfigSource, logLevel } = kafkajs
const CODECS = [
  ['none', CompressionTypes.None], ['gzip', CompressionTypes.GZIP], ['snappy', CompressionTypes.Snappy],
  ['lz4', CompressionTypes.LZ4], ['zstd', CompressionTypes.ZSTD]
] as const
const PER_CODEC = 120
const BASE_TS = 1_600_000_000_000
// Kafka's default retention.ms: 7 days.
const DEFAULT_RETENTION_MS = '604800000'

registerKafkajsCodecs()

interface Sent { id: number, key: string, value: string, codec: string, timestamp: number }

function client (broker: TestBroker): InstanceType<typeof Kafka> {
  return new Kafka({
    clientId: 'brook-kafkajs-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 100 }
  })
}

// Produces PER_CODEC messages per codec, one send (one batch per partition) per codec.
async function produceAll (kafka: InstanceType<typeof Kafka>, topic: string): Promise<Sent[]> {
  const producer = kafka.producer()
  await producer.connect()
  const sent: Sent[] = []
  try {
    for (const [name, type] of CODECS) {
      const batch: Sent[] = []
      for (let i = 0; i < PER_CODEC; i++) {
        const id = sent.length + batch.length
        // Repetitive values, so compressed batches really are smaller.
        batch.push({ id, key: `key-${id % 13}`, value: `${name}:${id}:${'abc'.repeat(id % 40)}`, codec: name, timestamp: BASE_TS + id })
      }
      const result = await producer.send({
        topic,
        acks: -1,
        compression: type,
        messages: batch.map((m) => ({ key: m.key, value: m.value, timestamp: String(m.timestamp), headers: { codec: m.codec, id: String(m.id) } }))
      })
      assert.ok(result.every((r) => r.errorCode === 0), `${name}: produce errors ${JSON.stringify(result)}`)
      sent.push(...batch)
    }
  } finally {
    await producer.disconnect()
  }
  return sent
}

function checkRoundTrip (sent: Sent[], got: Array<{ partition: number, offset: number, key: string | null, value: string | null, timestamp: number, headers: Record<string, string> }>): void {
  assert.equal(got.length, sent.length, 'every message comes back once')
  const byValue = new Map(sent.map((s) => [s.value, s]))
  const keyPartition = new Map<string, number>()
  const lastId = new Map<number, number>()
  for (const m of got.sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
    const s = byValue.get(m.value ?? '')
    assert.ok(s !== undefined, `unexpected value ${String(m.value).slice(0, 40)}`)
    assert.equal(m.key, s.key)
    assert.equal(m.timestamp, s.timestamp)
    assert.deepEqual(m.headers, { codec: s.codec, id: String(s.id) })
    assert.equal(keyPartition.get(s.key) ?? m.partition, m.partition, `key ${s.key} stays in one partition`)
    keyPartition.set(s.key, m.partition)
    assert.ok(s.id > (lastId.get(m.partition) ?? -1), `partition ${m.partition} keeps produce order`)
    lastId.set(m.partition, s.id)
  }
}

function fromKcat (messages: KcatMessage[]): Parameters<typeof checkRoundTrip>[1] {
  return messages.map((m) => {
    const headers: Record<string, string> = {}
    const list = m.headers ?? []
    for (let i = 0; i + 1 < list.length; i += 2) headers[list[i] ?? ''] = list[i + 1] ?? ''
    return { partition: m.partition, offset: m.offset, key: m.key, value: m.payload, timestamp: m.ts, headers }
  })
}

test('kafkajs: produce with none/gzip/snappy/lz4/zstd, read back; admin topics, configs, partitions, offsets', { timeout: 90_000 }, async () => {
  const broker = await startTestBroker()
  const kafka = client(broker)
  const admin = kafka.admin()
  const topic = 'kafkajs-codecs'
  await admin.connect()
  try {
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true }), true)
    assert.ok((await admin.listTopics()).includes(topic))

    const sent = await produceAll(kafka, topic)
    // Read back by librdkafka, which decompresses every codec itself.
    const messages = await kcatConsumeAll(broker.bootstrap, topic)
    checkRoundTrip(sent, fromKcat(messages))

    const configs = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }], includeSynonyms: false })
    const entries = configs.resources[0]?.configEntries ?? []
    const retention = entries.find((e) => e.configName === 'retention.ms')
    assert.ok(retention !== undefined, `retention.ms is described (got ${entries.map((e) => e.configName).join(', ')})`)
    assert.equal(retention.configValue, DEFAULT_RETENTION_MS)
    assert.equal(retention.isDefault, true)
    assert.equal(retention.configSource, ConfigSource.DEFAULT_CONFIG)
    assert.ok(entries.length > 10, 'every topic config is described, not only the ones set')

    // Latest offsets equal what each partition received; the earliest are 0.
    const perPartition = new Map<number, number>()
    for (const m of messages) perPartition.set(m.partition, (perPartition.get(m.partition) ?? 0) + 1)
    const latest = await admin.fetchTopicOffsets(topic)
    assert.deepEqual(
      latest.map((p) => [p.partition, p.low, p.high]).sort((a, b) => Number(a[0]) - Number(b[0])),
      [0, 1, 2].map((p) => [p, '0', String(perPartition.get(p) ?? 0)])
    )

    // By timestamp: the first offset whose timestamp is >= the one asked, else the end.
    for (const query of [BASE_TS - 1, BASE_TS + 250, BASE_TS + 10_000]) {
      const found = await admin.fetchTopicOffsetsByTimestamp(topic, query)
      for (const { partition, offset } of found) {
        const inPartition = messages.filter((m) => m.partition === partition).sort((a, b) => a.offset - b.offset)
        const expected = inPartition.find((m) => m.ts >= query)?.offset ?? inPartition.length
        assert.equal(offset, String(expected), `partition ${partition}, timestamp ${query}`)
      }
    }

    await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] })
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] })
    assert.deepEqual(metadata.topics[0]?.partitions.map((p) => p.partitionId).sort(), [0, 1, 2, 3, 4])
    const grown = await admin.fetchTopicOffsets(topic)
    assert.deepEqual(grown.filter((p) => p.partition >= 3).map((p) => p.high), ['0', '0'])

    await admin.deleteTopics({ topics: [topic] })
    assert.ok(!(await admin.listTopics()).includes(topic), 'deleted topic is gone')
  } finally {
    await admin.disconnect()
    await broker.close()
  }
})

// kafkajs can only consume through a consumer group.
const GROUP_APIS = [8, 9, 10, 11, 12, 13, 14]

test('kafkajs: a group consumer reads back every codec', { timeout: 90_000 }, async (t) => {
  // Kafka waits 3 s for more members before a new group's first rebalance; one is enough here.
  const broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0' })
  try {
    const versions = await probeApiVersions(broker.host, broker.port)
    const missing = GROUP_APIS.filter((key) => !versions.apis.some((api) => api.apiKey === key))
    if (missing.length > 0) {
      t.skip(`broker does not advertise group APIs ${missing.join(', ')} yet`)
      return
    }
    const kafka = client(broker)
    const topic = 'kafkajs-group-read'
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })
    await admin.disconnect()
    const sent = await produceAll(kafka, topic)

    const consumer = kafka.consumer({ groupId: 'kafkajs-read-back', sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 })
    const got: Parameters<typeof checkRoundTrip>[1] = []
    await consumer.connect()
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          const headers: Record<string, string> = {}
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v)
          got.push({
            partition,
            offset: Number(message.offset),
            key: message.key?.toString() ?? null,
            value: message.value?.toString() ?? null,
            timestamp: Number(message.timestamp),
            headers
          })
        }
      })
      await waitFor(() => got.length >= sent.length, 45_000, { message: `all ${sent.length} messages consumed (got ${got.length})` })
    } finally {
      await consumer.disconnect()
    }
    checkRoundTrip(sent, got)
  } finally {
    await broker.close()
  }
})

test('kafkajs: alterConfigs on the broker resource sets a dynamic broker config that topics inherit', { timeout: 30_000 }, async () => {
  const broker = await startTestBroker()
  const admin = client(broker).admin()
  await admin.connect()
  try {
    const topic = 'kafkajs-dynamic'
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
    const self = String(broker.nodeId)
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: self, configEntries: [{ name: 'log.retention.ms', value: '3600000' }] }] })
    const described = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }, { type: ConfigResourceTypes.BROKER, name: self, configNames: ['log.retention.ms', 'listeners', 'log.dirs'] }],
      includeSynonyms: false
    })
    const retention = described.resources.find((r) => r.resourceType === ConfigResourceTypes.TOPIC)?.configEntries.find((e) => e.configName === 'retention.ms')
    assert.deepEqual([retention?.configValue, retention?.configSource], ['3600000', ConfigSource.DYNAMIC_BROKER_CONFIG])
    const brokerEntries = described.resources.find((r) => r.resourceType === ConfigResourceTypes.BROKER)?.configEntries ?? []
    // listeners is dynamic in Kafka 4 (per broker), but may not change the advertised addresses.
    assert.deepEqual(brokerEntries.map((e) => [e.configName, e.readOnly]).sort(), [['listeners', false], ['log.dirs', true], ['log.retention.ms', false]])
    await assert.rejects(admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: self, configEntries: [{ name: 'listeners', value: 'PLAINTEXT://:1' }] }] }),
      (err: unknown) => (err as { type?: string }).type === 'INVALID_REQUEST')
  } finally {
    await admin.disconnect()
    await broker.close()
  }
})
