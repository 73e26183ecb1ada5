import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { fixturePath } from '@brook/testkit'

test('fixturePath finds the Python fixtures in the source tree', () => {
  assert.equal(existsSync(fixturePath('confluent_roundtrip.py')), true)
  assert.equal(existsSync(fixturePath('no-such-fixture.py')), false)
})
