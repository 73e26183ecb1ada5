// The versions Kafka added up to 4.2, byte by byte: each expected encoding is written out by hand
// from the wire rules (compact lengths are length + 1, tagged sections are a count then
// tag/size/value), so a schema edit that moves, retypes or drops a field fails here even when the
// generic round trip (codec.test.ts) still passes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { describeClusterApi } from '../../src/messages/describe-cluster.js'
import { describeGroupsApi } from '../../src/messages/describe-groups.js'
import { fetchApi, type FetchRequest } from '../../src/messages/fetch.js'
import { listOffsetsApi } from '../../src/messages/list-offsets.js'
import { listTransactionsApi } from '../../src/messages/list-transactions.js'
import { metadataApi, type MetadataResponse } from '../../src/messages/metadata.js'
import { offsetCommitApi } from '../../src/messages/offset-commit.js'
import { offsetFetchApi } from '../../src/messages/offset-fetch.js'
import { produceApi, type ProduceRequest } from '../../src/messages/produce.js'
import { txnOffsetCommitApi } from '../../src/messages/txn-offset-commit.js'
import { writeTxnMarkersApi } from '../../src/messages/write-txn-markers.js'
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../src/schema/codec.js'
import type { ApiSchema } from '../../src/schema/types.js'
import { Reader } from '../../src/primitives/reader.js'
import { Writer } from '../../src/primitives/writer.js'

const TOPIC_ID = '01020304-0506-0708-090a-0b0c0d0e0f10'
const TOPIC_ID_HEX = '0102030405060708090a0b0c0d0e0f10'

/** Hex with spaces and | allowed for readability. */
const bytes = (hex: string): Buffer => Buffer.from(hex.replace(/[\s|]/g, ''), 'hex')

function requestBytes<Req> (api: ApiSchema<Req, unknown>, version: number, body: Req): Buffer {
  const w = new Writer()
  encodeRequest(api, version, body, w)
  return w.toBuffer()
}

function responseBytes<Res> (api: ApiSchema<unknown, Res>, version: number, body: Res): Buffer {
  const w = new Writer()
  encodeResponse(api, version, body, w)
  return w.toBuffer()
}

function decodedRequest<Req> (api: ApiSchema<Req, unknown>, version: number, buf: Buffer): Req {
  const r = new Reader(buf)
  const value = decodeRequest(api, version, r)
  assert.equal(r.remaining, 0)
  return value
}

function decodedResponse<Res> (api: ApiSchema<unknown, Res>, version: number, buf: Buffer): Res {
  const r = new Reader(buf)
  const value = decodeResponse(api, version, r)
  assert.equal(r.remaining, 0)
  return value
}

test('the new top versions are in the schemas', { timeout: 10_000 }, () => {
  const tops: Array<[ApiSchema, number]> = [
    [produceApi, 13], [fetchApi, 18], [listOffsetsApi, 11], [metadataApi, 13], [offsetCommitApi, 10], [offsetFetchApi, 10],
    [describeGroupsApi, 6], [writeTxnMarkersApi, 2], [txnOffsetCommitApi, 5], [describeClusterApi, 2], [listTransactionsApi, 2]
  ]
  for (const [api, max] of tops) assert.equal(api.validVersions.max, max, api.name)
})

test('Produce v13 names topics by id, v12 by name (request and response)', { timeout: 10_000 }, () => {
  const partitionData = [{ index: 0, records: null }]
  const v13: ProduceRequest = { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ topicId: TOPIC_ID, partitionData }] }
  const expected13 = bytes(`00 ffff 000003e8 | 02 ${TOPIC_ID_HEX} 02 00000000 00 00 00 | 00`)
  assert.deepEqual(requestBytes(produceApi, 13, v13), expected13)
  assert.deepEqual(decodedRequest(produceApi, 13, expected13).topicData[0]?.topicId, TOPIC_ID)
  const v12: ProduceRequest = { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData }] }
  assert.deepEqual(requestBytes(produceApi, 12, v12), bytes('00 ffff 000003e8 | 02 0274 02 00000000 00 00 00 | 00'))
  // The same v12 body at v11: v12 adds no field.
  assert.deepEqual(requestBytes(produceApi, 12, v12), requestBytes(produceApi, 11, v12))

  const partitionResponses = [{ index: 1, errorCode: 100, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage: null }]
  const response = responseBytes(produceApi, 13, { responses: [{ topicId: TOPIC_ID, partitionResponses }], throttleTimeMs: 0 })
  assert.deepEqual(response, bytes(`02 ${TOPIC_ID_HEX} 02 00000001 0064 ffffffffffffffff ffffffffffffffff ffffffffffffffff 01 00 00 00 | 00000000 00`))
  assert.equal(decodedResponse(produceApi, 13, response).responses[0]?.topicId, TOPIC_ID)
})

test('Fetch v18 carries the replica high watermark as tag 1 of a partition, only when set', { timeout: 10_000 }, () => {
  const request = (highWatermark?: bigint): FetchRequest => ({
    replicaState: { replicaId: -1, replicaEpoch: -1n },
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topicId: TOPIC_ID, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1024, ...(highWatermark === undefined ? {} : { highWatermark }) }] }],
    forgottenTopicsData: [],
    rackId: ''
  })
  const partition = '00000000 ffffffff 0000000000000000 ffffffff ffffffffffffffff 00000400'
  const head = '00000000 00000001 00000400 00 00000000 ffffffff'
  assert.deepEqual(requestBytes(fetchApi, 18, request()), bytes(`${head} 02 ${TOPIC_ID_HEX} 02 ${partition} 00 00 01 01 00`))
  const withHw = requestBytes(fetchApi, 18, request(5n))
  assert.deepEqual(withHw, bytes(`${head} 02 ${TOPIC_ID_HEX} 02 ${partition} 01 01 08 0000000000000005 00 01 01 00`))
  assert.equal(decodedRequest(fetchApi, 18, withHw).topics[0]?.partitions[0]?.highWatermark, 5n)
  // v17 has no such tag: the value is not sent.
  assert.deepEqual(requestBytes(fetchApi, 17, request(5n)), bytes(`${head} 02 ${TOPIC_ID_HEX} 02 ${partition} 00 00 01 01 00`))
})

test('Metadata v13 ends the response with a top-level error code', { timeout: 10_000 }, () => {
  const body: MetadataResponse = { throttleTimeMs: 0, brokers: [], clusterId: null, controllerId: -1, topics: [], errorCode: 129 }
  assert.deepEqual(responseBytes(metadataApi, 13, body), bytes('00000000 01 00 ffffffff 01 0081 00'))
  assert.deepEqual(responseBytes(metadataApi, 12, body), bytes('00000000 01 00 ffffffff 01 00'))
  assert.equal(decodedResponse(metadataApi, 13, bytes('00000000 01 00 ffffffff 01 0081 00')).errorCode, 129)
})

test('OffsetCommit v10 and OffsetFetch v10 name topics by id', { timeout: 10_000 }, () => {
  const commit = requestBytes(offsetCommitApi, 10, {
    groupId: 'g', generationIdOrMemberEpoch: 3, memberId: 'm', groupInstanceId: null,
    topics: [{ topicId: TOPIC_ID, partitions: [{ partitionIndex: 2, committedOffset: 7n, committedLeaderEpoch: -1, committedMetadata: null }] }]
  })
  assert.deepEqual(commit, bytes(`0267 00000003 026d 00 | 02 ${TOPIC_ID_HEX} 02 00000002 0000000000000007 ffffffff 00 00 00 | 00`))
  assert.equal(decodedRequest(offsetCommitApi, 10, commit).topics[0]?.topicId, TOPIC_ID)
  assert.deepEqual(
    responseBytes(offsetCommitApi, 10, { throttleTimeMs: 0, topics: [{ topicId: TOPIC_ID, partitions: [{ partitionIndex: 2, errorCode: 100 }] }] }),
    bytes(`00000000 02 ${TOPIC_ID_HEX} 02 00000002 0064 00 00 00`))
  // v9 still names the topic.
  assert.deepEqual(
    responseBytes(offsetCommitApi, 9, { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 2, errorCode: 0 }] }] }),
    bytes('00000000 02 0274 02 00000002 0000 00 00 00'))

  const fetch = requestBytes(offsetFetchApi, 10, {
    groups: [{ groupId: 'g', memberId: null, memberEpoch: -1, topics: [{ topicId: TOPIC_ID, partitionIndexes: [0] }] }], requireStable: false
  })
  assert.deepEqual(fetch, bytes(`02 0267 00 ffffffff 02 ${TOPIC_ID_HEX} 02 00000000 00 00 | 00 00`))
  const fetched = responseBytes(offsetFetchApi, 10, {
    throttleTimeMs: 0,
    groups: [{ groupId: 'g', topics: [{ topicId: TOPIC_ID, partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] }], errorCode: 0 }]
  })
  assert.deepEqual(fetched, bytes(`00000000 02 0267 02 ${TOPIC_ID_HEX} 02 00000000 0000000000000005 ffffffff 01 0000 00 00 0000 00 00`))
})

test('DescribeGroups v6 has an error message after the error code', { timeout: 10_000 }, () => {
  const group = { errorCode: 69, errorMessage: 'm', groupId: 'g', groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 }
  assert.deepEqual(responseBytes(describeGroupsApi, 6, { throttleTimeMs: 0, groups: [group] }),
    bytes('00000000 02 0045 026d 0267 05 44656164 01 01 01 80000000 00 00'))
  assert.deepEqual(responseBytes(describeGroupsApi, 5, { throttleTimeMs: 0, groups: [group] }),
    bytes('00000000 02 0045 0267 05 44656164 01 01 01 80000000 00 00'))
})

test('WriteTxnMarkers v2 ends each marker with its transaction version', { timeout: 10_000 }, () => {
  const marker = { producerId: 9n, producerEpoch: 1, transactionResult: true, topics: [{ name: 't', partitionIndexes: [0] }], coordinatorEpoch: 4, transactionVersion: 2 }
  const v2 = requestBytes(writeTxnMarkersApi, 2, { markers: [marker] })
  assert.deepEqual(v2, bytes('02 0000000000000009 0001 01 02 0274 02 00000000 00 00000004 02 00 00'))
  assert.equal(decodedRequest(writeTxnMarkersApi, 2, v2).markers[0]?.transactionVersion, 2)
  assert.deepEqual(requestBytes(writeTxnMarkersApi, 1, { markers: [marker] }), bytes('02 0000000000000009 0001 01 02 0274 02 00000000 00 00000004 00 00'))
})

test('DescribeCluster v2 asks for fenced brokers and says which are', { timeout: 10_000 }, () => {
  assert.deepEqual(requestBytes(describeClusterApi, 2, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: true }), bytes('00 01 01 00'))
  const response = responseBytes(describeClusterApi, 2, {
    throttleTimeMs: 0, errorCode: 0, errorMessage: null, endpointType: 1, clusterId: 'c', controllerId: 1,
    brokers: [{ brokerId: 1, host: 'h', port: 9092, rack: null, isFenced: true }], clusterAuthorizedOperations: -2147483648
  })
  assert.deepEqual(response, bytes('00000000 0000 00 01 0263 00000001 02 00000001 0268 00002384 00 01 00 80000000 00'))
})

test('ListTransactions v2 carries a transactional id pattern', { timeout: 10_000 }, () => {
  const v2 = requestBytes(listTransactionsApi, 2, { stateFilters: [], producerIdFilters: [], durationFilter: -1n, transactionalIdPattern: 'a.*' })
  assert.deepEqual(v2, bytes('01 01 ffffffffffffffff 04 612e2a 00'))
  assert.equal(decodedRequest(listTransactionsApi, 2, v2).transactionalIdPattern, 'a.*')
  assert.equal(decodedRequest(listTransactionsApi, 2, bytes('01 01 ffffffffffffffff 00 00')).transactionalIdPattern, null)
})

test('ListOffsets v11 and TxnOffsetCommit v5 add versions, not fields', { timeout: 10_000 }, () => {
  const listOffsets = { replicaId: -1, isolationLevel: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -6n }] }], timeoutMs: 100 }
  assert.deepEqual(requestBytes(listOffsetsApi, 11, listOffsets), requestBytes(listOffsetsApi, 10, listOffsets))
  const commit = {
    transactionalId: 'x', groupId: 'g', producerId: 1n, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }]
  }
  assert.deepEqual(requestBytes(txnOffsetCommitApi, 5, commit), requestBytes(txnOffsetCommitApi, 3, commit))
})
