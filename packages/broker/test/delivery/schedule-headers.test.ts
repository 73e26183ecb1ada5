// Reading a record's delivery time from brook.deliver.at / brook.delay.ms.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { deliveryTime, MAX_SCHEDULE_AHEAD_MS } from '../../src/delivery/schedule-headers.js'

const NOW = 1_800_000_000_000
const h = (key: string, value: string | null): { key: string, value: Buffer | null } => ({ key, value: value === null ? null : Buffer.from(value) })

test('delivery time headers: due now, scheduled, malformed', { timeout: 5_000 }, () => {
  assert.deepEqual(deliveryTime([], NOW), { kind: 'now' })
  assert.deepEqual(deliveryTime([h('other', '5')], NOW), { kind: 'now' })
  assert.deepEqual(deliveryTime([h('brook.delay.ms', '1500')], NOW), { kind: 'at', at: NOW + 1500 })
  assert.deepEqual(deliveryTime([h('brook.deliver.at', String(NOW + 10))], NOW), { kind: 'at', at: NOW + 10 })
  assert.deepEqual(deliveryTime([h('brook.delay.ms', '99'), h('brook.deliver.at', String(NOW + 10))], NOW), { kind: 'at', at: NOW + 10 }, 'deliver.at wins')
  assert.deepEqual(deliveryTime([h('brook.deliver.at', '1000')], NOW), { kind: 'now' }, 'a past time is due now')
  assert.deepEqual(deliveryTime([h('brook.delay.ms', '0')], NOW), { kind: 'now' })
  assert.deepEqual(deliveryTime([h('brook.delay.ms', ' 20 ')], NOW), { kind: 'at', at: NOW + 20 }, 'surrounding blanks are tolerated')
  for (const bad of ['soon', '-5', '1.5', '', '1e9', '99999999999999999', null]) {
    assert.equal(deliveryTime([h('brook.delay.ms', bad)], NOW).kind, 'malformed', `brook.delay.ms=${String(bad)}`)
  }
  assert.equal(deliveryTime([h('brook.delay.ms', String(MAX_SCHEDULE_AHEAD_MS + 1))], NOW).kind, 'malformed', 'more than ten years ahead')
})
