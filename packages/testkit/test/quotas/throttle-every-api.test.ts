// Throttling happens once, in the request pipeline, for every API whose response has
// throttle_time_ms: a client id whose request_percentage is nearly nothing (0.001 %: 10 µs of
// broker work per second) is told a throttle time on Metadata, DescribeCluster and ListGroups
// alike, while ApiVersions, exempt from the request quota as in Kafka, answers 0. Raw requests,
// each on a fresh connection (a throttled connection is muted, a new one is not).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { alterClientQuotasApi, apiVersionsApi, describeClusterApi, listGroupsApi, metadataApi } from '@brook/protocol'
import { requestTo, startTestBroker, waitFor } from '@brook/testkit'

/** requestTo's client id. */
const CLIENT_ID = 'brook-testkit'

test('request_percentage: every API with throttle_time_ms reports the throttle, ApiVersions is exempt', { timeout: 60_000 }, async () => {
  const broker = await startTestBroker()
  try {
    const altered = await requestTo(broker.port, alterClientQuotasApi, 1, {
      entries: [{ entity: [{ entityType: 'client-id', entityName: CLIENT_ID }], ops: [{ key: 'request_percentage', value: 0.001, remove: false }] }],
      validateOnly: false
    })
    assert.deepEqual(altered.entries.map((e) => e.errorCode), [0])

    const metadata = async (): Promise<number> => (await requestTo(broker.port, metadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).throttleTimeMs ?? 0
    // The first requests spend the tiny burst; from then on every answer carries the debt.
    await waitFor(async () => await metadata() > 0, 30_000, { message: 'Metadata reporting a throttle time' })
    const cluster = await requestTo(broker.port, describeClusterApi, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 })
    assert.ok((cluster.throttleTimeMs ?? 0) > 0, `DescribeCluster throttle_time_ms ${cluster.throttleTimeMs}`)
    const groups = await requestTo(broker.port, listGroupsApi, 5, { statesFilter: [], typesFilter: [] })
    assert.ok((groups.throttleTimeMs ?? 0) > 0, `ListGroups throttle_time_ms ${groups.throttleTimeMs}`)
    const versions = await requestTo(broker.port, apiVersionsApi, 3, { clientSoftwareName: 'brook-testkit', clientSoftwareVersion: '1' })
    assert.equal(versions.errorCode, 0)
    assert.equal(versions.throttleTimeMs, 0, 'ApiVersions is exempt')
  } finally {
    await broker.close()
  }
})
