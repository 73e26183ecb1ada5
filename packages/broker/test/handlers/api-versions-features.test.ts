// ApiVersions v3 advertises feature levels: only metadata.version, finalized at 3.3-IV3 (7).
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

test('v3 lists supported and finalized features; group/transaction/share versions are absent', { timeout: 10_000 }, async () => {
  const r = await client.request(apiVersionsApi, 3, { clientSoftwareName: 'brook-test', clientSoftwareVersion: '1' })
  assert.deepEqual(r.supportedFeatures, [{ name: 'metadata.version', minVersion: 7, maxVersion: 7 }])
  assert.deepEqual(r.finalizedFeatures, [{ name: 'metadata.version', minVersionLevel: 7, maxVersionLevel: 7 }])
  assert.equal(r.finalizedFeaturesEpoch, 0n)
  for (const name of ['group.version', 'transaction.version', 'share.version']) {
    assert.ok(!(r.finalizedFeatures ?? []).some((f) => f.name === name), `${name} is not finalized`)
  }
  const keys = new Set(r.apiKeys.map((k) => k.apiKey))
  for (const key of [23, 34, 35, 71, 72, 74, 75]) assert.ok(keys.has(key), `api ${key} is advertised`)
})
