// @platformatic/kafka (flexible versions only: Metadata 9+, Produce 7+, Fetch 12+): admin topic
// lifecycle, produce, and reading back with the consumer's group-less fetch() by topic id.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin, Consumer, Producer, stringSerializers } from '@platformatic/kafka'
import { ensurePromiseWithResolvers, startTestBroker } from '@brook/testkit'

// This client targets Node 22+; the project's floor is Node 20.
ensurePromiseWithResolvers()

const PARTITIONS = 3
const PER_CODEC = 90
const CODECS = ['none', 'gzip'] as const
const clientId = 'brook-platformatic-test'

interface Read { partition: number, offset: bigint, key: string, value: string, headers: Array<[string, string]> }

test('@platformatic/kafka: create, list, describe, produce, fetch back, delete', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker()
  const bootstrapBrokers = [broker.bootstrap]
  const admin = new Admin({ clientId, bootstrapBrokers, retries: 3, retryDelay: 200 })
  const producer = new Producer({ clientId, bootstrapBrokers, serializers: stringSerializers, retries: 3, retryDelay: 200 })
  const consumer = new Consumer({ clientId, bootstrapBrokers, groupId: 'brook-unused-group', retries: 3, retryDelay: 200 })
  const topic = 'platformatic-roundtrip'
  try {
    const created = await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 })
    assert.equal(created.length, 1)
    assert.equal(created[0]?.name, topic)
    assert.equal(created[0]?.partitions, PARTITIONS)
    assert.ok((await admin.listTopics()).includes(topic), 'listTopics shows the new topic')

    const metadata = await admin.metadata({ topics: [topic] })
    const described = metadata.topics.get(topic)
    assert.ok(described !== undefined, 'metadata describes the topic')
    assert.equal(described.partitionsCount, PARTITIONS)
    assert.notEqual(described.id, '00000000-0000-0000-0000-000000000000', 'the topic has an id')
    for (const p of described.partitions) assert.ok(metadata.brokers.has(p.leader), 'each leader is a known broker')

    const sent: Array<{ key: string, value: string, codec: string }> = []
    for (const codec of CODECS) {
      const messages = []
      for (let i = 0; i < PER_CODEC; i++) {
        const item = { key: `k${i % 11}`, value: `${codec}-${i}-${'z'.repeat(i)}`, codec }
        sent.push(item)
        messages.push({ topic, key: item.key, value: item.value, headers: { codec, n: String(i) } })
      }
      const result = await producer.send({ messages, compression: codec, acks: -1 })
      assert.ok((result.offsets?.length ?? 0) > 0, 'send reports offsets')
    }

    const read = await fetchAll(consumer, topic, described.id, PARTITIONS, sent.length)
    assert.equal(read.length, sent.length)
    const expected = new Map(sent.map((s) => [s.value, s]))
    const keyPartition = new Map<string, number>()
    for (const [partition, list] of groupBy(read)) {
      list.forEach((r, i) => assert.equal(r.offset, BigInt(i), `partition ${partition} offsets are dense`))
      const order = list.map((r) => sent.findIndex((s) => s.value === r.value))
      assert.deepEqual(order, [...order].sort((a, b) => a - b), `partition ${partition} keeps produce order`)
    }
    for (const r of read) {
      const s = expected.get(r.value)
      assert.ok(s !== undefined, `unexpected value ${r.value.slice(0, 40)}`)
      assert.equal(r.key, s.key)
      assert.deepEqual(r.headers, [['codec', s.codec], ['n', r.value.split('-')[1] ?? '']])
      assert.equal(keyPartition.get(r.key) ?? r.partition, r.partition, `key ${r.key} stays in one partition`)
      keyPartition.set(r.key, r.partition)
    }

    await admin.deleteTopics({ topics: [topic] })
    assert.ok(!(await admin.listTopics()).includes(topic), 'deleted topic is no longer listed')
  } finally {
    await Promise.allSettled([admin.close(), producer.close(), consumer.close()])
    await broker.close()
  }
})

function groupBy (records: Read[]): Map<number, Read[]> {
  const out = new Map<number, Read[]>()
  for (const r of records) out.set(r.partition, [...(out.get(r.partition) ?? []), r])
  return out
}

// Fetches each partition from offset 0 until nothing new arrives and `total` records are read.
async function fetchAll (consumer: Consumer, topic: string, topicId: string, partitions: number, total: number): Promise<Read[]> {
  const metadata = await consumer.metadata({ topics: [topic] })
  const next = Array.from({ length: partitions }, () => 0n)
  const out: Read[] = []
  for (let round = 0; round < 50 && out.length < total; round++) {
    for (let partition = 0; partition < partitions; partition++) {
      const leader = metadata.topics.get(topic)?.partitions[partition]?.leader ?? 0
      const response = await consumer.fetch({
        node: leader,
        maxWaitTime: 100,
        topics: [{
          topicId,
          partitions: [{ partition, fetchOffset: next[partition] ?? 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }]
        }]
      })
      for (const t of response.responses) {
        for (const p of t.partitions) {
          assert.equal(p.errorCode, 0, `fetch error on partition ${p.partitionIndex}`)
          for (const batch of p.records ?? []) {
            for (const record of batch.records) {
              const offset = batch.firstOffset + BigInt(record.offsetDelta)
              // A fetch may start inside a batch; the client skips what it already has.
              if (offset < (next[p.partitionIndex] ?? 0n)) continue
              out.push({
                partition: p.partitionIndex,
                offset,
                key: record.key?.toString('utf8') ?? '',
                value: record.value?.toString('utf8') ?? '',
                headers: record.headers.map(([k, v]) => [k?.toString('utf8') ?? '', v?.toString('utf8') ?? ''])
              })
              next[p.partitionIndex] = offset + 1n
            }
          }
        }
      }
    }
  }
  return out
}
