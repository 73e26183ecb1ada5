// ListConfigResources (ListClientMetricsResources before Kafka 4.1) over a real socket.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createTopicsApi, ErrorCode, listConfigResourcesApi } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'

let broker: TestBroker
let client: RawClient

before(async () => {
  broker = await startTestBroker()
  client = await RawClient.connect(broker.bootstrap)
  await client.request(createTopicsApi, 7, { topics: [{ name: 'lcr', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000 })
})
after(async () => {
  client.close()
  await broker.destroy()
})

test('v0 lists client metrics resources (none configured)', { timeout: 10_000 }, async () => {
  const r = await client.request(listConfigResourcesApi, 0, {})
  assert.equal(r.errorCode, ErrorCode.NONE)
  assert.deepEqual(r.configResources, [])
})

test('v1 lists resources by type; an unknown type is UNSUPPORTED_VERSION', { timeout: 10_000 }, async () => {
  const all = await client.request(listConfigResourcesApi, 1, { resourceTypes: [] })
  assert.equal(all.errorCode, ErrorCode.NONE)
  const node = String(broker.nodeId)
  assert.deepEqual(all.configResources, [
    { resourceName: node, resourceType: 8 },
    { resourceName: node, resourceType: 4 },
    { resourceName: 'lcr', resourceType: 2 }
  ])
  const topics = await client.request(listConfigResourcesApi, 1, { resourceTypes: [2] })
  assert.deepEqual(topics.configResources, [{ resourceName: 'lcr', resourceType: 2 }])
  const bad = await client.request(listConfigResourcesApi, 1, { resourceTypes: [2, 99] })
  assert.equal(bad.errorCode, ErrorCode.UNSUPPORTED_VERSION)
  assert.deepEqual(bad.configResources, [])
})
