// Kafka's leader epoch cache rules for OffsetForLeaderEpoch, over several epochs (the broker has
// one today; a real epoch cache feeds the same function).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { endOffsetFor } from '../../src/partition/epoch-end-offset.js'

const entries = [{ epoch: 2, startOffset: 10 }, { epoch: 4, startOffset: 25 }, { epoch: 7, startOffset: 40 }]

test('end offsets by epoch follow Kafka\'s LeaderEpochFileCache.endOffsetFor', { timeout: 5_000 }, () => {
  const at = (epoch: number): [number, number] => {
    const r = endOffsetFor(entries, epoch, 55)
    return [r.leaderEpoch, r.endOffset]
  }
  assert.deepEqual(at(7), [7, 55], 'the latest epoch ends at the log end')
  assert.deepEqual(at(4), [4, 40], 'a known epoch ends where the next starts')
  assert.deepEqual(at(5), [4, 40], 'an unknown epoch between two: the one below, ending where the next starts')
  assert.deepEqual(at(1), [1, 10], 'older than all: the requested epoch, ending at the first known start')
  assert.deepEqual(at(9), [-1, -1], 'newer than all')
  assert.deepEqual(at(-1), [-1, -1], 'undefined epoch')
  assert.deepEqual(endOffsetFor([], 0, 5), { leaderEpoch: -1, endOffset: -1 }, 'an empty cache knows nothing')
})
