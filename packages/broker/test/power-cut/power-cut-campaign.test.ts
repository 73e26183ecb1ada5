// A short seeded run of the power-cut campaign (campaign.ts): the broker's partitions on the
// fault-injecting file system, power cuts and process crashes at random operations, recovery
// checked. The long run is bench/reliability/power-cut-campaign.mjs (docs/reliability.md).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runPowerCutCampaign } from './campaign.js'

test('power-cut campaign: 8 seeded rounds lose no acknowledged batch and leave every segment whole', { timeout: 120_000 }, async () => {
  const summary = await runPowerCutCampaign({ rounds: 8, seed: 22 })
  assert.deepEqual(summary.failures, [])
  assert.equal(summary.ackedLost, 0)
  assert.ok(summary.powerCuts > 0 && summary.processCrashes > 0, 'both kinds of fault happened')
  assert.ok(summary.recoveriesInterrupted > 0, 'some recovery was itself interrupted')
  assert.ok(summary.batchesAcked > 100, `acknowledged batches were checked (${summary.batchesAcked})`)
  assert.ok(summary.unackedDropped > 0, 'some unacknowledged data was cut by recovery')
  assert.ok(summary.batchesScanned > 0 && summary.idempotentRetries > 0)
})
