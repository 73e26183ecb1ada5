// ListConfigResources (74), renamed from ListClientMetricsResources in Kafka 4.1: the bytes of
// both versions, written out by hand from the Kafka 4.2 layout.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { listConfigResourcesApi } from '../../src/messages/list-config-resources.js'
import { apiByKey } from '../../src/messages/index.js'
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../src/schema/codec.js'
import { Reader } from '../../src/primitives/reader.js'
import { Writer } from '../../src/primitives/writer.js'

function bytesOf (write: (w: Writer) => void): Buffer {
  const w = new Writer()
  write(w)
  return Buffer.concat(w.toBuffers())
}

test('key 74 is ListConfigResources, v0-1', { timeout: 5_000 }, () => {
  assert.equal(apiByKey(74), listConfigResourcesApi)
  assert.equal(listConfigResourcesApi.name, 'ListConfigResources')
  assert.deepEqual(listConfigResourcesApi.validVersions, { min: 0, max: 1 })
})

test('v1 carries resource types in the request and a type per resource', { timeout: 5_000 }, () => {
  // compact array of 2 int8 (length+1 = 3), tagged fields (0)
  const request = Buffer.from([0x03, 0x02, 0x10, 0x00])
  assert.deepEqual(bytesOf((w) => encodeRequest(listConfigResourcesApi, 1, { resourceTypes: [2, 16] }, w)), request)
  assert.deepEqual(decodeRequest(listConfigResourcesApi, 1, new Reader(request)), { resourceTypes: [2, 16] })
  // throttle 0, error 0, compact array of 1: compact string "t", type 2, tagged; tagged
  const response = Buffer.from([0, 0, 0, 0, 0, 0, 0x02, 0x02, 0x74, 0x02, 0x00, 0x00])
  const body = { throttleTimeMs: 0, errorCode: 0, configResources: [{ resourceName: 't', resourceType: 2 }] }
  assert.deepEqual(bytesOf((w) => encodeResponse(listConfigResourcesApi, 1, body, w)), response)
  assert.deepEqual(decodeResponse(listConfigResourcesApi, 1, new Reader(response)), body)
})

test('v0 has an empty request and resources without a type (client metrics)', { timeout: 5_000 }, () => {
  assert.deepEqual(bytesOf((w) => encodeRequest(listConfigResourcesApi, 0, {}, w)), Buffer.from([0x00]))
  const response = Buffer.from([0, 0, 0, 0, 0, 0, 0x02, 0x02, 0x6d, 0x00, 0x00])
  assert.deepEqual(bytesOf((w) => encodeResponse(listConfigResourcesApi, 0, { throttleTimeMs: 0, errorCode: 0, configResources: [{ resourceName: 'm' }] }, w)), response)
  // Absent before v1, the type reads as Kafka's default: client metrics (16).
  assert.deepEqual(decodeResponse(listConfigResourcesApi, 0, new Reader(response)).configResources, [{ resourceName: 'm', resourceType: 16 }])
})
