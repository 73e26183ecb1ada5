import { test } from 'node:test'
import assert from 'node:assert/strict'
import { apiByKey } from '@brook/protocol'
import { HANDLERS, handlerTable } from '../../src/handlers/index.js'

test('the registry is sorted by api key, without duplicates', () => {
  const keys = HANDLERS.map((h) => h.api.key)
  assert.deepEqual(keys, [...keys].sort((a, b) => a - b))
  assert.equal(handlerTable(HANDLERS).size, HANDLERS.length)
})

test('every handler serves a range inside its schema\'s valid versions', () => {
  for (const handler of HANDLERS) {
    const schema = apiByKey(handler.api.key)
    assert.equal(schema, handler.api, handler.api.name)
    const { min, max, advertisedMin } = handler.versions
    assert.ok(min <= max, handler.api.name)
    assert.ok((advertisedMin ?? min) >= handler.api.validVersions.min, handler.api.name)
    assert.ok(max <= handler.api.validVersions.max, handler.api.name)
  }
})
