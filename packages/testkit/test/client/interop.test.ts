// @brook/client beside real clients on one Brook broker: murmur2 key placement identical to
// kafkajs's default partitioner and to librdkafka's murmur2_random (kcat); what Brook's producer
// writes, kcat, kafkajs and confluent-kafka-python read byte-equal; what kafkajs writes, Brook's consumer reads.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { Client, type CompressionName, type ConsumerMessage } from '@brook/client'
import { assertSucceeded, byPartition, fixturePath, kcatConsumeAll, registerKafkajsCodecs, runKcat, runPython, startTestBroker, type TestBroker } from '@brook/testkit'

const { Kafka, Partitioners, logLevel, CompressionTypes } = kafkajs
registerKafkajsCodecs()

const PARTITIONS = 7
const KEYS = Array.from({ length: 200 }, (_, i) => i % 3 === 0 ? `user-${i}` : i % 3 === 1 ? `${i}` : `ключ-${i}-${'z'.repeat(i % 9)}`)

let broker: TestBroker
let client: Client
let kafka: InstanceType<typeof Kafka>

before(async () => {
  broker = await startTestBroker({ 'num.partitions': String(PARTITIONS) })
  client = new Client({ brokers: [broker.bootstrap] })
  kafka = new Kafka({ clientId: 'interop', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
})
after(async () => { await broker.close() })

async function createTopic (topic: string, numPartitions = PARTITIONS): Promise<void> {
  const admin = client.admin()
  try { await admin.createTopics([{ topic, numPartitions }]) } finally { await admin.close() }
}

test('murmur2 placement matches kafkajs DefaultPartitioner and kcat murmur2_random', { timeout: 60_000 }, async () => {
  const topic = 'murmur'
  await createTopic(topic)
  const producer = client.producer()
  const ours = await producer.send({ topic, messages: KEYS.map((key) => ({ key, value: key })) })
  await producer.close()

  const partitioner = Partitioners.DefaultPartitioner()
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }))
  for (let i = 0; i < KEYS.length; i++) {
    const expected = partitioner({ topic, partitionMetadata, message: { key: KEYS[i]!, value: KEYS[i]! } })
    assert.equal(ours[i]!.partition, expected, `key ${KEYS[i]}`)
  }

  const kcatTopic = 'murmur-kcat'
  await createTopic(kcatTopic)
  const input = KEYS.map((k) => `${k}:${k}`).join('\n') + '\n'
  assertSucceeded('kcat -P', await runKcat(['-P', '-b', broker.bootstrap, '-t', kcatTopic, '-X', 'partitioner=murmur2_random', '-K:'], { timeoutMs: 30_000, input }))
  const read = await kcatConsumeAll(broker.bootstrap, kcatTopic)
  assert.equal(read.length, KEYS.length)
  const ourByKey = new Map(KEYS.map((k, i) => [k, ours[i]!.partition]))
  for (const m of read) assert.equal(m.partition, ourByKey.get(m.key!), `key ${m.key}`)
})

const CODECS: Array<[CompressionName, number]> = [['none', CompressionTypes.None], ['gzip', CompressionTypes.GZIP], ['snappy', CompressionTypes.Snappy], ['lz4', CompressionTypes.LZ4], ['zstd', CompressionTypes.ZSTD]]

test('what Brook produces, kcat, kafkajs and confluent-kafka-python read byte-equal', { timeout: 60_000 }, async () => {
  for (const [compression] of CODECS) {
    const topic = `to-others-${compression}`
    await createTopic(topic, 3)
    const producer = client.producer({ compression })
    const sent = Array.from({ length: 120 }, (_, i) => ({
      key: `k-${i}`, value: Buffer.from(`v-${i}-${'é'.repeat(i % 5)}`), headers: { h: `x${i}` }, timestamp: 1_650_000_000_000 + i
    }))
    await producer.send({ topic, messages: sent })
    await producer.close()
    const expected = new Map(sent.map((m) => [m.key, m]))

    const kc = await kcatConsumeAll(broker.bootstrap, topic)
    assert.equal(kc.length, sent.length, `${compression}: kcat count`)
    for (const m of kc) {
      const s = expected.get(m.key!)!
      assert.equal(m.payload, s.value.toString('utf8'))
      assert.equal(m.ts, s.timestamp)
      assert.deepEqual(m.headers, ['h', s.headers.h])
    }

    const py = assertSucceeded('confluent_read_all.py', await runPython(fixturePath('confluent_read_all.py'), [broker.bootstrap, topic, '3', String(sent.length)], { timeoutMs: 45_000 }))
    const pyRecords = py.stdout.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string, value: string, timestamp: number, headers: Array<[string, string]> })
    assert.equal(pyRecords.length, sent.length, `${compression}: confluent count`)
    for (const r of pyRecords) {
      const s = expected.get(Buffer.from(r.key, 'hex').toString())!
      assert.ok(Buffer.from(r.value, 'hex').equals(s.value), `${compression}: confluent value of ${s.key}`)
      assert.equal(r.timestamp, s.timestamp)
      assert.deepEqual(r.headers, [['h', Buffer.from(s.headers.h).toString('hex')]])
    }

    const consumer = kafka.consumer({ groupId: `kafkajs-reader-${compression}` })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    const got: Array<{ key: Buffer, value: Buffer, headers: Record<string, unknown>, timestamp: string }> = []
    await new Promise<void>((resolve, reject) => {
      consumer.run({
        eachMessage: async ({ message }) => {
          got.push({ key: message.key!, value: message.value!, headers: message.headers ?? {}, timestamp: message.timestamp })
          if (got.length === sent.length) resolve()
        }
      }).catch(reject)
    })
    await consumer.disconnect()
    for (const g of got) {
      const s = expected.get(g.key.toString())!
      assert.ok(g.value.equals(s.value), `${compression}: value bytes of ${s.key}`)
      assert.equal(g.timestamp, String(s.timestamp))
      assert.ok((g.headers.h as Buffer).equals(Buffer.from(s.headers.h)))
    }
  }
})

test('what kafkajs produces, Brook consumer reads byte-equal', { timeout: 60_000 }, async () => {
  for (const [name, type] of CODECS) {
    const topic = `from-kafkajs-${name}`
    await createTopic(topic, 3)
    const producer = kafka.producer()
    await producer.connect()
    const sent = Array.from({ length: 100 }, (_, i) => ({ key: Buffer.from(`key-${i}`), value: Buffer.from([i, 255 - i, 0, 7]), headers: { n: Buffer.from(String(i)) }, timestamp: String(1_600_000_000_000 + i) }))
    await producer.send({ topic, compression: type, messages: sent })
    await producer.disconnect()

    const consumer = client.consumer({ maxWaitMs: 100 })
    consumer.assign([0, 1, 2].map((partition) => ({ topic, partition, offset: 0n })))
    const got: ConsumerMessage[] = []
    for await (const batch of consumer) {
      got.push(...batch.messages)
      if (got.length >= sent.length) break
    }
    await consumer.close()
    assert.equal(got.length, sent.length)
    const byKey = new Map(got.map((m) => [m.key!.toString(), m]))
    for (const s of sent) {
      const m = byKey.get(s.key.toString())!
      assert.ok(m.value!.equals(s.value), `${name}: value of ${s.key.toString()}`)
      assert.equal(m.timestamp, BigInt(s.timestamp))
      assert.deepEqual(m.headers.map((h) => [h.key, h.value!.toString()]), [['n', s.headers.n.toString()]])
    }
    // Per partition, offsets are consecutive from 0.
    for (const list of byPartition(got.map((m) => ({ partition: m.partition, offset: Number(m.offset) }))).values()) {
      assert.deepEqual(list.map((m) => m.offset), list.map((_, i) => i))
    }
  }
})
