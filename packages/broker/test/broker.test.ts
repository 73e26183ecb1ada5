import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createTopicsApi, ErrorCode, fetchApi, metadataApi, produceApi } from '@brook/protocol'
import { startBroker } from '../src/broker.js'
import { ConfigError } from '../src/config/schema.js'
import { RawClient } from './helpers/raw-client.js'
import { startTestBroker } from './helpers/broker.js'
import { batchOf, fetchBody, fetchedValues, produceBody } from './helpers/records.js'

test('topics, their ids, configs and data survive a restart', async () => {
  const broker = await startTestBroker()
  let client = await RawClient.connect(broker.bootstrap)
  await client.request(createTopicsApi, 7, {
    topics: [{ name: 'kept', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '123456' }] }],
    timeoutMs: 1000
  })
  await client.request(produceApi, 9, produceBody('kept', await batchOf(['durable']), -1, 1))
  const before = await client.request(metadataApi, 12, { topics: [{ name: 'kept' }], allowAutoTopicCreation: false })
  client.close()
  await broker.close()

  const restarted = await startBroker({ config: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': broker.dataDir } })
  client = await RawClient.connect(restarted.bootstrap)
  const after = await client.request(metadataApi, 12, { topics: [{ name: 'kept' }], allowAutoTopicCreation: false })
  assert.equal(after.topics[0]?.errorCode, ErrorCode.NONE)
  assert.equal(after.topics[0]?.topicId, before.topics[0]?.topicId)
  assert.equal(after.topics[0]?.partitions.length, 2)
  assert.equal(restarted.clusterId, broker.clusterId)
  assert.deepEqual(await fetchedValues(await client.request(fetchApi, 11, fetchBody('kept', 0n, { partition: 1 }))), [[0, 'durable']])
  client.close()
  await restarted.close()
  await broker.destroy()
})

test('close() answers a waiting long poll before stopping', { timeout: 20_000 }, async () => {
  const broker = await startTestBroker()
  const client = await RawClient.connect(broker.bootstrap)
  await client.request(createTopicsApi, 7, {
    topics: [{ name: 'idle', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 1000
  })
  const polling = client.request(fetchApi, 11, fetchBody('idle', 0n, { maxWaitMs: 60_000 }))
  await new Promise((resolve) => setTimeout(resolve, 50))
  await broker.destroy()
  const response = await polling
  assert.equal(response.responses[0]?.partitions[0]?.errorCode, ErrorCode.NONE)
  await client.closed
})

test('a bad config stops startBroker with a ConfigError', async () => {
  await assert.rejects(startBroker({ config: { 'num.partitions': '-1' } }), ConfigError)
})

test('every broker listener is bound; clients are told the address of the one they used', async () => {
  const broker = await startTestBroker({
    listeners: 'PLAINTEXT://127.0.0.1:0,PLAINTEXT_HOST://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'advertised.listeners': 'PLAINTEXT_HOST://localhost:0'
  })
  try {
    assert.deepEqual(broker.listeners.map((l) => l.name), ['PLAINTEXT', 'PLAINTEXT_HOST'])
    const [internal, host] = broker.listeners
    assert.equal(internal?.port, broker.port)
    for (const [listener, expected] of [[internal, { host: '127.0.0.1', port: internal?.port }], [host, { host: 'localhost', port: host?.port }]] as const) {
      const client = await RawClient.connect(`127.0.0.1:${listener?.port ?? 0}`)
      const response = await client.request(metadataApi, 12, { topics: [], allowAutoTopicCreation: false })
      assert.deepEqual({ host: response.brokers[0]?.host, port: response.brokers[0]?.port }, expected)
      client.close()
    }
  } finally {
    await broker.destroy()
  }
})
