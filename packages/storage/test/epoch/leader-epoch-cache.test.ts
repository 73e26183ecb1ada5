// The leader-epoch cache's rules (Kafka's LeaderEpochFileCache) and its checkpoint file format.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { LeaderEpochCache, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from '../../src/epoch/leader-epoch-cache.js'
import { decodeLeaderEpochCheckpoint, encodeLeaderEpochCheckpoint } from '../../src/epoch/leader-epoch-checkpoint.js'

const T = { timeout: 10_000 }
const UNDEFINED = { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET }

describe('LeaderEpochCache', () => {
  it('records an epoch once, at its first offset, and ignores unstamped batches', T, () => {
    const c = new LeaderEpochCache()
    assert.equal(c.assign(1, 0), true)
    assert.equal(c.assign(1, 5), false, 'same epoch later: nothing new')
    assert.equal(c.assign(-1, 7), false, 'no partitionLeaderEpoch')
    assert.equal(c.assign(3, 10), true)
    assert.deepEqual(c.entries(), [{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 10 }])
    assert.equal(c.latestEpoch, 3)
    assert.equal(c.epochForOffset(9), 1)
    assert.equal(c.epochForOffset(10), 3)
  })

  it('an epoch or start offset going back replaces the entries it contradicts (Kafka warns and does so)', T, () => {
    const c = new LeaderEpochCache([{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 10 }, { epoch: 4, startOffset: 20 }])
    assert.equal(c.assign(2, 15), true)
    assert.deepEqual(c.entries(), [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 15 }])
    assert.equal(c.assign(2, 5), true, 'same epoch, earlier start')
    assert.deepEqual(c.entries(), [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 5 }])
    assert.equal(c.assign(5, 5), true, 'a new epoch at the same offset replaces the empty one')
    assert.deepEqual(c.entries(), [{ epoch: 1, startOffset: 0 }, { epoch: 5, startOffset: 5 }])
  })

  it('answers OffsetForLeaderEpoch as Kafka: floor epoch, next start; latest ends at the LEO; unknown is UNDEFINED', T, () => {
    const c = new LeaderEpochCache([{ epoch: 2, startOffset: 10 }, { epoch: 5, startOffset: 30 }, { epoch: 7, startOffset: 55 }])
    assert.deepEqual(c.endOffsetFor(7, 80), { leaderEpoch: 7, endOffset: 80 })
    assert.deepEqual(c.endOffsetFor(5, 80), { leaderEpoch: 5, endOffset: 55 })
    assert.deepEqual(c.endOffsetFor(6, 80), { leaderEpoch: 5, endOffset: 55 }, 'an epoch this log never had: the one before it')
    assert.deepEqual(c.endOffsetFor(3, 80), { leaderEpoch: 2, endOffset: 30 })
    assert.deepEqual(c.endOffsetFor(1, 80), { leaderEpoch: 1, endOffset: 10 }, 'below every epoch: the first start offset')
    assert.deepEqual(c.endOffsetFor(8, 80), UNDEFINED, 'above the latest')
    assert.deepEqual(c.endOffsetFor(UNDEFINED_EPOCH, 80), UNDEFINED)
    assert.deepEqual(new LeaderEpochCache().endOffsetFor(0, 5), UNDEFINED)
  })

  it('truncates from the end (log cut) and from the start (log start moved)', T, () => {
    const c = new LeaderEpochCache([{ epoch: 2, startOffset: 10 }, { epoch: 5, startOffset: 30 }, { epoch: 7, startOffset: 55 }])
    assert.equal(c.truncateFromEnd(60), false)
    assert.equal(c.truncateFromEnd(55), true, 'an epoch starting at the cut goes')
    assert.deepEqual(c.entries().map((e) => e.epoch), [2, 5])
    assert.equal(c.truncateFromStart(5), false, 'before every entry')
    assert.equal(c.truncateFromStart(31), true)
    assert.deepEqual(c.entries(), [{ epoch: 5, startOffset: 31 }])
    assert.equal(c.truncateFromStart(31), false, 'already there')
    assert.equal(c.clear(), true)
    assert.equal(c.latestEpoch, null)
  })
})

describe('leader-epoch-checkpoint format', () => {
  it('is Kafka\'s text: version 0, count, then "epoch startOffset" lines', T, () => {
    const buf = encodeLeaderEpochCheckpoint([{ epoch: 0, startOffset: 0 }, { epoch: 3, startOffset: 1204 }])
    assert.equal(buf.toString(), '0\n2\n0 0\n3 1204\n')
    assert.deepEqual(decodeLeaderEpochCheckpoint(buf), [{ epoch: 0, startOffset: 0 }, { epoch: 3, startOffset: 1204 }])
    assert.deepEqual(decodeLeaderEpochCheckpoint(Buffer.from('0\n0\n')), [])
  })

  it('refuses anything else (the log then rebuilds the cache from its batches)', T, () => {
    for (const bad of ['', '0\n2\n0 0\n', '0\n1\n0 0', '1\n0\n', '0\nx\n', '0\n1\n0  0\n', '0\n1\n-1 0\n', '0\n2\n3 10\n2 20\n', '0\n2\n2 10\n3 10\n', '0\n1\n0 0 0\n']) {
      assert.equal(typeof decodeLeaderEpochCheckpoint(Buffer.from(bad)), 'string', JSON.stringify(bad))
    }
  })
})
