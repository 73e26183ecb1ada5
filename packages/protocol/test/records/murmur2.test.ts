import { test } from 'node:test'
import assert from 'node:assert/strict'
import { murmur2, partitionForKey, toPositive } from '../../src/records/murmur2.js'

// Known values from the Java client's tests (UtilsTest.testMurmur2).
const JAVA_VECTORS: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107]
]

test('murmur2 matches the Java client on its test vectors', () => {
  for (const [key, hash] of JAVA_VECTORS) assert.equal(murmur2(Buffer.from(key)), hash, key)
})

test('partition choice clears the sign bit and takes the modulo', () => {
  assert.equal(toPositive(-973932308), -973932308 & 0x7fffffff)
  assert.equal(toPositive(-2147483648), 0)
  // 2147483648 - 973932308 = 1173551340; % 6 = 0. 'foobar': 1357151166 % 6 = 0 too, so use 7.
  assert.equal(partitionForKey('21', 6), 1173551340 % 6)
  assert.equal(partitionForKey(Buffer.from('foobar'), 7), 1357151166 % 7)
  assert.equal(partitionForKey('', 3), toPositive(murmur2(new Uint8Array(0))) % 3)
})
