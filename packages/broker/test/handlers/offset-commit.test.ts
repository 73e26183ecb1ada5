// OffsetCommit and OffsetFetch over the wire across their versions: v0 commits without a
// generation, v1 explicit commit timestamp, v2-v4 retention, v6 leader epoch, unknown partitions;
// OffsetFetch v0-v1 (errors per partition), v2+ all topics (null), v5 leader epoch, v8 groups[].
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createTopicsApi, ErrorCode, findCoordinatorApi, offsetCommitApi, offsetFetchApi } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker } from '../helpers/broker.js'

test('OffsetCommit v0-v9 and OffsetFetch v0-v9', async () => {
  const broker = await startTestBroker({ 'offsets.topic.num.partitions': '3' })
  const client = await RawClient.connect(broker.bootstrap)
  try {
    await client.request(createTopicsApi, 3, { topics: [{ name: 't', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false })
    await client.request(findCoordinatorApi, 0, { key: 'g' })
    const partition = (p: number, offset: bigint, metadata: string | null): {
      partitionIndex: number, committedOffset: bigint, committedLeaderEpoch: number, commitTimestamp: bigint, committedMetadata: string | null
    } => ({ partitionIndex: p, committedOffset: offset, committedLeaderEpoch: 5, commitTimestamp: 1234n, committedMetadata: metadata })

    const v0 = await client.request(offsetCommitApi, 0, { groupId: 'g', topics: [{ name: 't', partitions: [partition(0, 10n, 'zero')] }, { name: 'missing', partitions: [partition(0, 1n, null)] }] })
    assert.deepEqual(v0.topics.map((t) => [t.name, t.partitions[0]?.errorCode]), [['t', ErrorCode.NONE], ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
    const v1 = await client.request(offsetCommitApi, 1, { groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 't', partitions: [partition(1, 20n, 'one'), partition(7, 1n, null)] }] })
    assert.deepEqual(v1.topics[0]?.partitions.map((p) => p.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
    const v9 = await client.request(offsetCommitApi, 9, { groupId: 'g9', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name: 't', partitions: [partition(0, 30n, 'nine')] }] })
    assert.equal(v9.topics[0]?.partitions[0]?.errorCode, ErrorCode.NONE)
    const v9gen = await client.request(offsetCommitApi, 9, { groupId: 'nope', generationIdOrMemberEpoch: 3, memberId: 'm', groupInstanceId: null, topics: [{ name: 't', partitions: [partition(0, 1n, null)] }] })
    assert.equal(v9gen.topics[0]?.partitions[0]?.errorCode, ErrorCode.GROUP_ID_NOT_FOUND)

    const f0 = await client.request(offsetFetchApi, 0, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] })
    assert.deepEqual(f0.topics?.[0]?.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode]),
      [[0, 10n, 'zero', 0], [1, 20n, 'one', 0]])
    const f2 = await client.request(offsetFetchApi, 2, { groupId: 'g', topics: null })
    assert.deepEqual(f2.topics?.flatMap((t) => t.partitions.map((p) => [t.name, p.partitionIndex, p.committedOffset])).sort(), [['t', 0, 10n], ['t', 1, 20n]])
    assert.equal(f2.errorCode, ErrorCode.NONE)
    const f5 = await client.request(offsetFetchApi, 5, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [1] }] })
    assert.equal(f5.topics?.[0]?.partitions[0]?.committedLeaderEpoch, -1, 'v0/v1 commits carry no leader epoch')
    const f8 = await client.request(offsetFetchApi, 8, {
      groups: [{ groupId: 'g9', topics: [{ name: 't', partitionIndexes: [0] }] }, { groupId: 'g', topics: null }, { groupId: 'unknown', topics: [{ name: 't', partitionIndexes: [0] }] }],
      requireStable: true
    })
    assert.deepEqual(f8.groups?.map((g) => [g.groupId, g.errorCode, g.topics.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.committedLeaderEpoch, p.metadata]))]), [
      ['g9', 0, [[0, 30n, 5, 'nine']]],
      ['g', 0, [[0, 10n, -1, 'zero'], [1, 20n, -1, 'one']]],
      ['unknown', 0, [[0, -1n, -1, '']]]
    ])
  } finally {
    client.close()
    await broker.destroy()
  }
})
