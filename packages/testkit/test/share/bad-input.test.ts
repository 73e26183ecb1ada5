// Share group requests that are wrong in every way Kafka names, sent with Brook's client over a
// real socket: unknown sessions, wrong epochs, overlapping / inverted / out-of-range / foreign
// acknowledgement batches, huge batch lists. Each gets Kafka's error code, nothing is applied,
// and the share-partition state is intact afterwards (the same records are still acquired and
// can be accepted).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Connection } from '@brook/client'
import {
  ErrorCode, shareAcknowledgeApi, shareFetchApi, shareGroupDescribeApi, shareGroupHeartbeatApi, type ShareAcknowledgeResponse, type ShareFetchRequest,
  type ShareFetchResponse
} from '@brook/protocol'
import { startTestBroker } from '@brook/testkit'
import { SHARE_BROKER_CONFIG, prepareQueue } from './helpers.js'

const GROUP = 'bad-input-group'

type Batch = { firstOffset: bigint, lastOffset: bigint, acknowledgeTypes: number[] }

function fetchRequest (memberId: string, epoch: number, topicId: string, acks: Batch[] = [], maxRecords = 5): ShareFetchRequest {
  return {
    groupId: GROUP, memberId, shareSessionEpoch: epoch, maxWaitMs: 200, minBytes: 1, maxBytes: 1 << 20, maxRecords, batchSize: maxRecords,
    topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: acks }] }], forgottenTopicsData: []
  }
}

function partitionOf (r: ShareFetchResponse): ShareFetchResponse['responses'][number]['partitions'][number] {
  const p = r.responses[0]?.partitions[0]
  assert.ok(p !== undefined, 'the partition is answered')
  return p
}

function acquired (r: ShareFetchResponse): Array<[number, number, number]> {
  return partitionOf(r).acquiredRecords.map((a) => [Number(a.firstOffset), Number(a.lastOffset), a.deliveryCount])
}

test('bad share group input: Kafka\'s error codes, nothing applied, no crash', { timeout: 120_000 }, async () => {
  const broker = await startTestBroker(SHARE_BROKER_CONFIG)
  const c = new Connection(broker.host, broker.port, { clientId: 'bad-input' })
  try {
    await prepareQueue(broker.bootstrap, 'bad-q', GROUP, 20)
    await c.connect()

    // Heartbeats: bad requests, unknown members, wrong epochs.
    const hb = async (memberId: string, memberEpoch: number, topics: string[] | null = null): Promise<{ errorCode: number, memberEpoch: number, topicId?: string }> => {
      const r = await c.request(shareGroupHeartbeatApi, { groupId: GROUP, memberId, memberEpoch, rackId: null, subscribedTopicNames: topics })
      return { errorCode: r.errorCode, memberEpoch: r.memberEpoch, topicId: r.assignment?.topicPartitions[0]?.topicId }
    }
    assert.equal((await c.request(shareGroupHeartbeatApi, { groupId: '', memberId: 'x', memberEpoch: 0, rackId: null, subscribedTopicNames: ['bad-q'] })).errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal((await hb('m1', 0, null)).errorCode, ErrorCode.INVALID_REQUEST, 'a join without topics')
    assert.equal((await hb('ghost', 3)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    const joined = await hb('m1', 0, ['bad-q'])
    assert.equal(joined.errorCode, 0)
    const topicId = joined.topicId
    assert.ok(topicId !== undefined, 'the member was assigned the partition')
    assert.equal((await hb('m1', joined.memberEpoch + 5)).errorCode, ErrorCode.FENCED_MEMBER_EPOCH)
    assert.equal((await hb('m2', 0, ['bad-q'])).errorCode, 0)

    // Sessions: none yet, wrong epochs, acknowledgements on the opening fetch.
    assert.equal((await c.request(shareFetchApi, fetchRequest('m1', 4, topicId))).errorCode, ErrorCode.SHARE_SESSION_NOT_FOUND)
    assert.equal((await c.request(shareAcknowledgeApi, { groupId: GROUP, memberId: 'm1', shareSessionEpoch: 0, topics: [] })).errorCode, ErrorCode.INVALID_SHARE_SESSION_EPOCH)
    assert.equal((await c.request(shareAcknowledgeApi, { groupId: GROUP, memberId: 'm1', shareSessionEpoch: 2, topics: [] })).errorCode, ErrorCode.SHARE_SESSION_NOT_FOUND)
    const opening = await c.request(shareFetchApi, fetchRequest('m1', 0, topicId, [{ firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [1] }]))
    assert.equal(opening.errorCode, ErrorCode.INVALID_REQUEST, 'acknowledgements on the opening fetch')
    assert.equal((await c.request(shareFetchApi, { ...fetchRequest('m1', 0, topicId), groupId: null })).errorCode, ErrorCode.INVALID_REQUEST)

    // m1 opens a session and acquires 0-4; m2 acquires 5-9.
    const first = await c.request(shareFetchApi, fetchRequest('m1', 0, topicId))
    assert.equal(first.errorCode, 0)
    assert.deepEqual(acquired(first), [[0, 4, 1]])
    assert.ok((first.acquisitionLockTimeoutMs ?? 0) > 0)
    const other = await c.request(shareFetchApi, fetchRequest('m2', 0, topicId))
    assert.deepEqual(acquired(other), [[5, 9, 1]])
    assert.equal((await c.request(shareFetchApi, fetchRequest('m1', 7, topicId))).errorCode, ErrorCode.INVALID_SHARE_SESSION_EPOCH)

    // Bad acknowledgement batches, each on its own ShareAcknowledge (epochs 1, 2, ...).
    let epoch = 1
    const ack = async (batches: Batch[]): Promise<number> => {
      const r: ShareAcknowledgeResponse = await c.request(shareAcknowledgeApi, { groupId: GROUP, memberId: 'm1', shareSessionEpoch: epoch++, topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: batches }] }] })
      assert.equal(r.errorCode, 0)
      return r.responses[0]?.partitions[0]?.errorCode ?? -1
    }
    const cases: Array<[string, Batch[], number]> = [
      ['overlapping batches', [{ firstOffset: 0n, lastOffset: 2n, acknowledgeTypes: [1] }, { firstOffset: 2n, lastOffset: 3n, acknowledgeTypes: [1] }], ErrorCode.INVALID_REQUEST],
      ['batches out of order', [{ firstOffset: 3n, lastOffset: 4n, acknowledgeTypes: [1] }, { firstOffset: 0n, lastOffset: 1n, acknowledgeTypes: [1] }], ErrorCode.INVALID_REQUEST],
      ['first offset after last', [{ firstOffset: 4n, lastOffset: 1n, acknowledgeTypes: [1] }], ErrorCode.INVALID_REQUEST],
      ['types neither one nor one per offset', [{ firstOffset: 0n, lastOffset: 4n, acknowledgeTypes: [1, 1] }], ErrorCode.INVALID_REQUEST],
      ['unknown acknowledge type', [{ firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [9] }], ErrorCode.INVALID_REQUEST],
      ['renew without IsRenewAck', [{ firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [4] }], ErrorCode.INVALID_REQUEST],
      ['offsets beyond what was delivered', [{ firstOffset: 100n, lastOffset: 200n, acknowledgeTypes: [1] }], ErrorCode.INVALID_RECORD_STATE],
      ['a huge range', [{ firstOffset: 0n, lastOffset: 1n << 62n, acknowledgeTypes: [1] }], ErrorCode.INVALID_RECORD_STATE],
      ['records another member holds', [{ firstOffset: 5n, lastOffset: 6n, acknowledgeTypes: [1] }], ErrorCode.INVALID_RECORD_STATE],
      ['partly mine, partly not', [{ firstOffset: 3n, lastOffset: 6n, acknowledgeTypes: [1] }], ErrorCode.INVALID_RECORD_STATE],
      ['a huge list of batches', Array.from({ length: 20_000 }, (_, i) => ({ firstOffset: BigInt(1000 + 2 * i), lastOffset: BigInt(1000 + 2 * i), acknowledgeTypes: [1] })), ErrorCode.INVALID_RECORD_STATE]
    ]
    for (const [what, batches, code] of cases) assert.equal(await ack(batches), code, what)

    // Nothing was applied: 0-4 are still m1's, and accepting them works.
    assert.equal(await ack([{ firstOffset: 0n, lastOffset: 4n, acknowledgeTypes: [1, 1, 2, 1, 3] }]), 0)
    // Accepting them again is refused (acknowledged records are not acquired).
    assert.equal(await ack([{ firstOffset: 0n, lastOffset: 1n, acknowledgeTypes: [1] }]), ErrorCode.INVALID_RECORD_STATE)
    // The released offset 2 comes back first, with delivery count 2; then new records.
    const next = await c.request(shareFetchApi, fetchRequest('m1', epoch++, topicId))
    assert.deepEqual(acquired(next), [[2, 2, 2], [10, 13, 1]])

    // Describe: both members, each assigned the one partition.
    const d = await c.request(shareGroupDescribeApi, { groupIds: [GROUP, 'no-such-share-group'], includeAuthorizedOperations: false })
    const described = d.groups[0]
    assert.equal(described?.errorCode, 0)
    assert.deepEqual(described?.members.map((m) => m.memberId).sort(), ['m1', 'm2'])
    for (const m of described?.members ?? []) assert.deepEqual(m.assignment.topicPartitions.map((t) => [t.topicName, t.partitions]), [['bad-q', [0]]])
    assert.equal(d.groups[1]?.errorCode, ErrorCode.GROUP_ID_NOT_FOUND)

    // Closing m1's session returns what it still holds.
    const closed = await c.request(shareAcknowledgeApi, { groupId: GROUP, memberId: 'm1', shareSessionEpoch: -1, topics: [] })
    assert.equal(closed.errorCode, 0)
    assert.equal((await c.request(shareAcknowledgeApi, { groupId: GROUP, memberId: 'm1', shareSessionEpoch: epoch, topics: [] })).errorCode, ErrorCode.SHARE_SESSION_NOT_FOUND)
    const m2Next = await c.request(shareFetchApi, fetchRequest('m2', 1, topicId, [], 10))
    assert.deepEqual(acquired(m2Next), [[2, 2, 3], [10, 13, 2], [14, 18, 1]])
  } finally {
    c.close()
    await broker.close()
  }
})

test('RENEW (ShareAcknowledge v2, IsRenewAck) keeps records locked past the lock duration', { timeout: 120_000 }, async () => {
  const broker = await startTestBroker(SHARE_BROKER_CONFIG)
  const c = new Connection(broker.host, broker.port, { clientId: 'renew' })
  try {
    await prepareQueue(broker.bootstrap, 'renew-q', GROUP, 10)
    await c.connect()
    const joined = await c.request(shareGroupHeartbeatApi, { groupId: GROUP, memberId: 'r1', memberEpoch: 0, rackId: null, subscribedTopicNames: ['renew-q'] })
    const topicId = joined.assignment?.topicPartitions[0]?.topicId
    assert.ok(topicId !== undefined)
    const first = await c.request(shareFetchApi, fetchRequest('r1', 0, topicId))
    assert.deepEqual(acquired(first), [[0, 4, 1]])
    const lockMs = first.acquisitionLockTimeoutMs ?? 0
    // Renew twice within the lock; the records outlive two lock durations.
    let epoch = 1
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, lockMs * 0.6))
      const r: ShareAcknowledgeResponse = await c.request(shareAcknowledgeApi, {
        groupId: GROUP, memberId: 'r1', shareSessionEpoch: epoch++, isRenewAck: true,
        topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [{ firstOffset: 0n, lastOffset: 4n, acknowledgeTypes: [4] }] }] }]
      }, { version: 2 })
      assert.equal(r.errorCode, 0)
      assert.equal(r.responses[0]?.partitions[0]?.errorCode, 0)
      assert.ok((r.acquisitionLockTimeoutMs ?? 0) > 0)
    }
    // Past the original lock: another member gets only the records nobody holds.
    const other = await c.request(shareGroupHeartbeatApi, { groupId: GROUP, memberId: 'r2', memberEpoch: 0, rackId: null, subscribedTopicNames: ['renew-q'] })
    assert.equal(other.errorCode, 0)
    const second = await c.request(shareFetchApi, fetchRequest('r2', 0, topicId))
    assert.deepEqual(acquired(second), [[5, 9, 1]])
    const accept = await c.request(shareAcknowledgeApi, {
      groupId: GROUP, memberId: 'r1', shareSessionEpoch: epoch++,
      topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [{ firstOffset: 0n, lastOffset: 4n, acknowledgeTypes: [1] }] }] }]
    }, { version: 2 })
    assert.equal(accept.responses[0]?.partitions[0]?.errorCode, 0, 'the renewed records are still r1\'s')
  } finally {
    c.close()
    await broker.close()
  }
})
