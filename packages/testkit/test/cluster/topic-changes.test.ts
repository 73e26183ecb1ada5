// CreatePartitions and AlterConfigs on a replicated topic go through the metadata store: every
// broker sees the new partitions (replicated, with a full ISR, writable with acks=all) and the new
// configs (DescribeConfigs on each broker; the leaders enforce them).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { partitionState, startTestCluster, waitFor } from '@brook/testkit'
import { CLUSTER_SETTINGS } from './history.js'

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs
const TOPIC = 'topic-changes'

test('CreatePartitions and AlterConfigs on a replicated topic reach every broker', { timeout: 90_000 }, async () => {
  const cluster = await startTestCluster({ overrides: CLUSTER_SETTINGS })
  try {
    const kafka = new Kafka({ clientId: 'topic-changes', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10 } })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2, replicationFactor: 3 }] })
    await waitFor(async () => (await partitionState(cluster, TOPIC, 1))?.isr.length === 3, 20_000, { message: 'ISR of 3' })

    await admin.createPartitions({ topicPartitions: [{ topic: TOPIC, count: 4 }] })
    for (const p of [2, 3]) {
      await waitFor(async () => {
        const state = await partitionState(cluster, TOPIC, p)
        return state !== null && state.replicas.length === 3 && state.isr.length === 3 && state.leader > 0
      }, 20_000, { message: `partition ${p} replicated with a full ISR` })
    }
    await assert.rejects(admin.createPartitions({ topicPartitions: [{ topic: TOPIC, count: 3 }] }), /partitions/i, 'fewer partitions refused')

    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic: TOPIC, acks: -1, messages: [2, 3].map((partition) => ({ partition, value: `to-${partition}` })) })
    const offsets = await admin.fetchTopicOffsets(TOPIC)
    assert.deepEqual(offsets.map((o) => [o.partition, o.high]).sort(), [[0, '0'], [1, '0'], [2, '1'], [3, '1']])

    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'max.message.bytes', value: '2000' }, { name: 'retention.ms', value: '3600000' }] }]
    })
    // Every broker describes the new configs (each answers from its own view of the store).
    for (const m of cluster.members.values()) {
      const direct = new Kafka({ clientId: 'describe', brokers: [`127.0.0.1:${m.port}`], logLevel: logLevel.NOTHING }).admin()
      await direct.connect()
      try {
        await waitFor(async () => {
          const described = await direct.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: ['max.message.bytes', 'retention.ms'] }] })
          const entries = new Map(described.resources[0]?.configEntries.map((e) => [e.configName, e.configValue]))
          return entries.get('max.message.bytes') === '2000' && entries.get('retention.ms') === '3600000'
        }, 10_000, { message: `broker ${m.id} describes the new configs` })
      } finally {
        await direct.disconnect()
      }
    }
    // Every partition's leader enforces the new max.message.bytes.
    for (const partition of [0, 1, 2, 3]) {
      await assert.rejects(producer.send({ topic: TOPIC, acks: -1, messages: [{ partition, value: 'x'.repeat(5000) }] }), /too large|larger/i,
        `partition ${partition} refuses a record above max.message.bytes`)
    }
    await producer.disconnect()
    await admin.disconnect()
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
