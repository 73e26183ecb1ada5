import { test } from 'node:test'
import assert from 'node:assert/strict'
import { apis } from '../../src/messages/index.js'
import { consumerProtocolAssignment } from '../../src/messages/consumer-protocol-assignment.js'
import { consumerProtocolSubscription } from '../../src/messages/consumer-protocol-subscription.js'
import * as internal from '../../src/internal-records/index.js'
import { fetchApi } from '../../src/messages/fetch.js'
import { apiVersionsApi } from '../../src/messages/api-versions.js'
import { produceApi } from '../../src/messages/produce.js'
import { consumerGroupHeartbeatApi } from '../../src/messages/consumer-group-heartbeat.js'
import { decodeMessage, decodeRequest, decodeResponse, encodeMessage, encodeRequest, encodeResponse } from '../../src/schema/codec.js'
import type { MessageSchema } from '../../src/schema/types.js'
import { parseVersions } from '../../src/schema/versions.js'
import { Reader } from '../../src/primitives/reader.js'
import { Writer } from '../../src/primitives/writer.js'
import { ProtocolError } from '../../src/protocol-error.js'
import { prng } from '@brook/common'
import { sampleMessage } from './sample.js'

function roundTrip (schema: MessageSchema, version: number, seed: number): void {
  const { value, expected } = sampleMessage(schema, version, prng(seed))
  const w = new Writer()
  encodeMessage(schema, version, value, w)
  const bytes = w.toBuffer()
  const r = new Reader(bytes)
  const decoded = decodeMessage(schema, version, r)
  assert.equal(r.remaining, 0, `${schema.name} v${version}: decoder left bytes`)
  assert.deepEqual(decoded, expected, `${schema.name} v${version} seed ${seed}`)
  // Decoding is lossless for what the version carries: re-encoding gives the same bytes.
  encodeMessage(schema, version, decoded, w)
  assert.deepEqual(w.toBuffer(), bytes, `${schema.name} v${version}: re-encode differs`)
}

test('every request and response round-trips at every valid version', () => {
  let n = 0
  for (const api of apis) {
    for (let v = api.validVersions.min; v <= api.validVersions.max; v++) {
      for (let seed = 1; seed <= 3; seed++) {
        roundTrip(api.request, v, api.key * 1000 + v * 10 + seed)
        roundTrip(api.response, v, api.key * 1000 + v * 10 + seed + 5)
        n += 2
      }
    }
  }
  assert.ok(n > 1000)
})

test('internal records and consumer-protocol data round-trip at every valid version', () => {
  const schemas: MessageSchema[] = [consumerProtocolAssignment, consumerProtocolSubscription,
    ...(Object.values(internal) as MessageSchema[])]
  assert.ok(schemas.length >= 38)
  for (const s of schemas) {
    const range = parseVersions(s.validVersions)
    for (let v = range.min; v <= range.max; v++) for (let seed = 1; seed <= 3; seed++) roundTrip(s, v, v * 7 + seed)
  }
})

test('every strict prefix of an encoding is refused with a ProtocolError', () => {
  for (const [api, version] of [[produceApi, 3], [produceApi, 11], [fetchApi, 4], [fetchApi, 16]] as const) {
    for (const schema of [api.request, api.response] as MessageSchema[]) {
      const w = new Writer()
      encodeMessage(schema, version, sampleMessage(schema, version, prng(version)).value, w)
      const bytes = w.toBuffer()
      for (let cut = 0; cut < bytes.length; cut++) {
        assert.throws(() => decodeMessage(schema, version, new Reader(bytes.subarray(0, cut))), ProtocolError,
          `${schema.name} v${version} cut at ${cut}`)
      }
    }
  }
})

test('versions outside validVersions are refused', () => {
  assert.throws(() => decodeRequest(produceApi, 14, new Reader(Buffer.alloc(100))),
    (e: unknown) => e instanceof ProtocolError && e.code === 'BROOK_ERR_UNSUPPORTED_VERSION')
  assert.throws(() => encodeResponse(produceApi, -1, { responses: [] }, new Writer()), ProtocolError)
})

test('records given as chunks are written back to back and decode as one view', () => {
  const a = Buffer.alloc(700, 1)
  const b = Buffer.alloc(900, 2)
  for (const version of [4, 12]) {
    const w = new Writer()
    encodeResponse(fetchApi, version, {
      responses: [{ topic: 't', topicId: 'e6a6c3a4-62d3-4b5c-9e5e-0c0a0b0c0d0e', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 10n, records: [a, b] }] }]
    }, w)
    const parts = w.toBuffers()
    assert.ok(parts.includes(a) && parts.includes(b), 'chunks are referenced, not copied')
    const res = decodeResponse(fetchApi, version, new Reader(Buffer.concat(parts)))
    assert.deepEqual(res.responses[0]?.partitions[0]?.records, Buffer.concat([a, b]))
  }
})

test('decoded bytes and records are views of the frame', () => {
  const w = new Writer()
  const records = Buffer.alloc(600, 3)
  encodeRequest(produceApi, 9, { acks: 1, timeoutMs: 5, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] }, w)
  const frame = w.toBuffer()
  const req = decodeRequest(produceApi, 9, new Reader(frame))
  const got = req.topicData[0]?.partitionData[0]?.records
  assert.ok(got !== null && got !== undefined)
  assert.equal(got.buffer, frame.buffer)
})

test('tagged fields are sent only when they differ from the default', () => {
  const base = { errorCode: 0, apiKeys: [], throttleTimeMs: 0 }
  const bare = new Writer()
  encodeResponse(apiVersionsApi, 3, base, bare)
  // errorCode, empty compact array, throttle, no tags
  assert.equal(bare.toBuffer().toString('hex'), '0000' + '01' + '00000000' + '00')
  const tagged = new Writer()
  encodeResponse(apiVersionsApi, 3, { ...base, finalizedFeaturesEpoch: -1n, zkMigrationReady: true }, tagged)
  // finalizedFeaturesEpoch at its default (-1) stays out; zkMigrationReady (tag 3) is one byte.
  assert.equal(tagged.toBuffer().toString('hex'), '0000' + '01' + '00000000' + '01' + '03' + '01' + '01')
})

test('unknown tags are skipped, known ones decoded, at any struct level', () => {
  // ApiVersions v3 request: compact strings "a", "b", then 2 tags: 9 (unknown, 3 bytes) and 0 (unknown).
  const body = Buffer.from('02' + '61' + '02' + '62' + '02' + '09' + '03' + 'aabbcc' + '00' + '00', 'hex')
  const r = new Reader(body)
  assert.deepEqual(decodeRequest(apiVersionsApi, 3, r), { clientSoftwareName: 'a', clientSoftwareVersion: 'b' })
  assert.equal(r.remaining, 0)
  const res = Buffer.from('0000' + '01' + '00000000' + '02' + '01' + '08' + 'ffffffffffffff00' + '03' + '01' + '01', 'hex')
  assert.deepEqual(decodeResponse(apiVersionsApi, 3, new Reader(res)), {
    errorCode: 0, apiKeys: [], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -256n, finalizedFeatures: [], zkMigrationReady: true
  })
})

test('fields a version lacks decode to defaults and are ignored on encode', () => {
  const w = new Writer()
  encodeRequest(produceApi, 0, { transactionalId: 'ignored-in-v0', acks: -1, timeoutMs: 30000, topicData: [] }, w)
  const bytes = w.toBuffer()
  assert.equal(bytes.toString('hex'), 'ffff' + '00007530' + '00000000')
  assert.deepEqual(decodeRequest(produceApi, 0, new Reader(bytes)), { transactionalId: null, acks: -1, timeoutMs: 30000, topicData: [] })
})

test('missing (undefined) fields are written as their default', () => {
  const w = new Writer()
  encodeResponse(produceApi, 8, { responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 5n }] }] }, w)
  const res = decodeResponse(produceApi, 8, new Reader(w.toBuffer()))
  assert.deepEqual(res.responses[0]?.partitionResponses[0], {
    index: 0, errorCode: 0, baseOffset: 5n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage: null,
    currentLeader: { leaderId: -1, leaderEpoch: -1 }
  })
  assert.equal(res.throttleTimeMs, 0)
})

test('null where the version forbids it is refused on encode and on decode', () => {
  const nullErr = (e: unknown): boolean => e instanceof ProtocolError && e.code === 'BROOK_ERR_NULL_NOT_ALLOWED'
  // Metadata v0 topics are not nullable (v1+ are).
  assert.throws(() => encodeRequest(apis[3]!, 0, { topics: null }, new Writer()), nullErr)
  assert.throws(() => decodeRequest(apis[3]!, 0, new Reader(Buffer.from('ffffffff', 'hex'))), nullErr)
  assert.deepEqual(decodeRequest(apis[3]!, 1, new Reader(Buffer.from('ffffffff', 'hex'))), {
    topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false
  })
  assert.throws(() => encodeRequest(produceApi, 3, { acks: 1, timeoutMs: 1, topicData: [{ name: null as unknown as string, partitionData: [] }] }, new Writer()), nullErr)
})

test('nullable structs carry a one-byte marker', () => {
  const body = { throttleTimeMs: 0, errorCode: 0, memberEpoch: 1, heartbeatIntervalMs: 3000 }
  const none = new Writer()
  encodeResponse(consumerGroupHeartbeatApi, 0, { ...body, assignment: null }, none)
  // throttle, error, errorMessage null, memberId null, epoch, interval, assignment -1, no tags
  assert.equal(none.toBuffer().toString('hex'), '00000000' + '0000' + '00' + '00' + '00000001' + '00000bb8' + 'ff' + '00')
  const some = new Writer()
  encodeResponse(consumerGroupHeartbeatApi, 0, { ...body, assignment: { topicPartitions: [] } }, some)
  assert.equal(some.toBuffer().toString('hex'), '00000000' + '0000' + '00' + '00' + '00000001' + '00000bb8' + '01' + '01' + '00' + '00')
})

test('golden: a tagged struct (ProduceResponse v10 currentLeader) is sized and sent only when set', () => {
  const partition = { index: 0, errorCode: 6, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage: null }
  const expected = '02' + '0274' + '02' + '00000000' + '0006' + 'ffffffffffffffff'.repeat(3) + '01' + '00' +
    // Partition tags: one, tag 0, 9 bytes: leaderId, leaderEpoch and the struct's own (empty) tag section.
    '01' + '00' + '09' + '00000002' + '00000005' + '00' +
    '00' + '00000000' + '00' // topic tags, throttle, top-level tags (nodeEndpoints empty: not sent)
  const w = new Writer()
  encodeResponse(produceApi, 10, { responses: [{ name: 't', partitionResponses: [{ ...partition, currentLeader: { leaderId: 2, leaderEpoch: 5 } }] }], throttleTimeMs: 0 }, w)
  assert.equal(w.toBuffer().toString('hex'), expected)
  const decoded = decodeResponse(produceApi, 10, new Reader(Buffer.from(expected, 'hex')))
  assert.deepEqual(decoded.responses[0]?.partitionResponses[0]?.currentLeader, { leaderId: 2, leaderEpoch: 5 })
  // At its default ({-1, -1}) the same struct is left out entirely.
  encodeResponse(produceApi, 10, { responses: [{ name: 't', partitionResponses: [{ ...partition, currentLeader: { leaderId: -1, leaderEpoch: -1 } }] }], throttleTimeMs: 0 }, w)
  assert.equal(w.toBuffer().toString('hex'), expected.replace('01' + '00' + '09' + '00000002' + '00000005' + '00', '00'))
})
