// ApiVersions v3 advertises feature levels: metadata.version at 3.3-IV3 (7) and group.version 1
// (KIP-848 served); not transaction.version nor share.version.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { apiVersionsApi } from '@brook/protocol'
import { RawClient } from '../helpers/raw-client.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'

let broker: TestBroker
let client: RawClient

before(async () => {
  broker = await startTestBroker()
  client = await RawClient.connect(broker.bootstrap)
})
after(async () => {
  client.close()
  await broker.destroy()
})

test('v3 lists supported and finalized features; transaction and share versions are absent', { timeout: 10_000 }, async () => {
  const r = await client.request(apiVersionsApi, 3, { clientSoftwareName: 'brook-test', clientSoftwareVersion: '1' })
  assert.deepEqual(r.supportedFeatures, [{ name: 'metadata.version', minVersion: 7, maxVersion: 7 }, { name: 'group.version', minVersion: 0, maxVersion: 1 }])
  assert.deepEqual(r.finalizedFeatures, [
    { name: 'metadata.version', minVersionLevel: 7, maxVersionLevel: 7 },
    { name: 'group.version', minVersionLevel: 1, maxVersionLevel: 1 }
  ])
  assert.equal(r.finalizedFeaturesEpoch, 0n)
  for (const name of ['transaction.version', 'share.version']) {
    assert.ok(!(r.finalizedFeatures ?? []).some((f) => f.name === name), `${name} is not finalized`)
  }
  const keys = new Set(r.apiKeys.map((k) => k.apiKey))
  for (const key of [23, 34, 35, 68, 71, 72, 74, 75]) assert.ok(keys.has(key), `api ${key} is advertised`)
})
