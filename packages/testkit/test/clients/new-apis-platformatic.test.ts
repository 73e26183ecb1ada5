// @platformatic/kafka against the APIs it sends that Brook serves since issue 9: its consumer's
// incremental fetch sessions (KIP-227), and its own request builders and parsers for
// DescribeTopicPartitions, OffsetForLeaderEpoch, DescribeLogDirs (Admin.describeLogDirs),
// AlterReplicaLogDirs, GetTelemetrySubscriptions / PushTelemetry and ListConfigResources v0-1.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import {
  Admin, alterReplicaLogDirsV2, Connection, Consumer, describeTopicPartitionsV0, getTelemetrySubscriptionsV0,
  listClientMetricsResourcesV0, listConfigResourcesV1, offsetForLeaderEpochV4, Producer, pushTelemetryV0,
  stringDeserializers, stringSerializers
} from '@platformatic/kafka'
import { decodeRequest, decodeRequestHeader, fetchApi, Reader } from '@brook/protocol'
import { ensurePromiseWithResolvers, startCaptureProxy, startTestBroker, waitFor } from '@brook/testkit'

// This client targets Node 22+; the project's floor is Node 20.
ensurePromiseWithResolvers()

const clientId = 'brook-platformatic-new-apis'

test('@platformatic/kafka: a consuming group member fetches through an incremental fetch session', { timeout: 60_000 }, async () => {
  const proxy = await startCaptureProxy()
  const broker = await startTestBroker({ 'advertised.listeners': `PLAINTEXT://${proxy.bootstrap}`, 'group.initial.rebalance.delay.ms': '0' })
  proxy.setTarget(broker.host, broker.port)
  const bootstrapBrokers = [proxy.bootstrap]
  const topic = 'session-topic'
  const admin = new Admin({ clientId, bootstrapBrokers, retries: 3, retryDelay: 200 })
  const producer = new Producer({ clientId, bootstrapBrokers, serializers: stringSerializers, retries: 3, retryDelay: 200 })
  const consumer = new Consumer({ clientId, bootstrapBrokers, groupId: 'session-group', deserializers: stringDeserializers, retries: 3, retryDelay: 200 })
  let stream: Awaited<ReturnType<typeof consumer.consume>> | undefined
  try {
    await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 })
    stream = await consumer.consume({ topics: [topic], mode: 'earliest', maxWaitTime: 200 })
    const read: string[] = []
    stream.on('data', (message) => { read.push(message.value) })
    for (let round = 0; round < 5; round++) {
      // One partition per round: the fetch after it has one changed partition to name.
      await producer.send({ acks: -1, messages: Array.from({ length: 30 }, (_, i) => ({ topic, partition: round % 3, key: `k${i}`, value: `${round}-${i}` })) })
      await waitFor(() => read.length === (round + 1) * 30, 20_000, { message: `round ${round} read` })
    }
    assert.equal(new Set(read).size, 150, 'every message once')

    const fetches = proxy.requests.filter((r) => r.apiKey === 1).map((r) => {
      const reader = new Reader(r.frame, 4)
      const header = decodeRequestHeader(reader)
      return decodeRequest(fetchApi, header.apiVersion, reader)
    })
    const incremental = fetches.filter((f) => (f.sessionId ?? 0) !== 0 && (f.sessionEpoch ?? -1) > 0)
    assert.ok(fetches.some((f) => f.sessionEpoch === 0), 'a full fetch opened a session')
    assert.ok(incremental.length >= 3, `incremental fetches were sent (${incremental.length} of ${fetches.length})`)
    // An incremental fetch names only what changed: some name fewer partitions than the session holds.
    assert.ok(incremental.some((f) => f.topics.reduce((n, t) => n + t.partitions.length, 0) < 3), 'unchanged partitions were left out')
  } finally {
    await stream?.close()
    await Promise.allSettled([admin.close(), producer.close(), consumer.close()])
    await broker.close()
    await proxy.close()
  }
})

test('@platformatic/kafka: DescribeTopicPartitions, OffsetForLeaderEpoch, telemetry and ListConfigResources', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker()
  const admin = new Admin({ clientId, bootstrapBrokers: [broker.bootstrap], retries: 3, retryDelay: 200 })
  const producer = new Producer({ clientId, bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers, retries: 3, retryDelay: 200 })
  const connection = new Connection(clientId)
  try {
    await admin.createTopics({ topics: ['pages-a', 'pages-b'], partitions: 3, replicas: 1 })
    await connection.connect(broker.host, broker.port)

    const first = await describeTopicPartitionsV0.api.async(connection, [{ name: 'pages-b' }, { name: 'pages-a' }], 4, undefined)
    assert.deepEqual(first.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]), [['pages-a', [0, 1, 2]], ['pages-b', [0]]])
    assert.deepEqual(first.nextCursor, { topicName: 'pages-b', partitionIndex: 1 })
    const second = await describeTopicPartitionsV0.api.async(connection, [{ name: 'pages-b' }, { name: 'pages-a' }], 4, first.nextCursor)
    assert.deepEqual(second.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]), [['pages-b', [1, 2]]])

    await producer.send({ acks: -1, messages: [0, 1, 2, 3].map((i) => ({ topic: 'pages-a', partition: 1, key: 'k', value: String(i) })) })
    const epochs = await offsetForLeaderEpochV4.api.async(connection, -1, [{ name: 'pages-a', partitions: [{ partitionIndex: 1, currentLeaderEpoch: -1, leaderEpoch: 0 }] }])
    assert.equal(epochs.topics[0]?.partitions[0]?.errorCode, 0)
    assert.equal(epochs.topics[0]?.partitions[0]?.endOffset, 4n)

    const sub = await getTelemetrySubscriptionsV0.api.async(connection)
    assert.deepEqual(sub.requestedMetrics, [])
    const pushed = await pushTelemetryV0.api.async(connection, sub.clientInstanceId, sub.subscriptionId, false, 1, gzipSync(Buffer.from('metrics')))
    assert.equal(pushed.errorCode, 0)
    assert.equal(broker.clientMetrics.get(sub.clientInstanceId)?.latest?.metrics.toString(), 'metrics')

    const v0 = await listClientMetricsResourcesV0.api.async(connection)
    assert.deepEqual(v0.configResources, [])
    const v1 = await listConfigResourcesV1.api.async(connection, [2])
    assert.deepEqual(v1.configResources.map((r) => [r.resourceName, r.resourceType]), [['pages-a', 2], ['pages-b', 2]])
  } finally {
    await connection.close()
    await Promise.allSettled([admin.close(), producer.close()])
    await broker.close()
  }
})

test('@platformatic/kafka: describeLogDirs, then AlterReplicaLogDirs moves a partition between log dirs', { timeout: 60_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'brook-platformatic-dirs-'))
  const dirs = [join(root, 'one'), join(root, 'two')]
  const broker = await startTestBroker({ 'log.dirs': dirs.join(',') })
  const admin = new Admin({ clientId, bootstrapBrokers: [broker.bootstrap], retries: 3, retryDelay: 200 })
  const producer = new Producer({ clientId, bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers, retries: 3, retryDelay: 200 })
  const connection = new Connection(clientId)
  try {
    await admin.createTopics({ topics: ['dirs'], partitions: 1, replicas: 1 })
    await producer.send({ acks: -1, messages: [{ topic: 'dirs', key: 'k', value: 'v'.repeat(100) }] })
    const where = async (): Promise<string | undefined> => {
      const described = await admin.describeLogDirs({ topics: [{ name: 'dirs', partitions: [0] }] })
      const dir = described[0]?.results.find((r) => r.topics.some((t) => t.name === 'dirs' && t.partitions.length > 0))
      assert.ok((dir?.totalBytes ?? -1n) > 0n)
      return dir?.logDir
    }
    const from = await where()
    assert.ok(from !== undefined && dirs.includes(from))
    const to = dirs.find((d) => d !== from) as string
    await connection.connect(broker.host, broker.port)
    const moved = await alterReplicaLogDirsV2.api.async(connection, [{ path: to, topics: [{ name: 'dirs', partitions: [0] }] }])
    assert.equal(moved.results[0]?.partitions[0]?.errorCode, 0)
    assert.equal(await where(), to)
    // Still written to and read from after the move.
    await producer.send({ acks: -1, messages: [{ topic: 'dirs', key: 'k', value: 'after' }] })
    const consumer = new Consumer({ clientId, bootstrapBrokers: [broker.bootstrap], groupId: 'dirs-group', deserializers: stringDeserializers, retries: 3, retryDelay: 200 })
    let stream: Awaited<ReturnType<typeof consumer.consume>> | undefined
    try {
      stream = await consumer.consume({ topics: ['dirs'], mode: 'earliest', maxWaitTime: 200 })
      const values: string[] = []
      stream.on('data', (m) => { values.push(m.value) })
      await waitFor(() => values.length === 2, 20_000, { message: 'both records read' })
      assert.deepEqual(values, ['v'.repeat(100), 'after'])
    } finally {
      await stream?.close()
      await consumer.close()
    }
  } finally {
    await connection.close()
    await Promise.allSettled([admin.close(), producer.close()])
    await broker.close()
    await rm(root, { recursive: true, force: true })
  }
})
