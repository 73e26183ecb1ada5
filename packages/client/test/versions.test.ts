import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fetchApi, produceApi } from '@brook/protocol'
import { UnsupportedVersionError } from '../src/index.js'
import { clientRange, pickVersion } from '../src/connection/versions.js'

test('picks min(client max, broker max)', { timeout: 5_000 }, () => {
  assert.deepEqual(clientRange(produceApi), { min: 3, max: 13 })
  assert.equal(pickVersion(produceApi, { min: 0, max: 7 }, 'b'), 7)
  assert.equal(pickVersion(produceApi, { min: 0, max: 13 }, 'b'), 13)
  assert.equal(pickVersion(fetchApi, { min: 4, max: 17 }, 'b'), 17)
  assert.equal(pickVersion(fetchApi, { min: 4, max: 12 }, 'b'), 12)
})

test('fails clearly with no common version or an API the broker lacks', { timeout: 5_000 }, () => {
  assert.throws(() => pickVersion(produceApi, { min: 0, max: 2 }, 'broker x:1'), (err: unknown) => {
    assert.ok(err instanceof UnsupportedVersionError)
    assert.match(err.message, /broker x:1 offers Produce versions 0-2 and this client speaks 3-13: no version in common/)
    return true
  })
  assert.throws(() => pickVersion(fetchApi, { min: 0, max: 3 }, 'b'), UnsupportedVersionError)
  assert.throws(() => pickVersion(produceApi, undefined, 'b'), /does not offer Produce/)
})
