// The versions Kafka added up to 4.2, over a raw socket: Produce v13 and OffsetCommit/OffsetFetch
// v10 name topics by id (UNKNOWN_TOPIC_ID for ids the broker does not have), Fetch v17-18 with
// the follower tags, Metadata v13's error code, ListOffsets v9-11 tiered timestamps, DescribeGroups
// v6 GROUP_ID_NOT_FOUND, DescribeCluster v2, and ApiVersions advertising all of it.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  apiVersionsApi, ApiKey, createTopicsApi, describeClusterApi, describeGroupsApi, ErrorCode, fetchApi, findCoordinatorApi,
  listOffsetsApi, metadataApi, offsetCommitApi, offsetFetchApi, produceApi, ZERO_UUID
} from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { batchOf, fetchBody, fetchedValues } from '../helpers/records.js'

const UNKNOWN_ID = '00000000-0000-0000-0000-00000000beef'

let broker: TestBroker
let client: RawClient
let topicId: string

before(async () => {
  broker = await startTestBroker({ 'offsets.topic.num.partitions': '2', 'auto.create.topics.enable': 'true' })
  client = await RawClient.connect(broker.bootstrap)
  const created = await client.request(createTopicsApi, 7, {
    topics: [{ name: 'ids', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false
  })
  assert.equal(created.topics[0]?.errorCode, ErrorCode.NONE)
  topicId = created.topics[0]?.topicId ?? ZERO_UUID
  assert.notEqual(topicId, ZERO_UUID)
})
after(async () => {
  client.close()
  await broker.destroy()
})

test('ApiVersions advertises the Kafka 4.2 ranges of the APIs served', { timeout: 30_000 }, async () => {
  const { apiKeys } = await client.request(apiVersionsApi, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' })
  const range = (key: number): [number, number] | undefined => {
    const k = apiKeys.find((a) => a.apiKey === key)
    return k === undefined ? undefined : [k.minVersion, k.maxVersion]
  }
  assert.deepEqual(range(ApiKey.Produce), [0, 13])
  assert.deepEqual(range(ApiKey.Fetch), [4, 18])
  assert.deepEqual(range(ApiKey.ListOffsets), [0, 11])
  assert.deepEqual(range(ApiKey.Metadata), [0, 13])
  assert.deepEqual(range(ApiKey.OffsetCommit), [0, 10])
  assert.deepEqual(range(ApiKey.OffsetFetch), [0, 10])
  assert.deepEqual(range(ApiKey.DescribeGroups), [0, 6])
  assert.deepEqual(range(ApiKey.WriteTxnMarkers), [0, 2])
  assert.deepEqual(range(ApiKey.TxnOffsetCommit), [0, 5])
  assert.deepEqual(range(ApiKey.DescribeCluster), [0, 2])
  assert.deepEqual(range(ApiKey.ListTransactions), [0, 2])
})

test('Produce v13 writes by topic id; an unknown id is UNKNOWN_TOPIC_ID and creates nothing', { timeout: 30_000 }, async () => {
  const records = await batchOf(['a', 'b'])
  const produced = await client.request(produceApi, 13, {
    transactionalId: null, acks: -1, timeoutMs: 5000,
    topicData: [
      { topicId, partitionData: [{ index: 1, records }, { index: 9, records }] },
      { topicId: UNKNOWN_ID, partitionData: [{ index: 0, records }] }
    ]
  })
  assert.deepEqual(produced.responses.map((t) => [t.topicId, t.partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset])]), [
    [topicId, [[1, ErrorCode.NONE, 0n], [9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n]]],
    [UNKNOWN_ID, [[0, ErrorCode.UNKNOWN_TOPIC_ID, -1n]]]
  ])
  const metadata = await client.request(metadataApi, 13, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })
  assert.deepEqual(metadata.topics.map((t) => t.name).sort(), ['ids'], 'auto-creation cannot apply to an id')

  // Fetch v17 and v18 (with the follower-only tags set) read it back by id.
  for (const version of [17, 18]) {
    const body = fetchBody('', 0n, { topicId, partition: 1 })
    const fetched = await client.request(fetchApi, version, {
      ...body,
      topics: body.topics.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, replicaDirectoryId: UNKNOWN_ID, highWatermark: 1n })) }))
    })
    assert.equal(fetched.responses[0]?.topicId, topicId)
    assert.deepEqual(await fetchedValues(fetched), [[0, 'a'], [1, 'b']], `Fetch v${version}`)
  }
  const unknown = await client.request(fetchApi, 18, fetchBody('', 0n, { topicId: UNKNOWN_ID }))
  assert.equal(unknown.responses[0]?.partitions[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_ID)
})

test('Produce v12 writes by name as v11 does, auto-creating', { timeout: 30_000 }, async () => {
  const produced = await client.request(produceApi, 12, {
    transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: 'v12-auto', partitionData: [{ index: 0, records: await batchOf(['x']) }] }]
  })
  assert.deepEqual(produced.responses.map((t) => [t.name, t.partitionResponses[0]?.errorCode]), [['v12-auto', ErrorCode.NONE]])
})

test('OffsetCommit v10 and OffsetFetch v10 name topics by id; names and ids see the same offsets', { timeout: 30_000 }, async () => {
  await client.request(findCoordinatorApi, 0, { key: 'g10' })
  const partition = (partitionIndex: number, committedOffset: bigint) => ({ partitionIndex, committedOffset, committedLeaderEpoch: -1, committedMetadata: 'm' })
  const committed = await client.request(offsetCommitApi, 10, {
    groupId: 'g10', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null,
    topics: [{ topicId, partitions: [partition(0, 5n), partition(4, 1n)] }, { topicId: UNKNOWN_ID, partitions: [partition(0, 1n)] }]
  })
  assert.deepEqual(committed.topics.map((t) => [t.topicId, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]), [
    [topicId, [[0, ErrorCode.NONE], [4, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
    [UNKNOWN_ID, [[0, ErrorCode.UNKNOWN_TOPIC_ID]]]
  ])
  // A v9 commit by name, read back by id at v10.
  await client.request(offsetCommitApi, 9, {
    groupId: 'g10', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'ids', partitions: [partition(1, 7n)] }]
  })

  const byId = await client.request(offsetFetchApi, 10, {
    groups: [{ groupId: 'g10', memberId: null, memberEpoch: -1, topics: [{ topicId, partitionIndexes: [0, 1] }, { topicId: UNKNOWN_ID, partitionIndexes: [3] }] }],
    requireStable: false
  })
  assert.deepEqual(byId.groups?.[0]?.topics.map((t) => [t.topicId, t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.errorCode])]), [
    [topicId, [[0, 5n, ErrorCode.NONE], [1, 7n, ErrorCode.NONE]]],
    [UNKNOWN_ID, [[3, -1n, ErrorCode.UNKNOWN_TOPIC_ID]]]
  ])
  const all = await client.request(offsetFetchApi, 10, { groups: [{ groupId: 'g10', memberId: null, memberEpoch: -1, topics: null }], requireStable: false })
  assert.deepEqual(all.groups?.[0]?.topics.map((t) => [t.topicId, t.partitions.map((p) => [p.partitionIndex, p.committedOffset]).sort()]), [
    [topicId, [[0, 5n], [1, 7n]]]
  ])
  const byName = await client.request(offsetFetchApi, 9, {
    groups: [{ groupId: 'g10', memberId: null, memberEpoch: -1, topics: [{ name: 'ids', partitionIndexes: [0] }] }], requireStable: false
  })
  assert.equal(byName.groups?.[0]?.topics[0]?.partitions[0]?.committedOffset, 5n)
})

test('Metadata v13 answers a top-level error code of NONE', { timeout: 30_000 }, async () => {
  const frame = await client.requestRaw(metadataApi, 13, { topics: [{ topicId: ZERO_UUID, name: 'ids' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })
  // The response ends with the int16 error code, then the empty tag section.
  assert.deepEqual([...frame.subarray(frame.length - 3)], [0, 0, 0])
  const decoded = await client.request(metadataApi, 13, { topics: [{ topicId: ZERO_UUID, name: 'ids' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })
  assert.equal(decoded.errorCode, ErrorCode.NONE)
  assert.equal(decoded.topics[0]?.topicId, topicId)
})

test('ListOffsets v9-11: latest tiered (-5) and earliest pending upload (-6) are -1 without remote storage', { timeout: 30_000 }, async () => {
  const ask = async (version: number, timestamp: bigint): Promise<[number | undefined, bigint | undefined, bigint | undefined]> => {
    const r = await client.request(listOffsetsApi, version, {
      replicaId: -1, isolationLevel: 0, timeoutMs: 1000, topics: [{ name: 'ids', partitions: [{ partitionIndex: 1, currentLeaderEpoch: -1, timestamp }] }]
    })
    const p = r.topics[0]?.partitions[0]
    return [p?.errorCode, p?.offset, p?.timestamp]
  }
  assert.deepEqual(await ask(9, -5n), [ErrorCode.NONE, -1n, -1n])
  assert.deepEqual(await ask(11, -6n), [ErrorCode.NONE, -1n, -1n])
  assert.deepEqual(await ask(11, -1n), [ErrorCode.NONE, 2n, -1n], 'latest still answers the log end')
  assert.deepEqual(await ask(10, -2n), [ErrorCode.NONE, 0n, -1n])
})

test('DescribeGroups v6 answers GROUP_ID_NOT_FOUND with a message for an unknown group; v5 describes it Dead', { timeout: 30_000 }, async () => {
  await client.request(findCoordinatorApi, 0, { key: 'nobody' })
  const v6 = await client.request(describeGroupsApi, 6, { groups: ['nobody'], includeAuthorizedOperations: true })
  assert.deepEqual(v6.groups.map((g) => [g.groupId, g.errorCode, g.errorMessage, g.groupState]), [['nobody', ErrorCode.GROUP_ID_NOT_FOUND, 'Group nobody not found.', 'Dead']])
  const v5 = await client.request(describeGroupsApi, 5, { groups: ['nobody'], includeAuthorizedOperations: true })
  assert.deepEqual(v5.groups.map((g) => [g.errorCode, g.groupState]), [[ErrorCode.NONE, 'Dead']])
  // A group that exists (it has offsets) is described without error at v6.
  const known = await client.request(describeGroupsApi, 6, { groups: ['g10'], includeAuthorizedOperations: false })
  assert.deepEqual(known.groups.map((g) => [g.errorCode, g.errorMessage, g.groupState]), [[ErrorCode.NONE, null, 'Empty']])
})

test('DescribeCluster v2 lists this broker as not fenced, whether or not fenced brokers are asked for', { timeout: 30_000 }, async () => {
  for (const includeFencedBrokers of [false, true]) {
    const r = await client.request(describeClusterApi, 2, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers })
    assert.equal(r.errorCode, ErrorCode.NONE)
    assert.deepEqual(r.brokers.map((b) => [b.brokerId, b.port, b.isFenced]), [[broker.nodeId, broker.port, false]])
  }
})
