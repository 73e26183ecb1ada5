import { test } from 'node:test'
import assert from 'node:assert/strict'
import { javaStringHashCode, kafkaAbs, partitionFor } from '../../src/coordinator/partition-for.js'

test('String.hashCode as Java computes it', () => {
  assert.equal(javaStringHashCode(''), 0)
  assert.equal(javaStringHashCode('a'), 97)
  assert.equal(javaStringHashCode('hello'), 99162322)
  // Overflows to a negative int32.
  assert.equal(javaStringHashCode('Hello World'), -862545276)
  // The famous string whose hash is Integer.MIN_VALUE.
  assert.equal(javaStringHashCode('polygenelubricants'), -2147483648)
  // UTF-16 code units, not code points: a surrogate pair counts as two chars.
  assert.equal(javaStringHashCode('😀'), 0xd83d * 31 + 0xde00)
})

test('partitionFor matches Utils.abs(hashCode) % n', () => {
  assert.equal(partitionFor('hello', 50), 99162322 % 50)
  assert.equal(partitionFor('Hello World', 50), 862545276 % 50)
  assert.equal(kafkaAbs(-2147483648), 0)
  assert.equal(partitionFor('polygenelubricants', 50), 0)
  for (const g of ['', 'group', 'a-very-long-group-name-that-wraps-around-several-times', 'ünïcödé']) {
    const p = partitionFor(g, 50)
    assert.ok(Number.isInteger(p) && p >= 0 && p < 50, `${g} -> ${p}`)
  }
})
