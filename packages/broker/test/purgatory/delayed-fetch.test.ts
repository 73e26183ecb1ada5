import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FetchPurgatory, partitionKey } from '../../src/purgatory/delayed-fetch.js'

test('a notify on any watched key wakes the waiter once and forgets it', async () => {
  const purgatory = new FetchPurgatory()
  const waiting = purgatory.wait([partitionKey('t', 0), partitionKey('t', 1)], 60_000)
  assert.equal(purgatory.size, 1)
  purgatory.notify(partitionKey('other', 0))
  assert.equal(purgatory.size, 1)
  purgatory.notify(partitionKey('t', 1))
  assert.equal(await waiting, true)
  assert.equal(purgatory.size, 0)
})

test('a wait times out with false; close() releases every waiter and later waits return at once', async () => {
  const purgatory = new FetchPurgatory()
  assert.equal(await purgatory.wait([partitionKey('t', 0)], 5), false)
  const pending = purgatory.wait([partitionKey('t', 0)], 60_000)
  purgatory.close()
  assert.equal(await pending, false)
  assert.equal(await purgatory.wait([partitionKey('t', 0)], 60_000), false)
  assert.equal(purgatory.size, 0)
})
