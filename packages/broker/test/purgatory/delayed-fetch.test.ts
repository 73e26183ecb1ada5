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

test('notifies within one turn of the event loop wake a waiter once, after all of them', { timeout: 10_000 }, async () => {
  const purgatory = new FetchPurgatory()
  const order: string[] = []
  const a = purgatory.wait([partitionKey('t', 0)], 60_000).then((woken) => { order.push(`a ${woken}`) })
  const b = purgatory.wait([partitionKey('t', 0), partitionKey('t', 1)], 60_000).then((woken) => { order.push(`b ${woken}`) })
  purgatory.notify(partitionKey('t', 0))
  purgatory.notify(partitionKey('t', 1))
  purgatory.notify(partitionKey('t', 0))
  // Still waiting until the turn ends.
  await Promise.resolve()
  assert.equal(purgatory.size, 2)
  order.push('turn')
  await Promise.all([a, b])
  assert.deepEqual(order, ['turn', 'a true', 'b true'])
  assert.equal(purgatory.size, 0)
  // A key nobody waits on schedules nothing; one whose waiter left by timeout wakes nobody.
  purgatory.notify(partitionKey('t', 2))
  assert.equal(await purgatory.wait([partitionKey('t', 3)], 1), false)
  purgatory.notify(partitionKey('t', 3))
  // A waiter released (close) between the notify and the end of the turn is not woken twice.
  const released = purgatory.wait([partitionKey('t', 4)], 60_000)
  purgatory.notify(partitionKey('t', 4))
  purgatory.close()
  assert.equal(await released, false)
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(purgatory.size, 0)
})
