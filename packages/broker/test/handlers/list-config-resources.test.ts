// ListConfigResources (ListClientMetricsResources before Kafka 4.1) over a real socket.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createTopicsApi, ErrorCode, incrementalAlterConfigsApi, listConfigResourcesApi } from '@brook/protocol'
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

test('v1 lists the groups that have config overrides', { timeout: 10_000 }, async () => {
  const altered = await client.request(incrementalAlterConfigsApi, 1, {
    resources: [{ resourceType: 32, resourceName: 'lcr-group', configs: [{ name: 'consumer.session.timeout.ms', configOperation: 0, value: '50000' }] }],
    validateOnly: false
  })
  assert.equal(altered.responses[0]?.errorCode, ErrorCode.NONE)
  const groups = await client.request(listConfigResourcesApi, 1, { resourceTypes: [32] })
  assert.deepEqual(groups.configResources, [{ resourceName: 'lcr-group', resourceType: 32 }])
  const all = await client.request(listConfigResourcesApi, 1, { resourceTypes: [] })
  assert.deepEqual(all.configResources[0], { resourceName: 'lcr-group', resourceType: 32 }, 'groups come first, as Kafka lists them')
})
