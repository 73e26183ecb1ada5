import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  decodeRequestHeader, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame, readCorrelationId,
  requestHeaderVersion, responseHeaderVersion
} from '../src/header.js'
import { decodeRequest } from '../src/schema/codec.js'
import { Reader } from '../src/primitives/reader.js'
import { ApiKey } from '../src/api-keys.js'
import { apiVersionsApi } from '../src/messages/api-versions.js'
import { metadataApi } from '../src/messages/metadata.js'
import { produceApi } from '../src/messages/produce.js'
import { controlledShutdownApi } from '../src/messages/controlled-shutdown.js'
import { ProtocolError } from '../src/protocol-error.js'

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const ascii = (s: string): string => Buffer.from(s).toString('hex')

// Hand-derived from the protocol guide's layouts (size prefix included).
// ApiVersions v3 request as librdkafka sends it: header v2 (clientId is a classic STRING even here),
// then compact strings for the software name/version, and an empty tag section after each.
const API_VERSIONS_V3_REQUEST = hex('00000024' + '0012 0003 00000001' + '0007' + ascii('rdkafka') + '00' +
  '0b' + ascii('librdkafka') + '06' + ascii('2.3.0') + '00')
// Metadata v1 request: header v1, topics as a classic array of classic strings.
const METADATA_V1_REQUEST = hex('00000017' + '0003 0001 00000002' + '0004' + ascii('test') + '00000001' + '0003' + ascii('foo'))
// Metadata v12 request: header v2 with client id; topics null (compact 0), allowAutoTopicCreation
// true, includeTopicAuthorizedOperations false, no tags.
const METADATA_V12_REQUEST = hex('00000014' + '0003 000c 00000007' + '0005' + ascii('brook') + '00' + '00 01 00 00')
// ApiVersions v3 response: flexible body (compact array, per-entry tags) but response header v0.
const API_VERSIONS_V3_RESPONSE = hex('0000001a' + '00000001' + '0000' + '03' + '0000 0000 000b 00' + '0012 0000 0004 00' + '00000000' + '00')

function frameOf (parts: Buffer[]): Buffer { return Buffer.concat(parts) }

test('golden: ApiVersions v3 request from a librdkafka-like client', () => {
  const r = new Reader(API_VERSIONS_V3_REQUEST, 4)
  assert.deepEqual(decodeRequestHeader(r), { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka', headerVersion: 2 })
  assert.deepEqual(decodeRequest(apiVersionsApi, 3, r), { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.3.0' })
  assert.equal(r.remaining, 0)
  const encoded = encodeRequestFrame(1, 'rdkafka', apiVersionsApi, 3, { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.3.0' })
  assert.equal(frameOf(encoded).toString('hex'), API_VERSIONS_V3_REQUEST.toString('hex'))
})

test('golden: Metadata v1 request', () => {
  const r = new Reader(METADATA_V1_REQUEST, 4)
  assert.deepEqual(decodeRequestHeader(r), { apiKey: 3, apiVersion: 1, correlationId: 2, clientId: 'test', headerVersion: 1 })
  const body = decodeRequest(metadataApi, 1, r)
  assert.deepEqual(body.topics, [{ topicId: '00000000-0000-0000-0000-000000000000', name: 'foo' }])
  assert.equal(body.allowAutoTopicCreation, true, 'absent before v4: the schema default (true)')
  assert.equal(frameOf(encodeRequestFrame(2, 'test', metadataApi, 1, { topics: [{ name: 'foo' }] })).toString('hex'),
    METADATA_V1_REQUEST.toString('hex'))
})

test('golden: flexible request header v2 with a client id (Metadata v12)', () => {
  const r = new Reader(METADATA_V12_REQUEST, 4)
  assert.deepEqual(decodeRequestHeader(r), { apiKey: 3, apiVersion: 12, correlationId: 7, clientId: 'brook', headerVersion: 2 })
  assert.deepEqual(decodeRequest(metadataApi, 12, r), {
    topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false
  })
  assert.equal(frameOf(encodeRequestFrame(7, 'brook', metadataApi, 12, { topics: null, includeTopicAuthorizedOperations: false })).toString('hex'),
    METADATA_V12_REQUEST.toString('hex'))
})

test('golden: ApiVersions v3 response has a flexible body behind a v0 header', () => {
  const body = { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 11 }, { apiKey: 18, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 0 }
  assert.equal(frameOf(encodeResponseFrame(1, apiVersionsApi, 3, body)).toString('hex'), API_VERSIONS_V3_RESPONSE.toString('hex'))
  const decoded = decodeResponseFrame(API_VERSIONS_V3_RESPONSE.subarray(4), apiVersionsApi, 3)
  assert.equal(decoded.correlationId, 1)
  assert.deepEqual(decoded.body.apiKeys, body.apiKeys)
})

test('ApiVersions v0 answer (the fallback for unknown versions) lists keys without tags', () => {
  const frame = frameOf(encodeResponseFrame(9, apiVersionsApi, 0, { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }] }))
  assert.equal(frame.toString('hex'), '00000010' + '00000009' + '0023' + '00000001' + '0012 0000 0004'.replace(/ /g, ''))
})

test('other flexible responses carry the v1 header tag byte', () => {
  const frame = frameOf(encodeResponseFrame(5, produceApi, 9, { responses: [], throttleTimeMs: 0 }))
  // correlation id, header tags, empty compact array, throttle, body tags
  assert.equal(frame.toString('hex'), '0000000b' + '00000005' + '00' + '01' + '00000000' + '00')
  assert.equal(readCorrelationId(frame.subarray(4)), 5)
  assert.deepEqual(decodeResponseFrame(frame.subarray(4), produceApi, 9).body, { responses: [], throttleTimeMs: 0, nodeEndpoints: [] })
})

test('header versions: flexible, ControlledShutdown v0, unknown keys, ApiVersions', () => {
  assert.equal(requestHeaderVersion(ApiKey.Produce, 8), 1)
  assert.equal(requestHeaderVersion(ApiKey.Produce, 9), 2)
  assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 0), 0)
  assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 1), 1)
  assert.equal(requestHeaderVersion(999, 0), 1)
  assert.equal(requestHeaderVersion(ApiKey.ApiVersions, 3), 2)
  assert.equal(requestHeaderVersion(ApiKey.ApiVersions, 7), 2, 'an unknown newer ApiVersions is still flexible')
  assert.equal(responseHeaderVersion(ApiKey.ApiVersions, 3), 0)
  assert.equal(responseHeaderVersion(ApiKey.ApiVersions, 4), 0)
  assert.equal(responseHeaderVersion(ApiKey.Fetch, 11), 0)
  assert.equal(responseHeaderVersion(ApiKey.Fetch, 12), 1)
})

test('ControlledShutdown v0 requests have no client id; unknown api keys are read as header v1', () => {
  const cs = new Reader(hex('0007 0000 0000002a 00000003'))
  assert.deepEqual(decodeRequestHeader(cs), { apiKey: 7, apiVersion: 0, correlationId: 42, clientId: null, headerVersion: 0 })
  assert.deepEqual(decodeRequest(controlledShutdownApi, 0, cs), { brokerId: 3, brokerEpoch: -1n })
  const unknown = new Reader(hex('03e7 0000 00000001 ffff beef'))
  assert.deepEqual(decodeRequestHeader(unknown), { apiKey: 999, apiVersion: 0, correlationId: 1, clientId: null, headerVersion: 1 })
  assert.equal(unknown.remaining, 2)
})

test('a flexible header skips tags it does not know', () => {
  const r = new Reader(hex('0003 000c 00000007 0001 61' + '01 05 02 abcd' + 'ee'))
  assert.equal(decodeRequestHeader(r).clientId, 'a')
  assert.equal(r.readUInt8(), 0xee)
})

test('a truncated header throws a ProtocolError', () => {
  const full = METADATA_V12_REQUEST.subarray(4, 4 + 16)
  for (let cut = 0; cut < full.length; cut++) {
    assert.throws(() => decodeRequestHeader(new Reader(full.subarray(0, cut))), ProtocolError)
  }
})

test('a failed encode leaves no partial bytes in the shared frame writer', () => {
  assert.throws(() => encodeResponseFrame(1, produceApi, 9, { responses: [{ name: null as unknown as string, partitionResponses: [] }] }), ProtocolError)
  const frame = frameOf(encodeResponseFrame(2, produceApi, 9, { responses: [], throttleTimeMs: 0 }))
  assert.equal(frame.readInt32BE(0), frame.length - 4)
  assert.equal(frame.readInt32BE(4), 2)
})

test('frames reference large record data instead of copying it', () => {
  const records = Buffer.alloc(10_000, 7)
  const parts = encodeRequestFrame(4, null, produceApi, 9, { acks: 1, timeoutMs: 1, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] })
  assert.ok(parts.includes(records))
  const whole = frameOf(parts)
  assert.equal(whole.readInt32BE(0), whole.length - 4)
  const r = new Reader(whole, 4)
  decodeRequestHeader(r)
  assert.deepEqual(decodeRequest(produceApi, 9, r).topicData[0]?.partitionData[0]?.records, records)
})
