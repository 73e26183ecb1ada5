import { test } from 'node:test'
import assert from 'node:assert/strict'
import { INT32_MAX, decrementSequence, incrementSequence, isNextSequence } from '../../src/producer-state/sequence.js'

test('incrementSequence wraps past Int32.MAX to 0', () => {
  assert.equal(incrementSequence(5, 3), 8)
  assert.equal(incrementSequence(INT32_MAX, 1), 0)
  assert.equal(incrementSequence(INT32_MAX - 1, 3), 1)
  assert.equal(incrementSequence(INT32_MAX - 2, 2), INT32_MAX)
})

test('decrementSequence is the inverse of incrementSequence', () => {
  for (const [seq, n] of [[0, 1], [1, 3], [7, 7], [INT32_MAX, 5], [2, 10]] as const) {
    assert.equal(decrementSequence(incrementSequence(seq, n), n), seq)
  }
  assert.equal(decrementSequence(0, 1), INT32_MAX)
})

test('isNextSequence: +1, and 0 after Int32.MAX', () => {
  assert.equal(isNextSequence(4, 5), true)
  assert.equal(isNextSequence(4, 6), false)
  assert.equal(isNextSequence(4, 4), false)
  assert.equal(isNextSequence(INT32_MAX, 0), true)
  assert.equal(isNextSequence(INT32_MAX - 1, 0), false)
  assert.equal(isNextSequence(-1, 0), true)
})
