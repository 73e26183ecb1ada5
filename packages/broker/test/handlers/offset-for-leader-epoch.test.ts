// OffsetForLeaderEpoch over a real socket: the current epoch (0) ends at the log end offset,
// unknown epochs get (-1, -1), and current_leader_epoch fences as for Fetch.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createTopicsApi, ErrorCode, offsetForLeaderEpochApi, produceApi } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { batchOf, produceBody } from '../helpers/records.js'

let broker: TestBroker
let client: RawClient

before(async () => {
  broker = await startTestBroker()
  client = await RawClient.connect(broker.bootstrap)
  await client.request(createTopicsApi, 7, { topics: [{ name: 'ofle', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000 })
  await client.request(produceApi, 9, produceBody('ofle', await batchOf(['a', 'b', 'c'])))
})
after(async () => {
  client.close()
  await broker.destroy()
})

function ask (partitions: Array<{ partition: number, leaderEpoch: number, currentLeaderEpoch?: number }>, topic = 'ofle') {
  return { replicaId: -1, topics: [{ topic, partitions: partitions.map((p) => ({ currentLeaderEpoch: -1, ...p })) }] }
}

test('answers each epoch as Kafka\'s leader epoch cache would', { timeout: 10_000 }, async () => {
  const r = await client.request(offsetForLeaderEpochApi, 4, ask([
    { partition: 0, leaderEpoch: 0 },
    { partition: 0, leaderEpoch: 3 },
    { partition: 0, leaderEpoch: -1 }
  ]))
  assert.deepEqual(r.topics[0]?.partitions.map((p) => [p.errorCode, p.leaderEpoch, p.endOffset]), [
    [ErrorCode.NONE, 0, 3n],
    [ErrorCode.NONE, -1, -1n],
    [ErrorCode.NONE, -1, -1n]
  ])
})

test('an empty partition leads at epoch 0 from its log start, as a new Kafka leader records it', { timeout: 10_000 }, async () => {
  await client.request(createTopicsApi, 7, { topics: [{ name: 'ofle-empty', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000 })
  const r = await client.request(offsetForLeaderEpochApi, 4, ask([{ partition: 0, leaderEpoch: 0 }], 'ofle-empty'))
  assert.deepEqual(r.topics[0]?.partitions.map((p) => [p.errorCode, p.leaderEpoch, p.endOffset]), [[ErrorCode.NONE, 0, 0n]])
})

test('fences by current_leader_epoch and reports unknown partitions', { timeout: 10_000 }, async () => {
  const fenced = await client.request(offsetForLeaderEpochApi, 3, ask([{ partition: 0, leaderEpoch: 0, currentLeaderEpoch: 1 }]))
  assert.equal(fenced.topics[0]?.partitions[0]?.errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH)
  const unknown = await client.request(offsetForLeaderEpochApi, 2, ask([{ partition: 7, leaderEpoch: 0 }]))
  assert.equal(unknown.topics[0]?.partitions[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  assert.equal(unknown.topics[0]?.partitions[0]?.endOffset, -1n)
  const v0 = await client.request(offsetForLeaderEpochApi, 0, ask([{ partition: 0, leaderEpoch: 0 }]))
  assert.equal(v0.topics[0]?.partitions[0]?.endOffset, 3n)
})
