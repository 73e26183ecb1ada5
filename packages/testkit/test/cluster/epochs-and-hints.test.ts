// What clients are told on the wire in cluster mode: Produce to a follower gets
// NOT_LEADER_OR_FOLLOWER with the current leader and its endpoint (Produce v10, KIP-951); Fetch
// with a newer current_leader_epoch gets UNKNOWN_LEADER_EPOCH, with an older one (after a leader
// change) FENCED_LEADER_EPOCH; ListOffsets on a follower NOT_LEADER_OR_FOLLOWER; OffsetForLeaderEpoch
// on the new leader ends the old epoch where the new one starts. Every broker reports the one
// cluster id (librdkafka takes brokers with different ids for different clusters and forgets its
// topics' metadata when it meets one).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import { buildBatchSync, ErrorCode, fetchApi, listOffsetsApi, metadataApi, offsetForLeaderEpochApi, produceApi } from '@brook/protocol'
import { partitionState, requestTo, startTestCluster, waitFor } from '@brook/testkit'
import { CLUSTER_SETTINGS } from './history.js'

const { Kafka, logLevel } = kafkajs
const TOPIC = 'epochs-and-hints'

function port (cluster: Awaited<ReturnType<typeof startTestCluster>>, id: number): number {
  const member = cluster.members.get(id)
  if (member === undefined) throw new Error(`no broker ${id}`)
  return member.port
}

async function fetchAt (p: number, currentLeaderEpoch: number, version = 12): Promise<number> {
  const response = await requestTo(p, fetchApi, version, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [],
    rackId: ''
  })
  return response.responses[0]?.partitions[0]?.errorCode ?? -1
}

test('cluster errors on the wire: leader hints, fenced and unknown leader epochs, OffsetForLeaderEpoch; one cluster id', { timeout: 60_000 }, async () => {
  const cluster = await startTestCluster({ overrides: CLUSTER_SETTINGS })
  try {
    const ids = await Promise.all([1, 2, 3].map(async (id) => (await requestTo(port(cluster, id), metadataApi, 12, {
      topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false
    })).clusterId))
    assert.equal(new Set(ids).size, 1, `cluster ids reported: ${ids.join(', ')}`)
    assert.match(ids[0] ?? '', /^[A-Za-z0-9_-]{22}$/)
    const admin = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] }] })
    await admin.disconnect()
    await waitFor(async () => (await partitionState(cluster, TOPIC))?.isr.length === 3, 20_000, { message: 'ISR of 3' })

    const records = buildBatchSync({ records: [{ key: null, value: Buffer.from('x'), timestamp: BigInt(Date.now()) }] })
    const produced = await requestTo(port(cluster, 2), produceApi, 10, {
      transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }]
    })
    const refused = produced.responses[0]?.partitionResponses[0]
    assert.equal(refused?.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
    assert.deepEqual(refused?.currentLeader, { leaderId: 1, leaderEpoch: 0 })
    assert.deepEqual(produced.nodeEndpoints?.map((e) => [e.nodeId, e.port]), [[1, port(cluster, 1)]])

    assert.equal(await fetchAt(port(cluster, 1), 0), ErrorCode.NONE)
    assert.equal(await fetchAt(port(cluster, 1), 5), ErrorCode.UNKNOWN_LEADER_EPOCH)
    // A consumer fetch without client metadata (before v11) is the leader's only; v11+ a follower serves (KIP-392).
    assert.equal(await fetchAt(port(cluster, 3), 0, 10), ErrorCode.NOT_LEADER_OR_FOLLOWER)
    assert.equal(await fetchAt(port(cluster, 3), 0), ErrorCode.NONE)
    const listed = await requestTo(port(cluster, 3), listOffsetsApi, 7, {
      replicaId: -1, isolationLevel: 0, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }]
    })
    assert.equal(listed.topics[0]?.partitions[0]?.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)

    const accepted = await requestTo(port(cluster, 1), produceApi, 10, {
      transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }]
    })
    assert.equal(accepted.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.NONE)

    await cluster.kill9(1)
    const moved = await waitFor(async () => {
      const state = await partitionState(cluster, TOPIC)
      return state !== null && state.leader > 1 ? state : null
    }, 20_000, { message: 'a new leader' })
    assert.equal(moved.leaderEpoch, 1)
    await waitFor(async () => await fetchAt(port(cluster, moved.leader), 1) === ErrorCode.NONE, 10_000, { message: 'the new leader serves epoch 1' })
    assert.equal(await fetchAt(port(cluster, moved.leader), 0), ErrorCode.FENCED_LEADER_EPOCH)
    const epochs = await requestTo(port(cluster, moved.leader), offsetForLeaderEpochApi, 4, {
      replicaId: -1, topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0 }] }]
    })
    assert.deepEqual(epochs.topics[0]?.partitions[0], { errorCode: ErrorCode.NONE, partition: 0, leaderEpoch: 0, endOffset: 1n })
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`, { cause: err })
  } finally {
    await cluster.close()
  }
})
