import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { TimeIndex } from '../../src/segment/time-index.js'
import { prng } from '@brook/common'
import { randInt } from '../helpers.js'

describe('TimeIndex', () => {
  it('keeps only increasing timestamps; lookup is the largest timestamp <= target', () => {
    const random = prng(3)
    const index = new TimeIndex(0, 10_000)
    const kept: Array<[number, number]> = []
    let offset = 0
    let ts = 1000
    for (let i = 0; i < 400; i++) {
      offset += randInt(random, 1, 10)
      ts += randInt(random, -20, 30)
      const last = kept[kept.length - 1]
      if (last === undefined || ts > last[0]) kept.push([ts, offset])
      index.maybeAppend(ts, offset)
    }
    assert.equal(index.entries, kept.length)
    for (let i = 0; i < 1000; i++) {
      const target = randInt(random, 900, ts + 100)
      const floor = kept.filter(([t]) => t <= target).pop()
      assert.deepEqual(index.lookup(target), floor === undefined ? { timestamp: -1, offset: 0 } : { timestamp: floor[0], offset: floor[1] })
    }
  })

  it('the final entry may pass the size bound; lastEntry is (-1, base) when empty', () => {
    const index = new TimeIndex(50, 1)
    assert.deepEqual(index.lastEntry(), { timestamp: -1, offset: 50 })
    index.maybeAppend(10, 51)
    assert.throws(() => index.maybeAppend(20, 52), RangeError)
    index.maybeAppend(20, 52, true)
    assert.deepEqual(index.lastEntry(), { timestamp: 20, offset: 52 })
  })

  it('round-trips Kafka\'s 12-byte entries and rejects bad files', () => {
    const index = new TimeIndex(100, 10)
    index.maybeAppend(1_700_000_000_000, 120)
    index.maybeAppend(1_700_000_000_500, 140)
    const bytes = index.encode(0, 2)
    assert.equal(bytes.length, 24)
    assert.equal(bytes.readBigInt64BE(0), 1_700_000_000_000n)
    assert.equal(bytes.readInt32BE(8), 20)
    const back = TimeIndex.decode(bytes, 100, 10, 200)!
    assert.deepEqual(back.lookup(1_700_000_000_499), { timestamp: 1_700_000_000_000, offset: 120 })
    assert.equal(TimeIndex.decode(bytes, 100, 10, 130), null, 'offset past the segment')
    assert.equal(TimeIndex.decode(bytes.subarray(0, 13), 100, 10, 200), null)
    assert.equal(TimeIndex.decode(Buffer.alloc(24), 100, 10, 200), null, 'zero-filled')
  })

  it('truncate drops entries at or past an offset', () => {
    const index = new TimeIndex(0, 10)
    index.maybeAppend(10, 1)
    index.maybeAppend(20, 5)
    index.maybeAppend(30, 9)
    index.truncate(5)
    assert.deepEqual(index.lastEntry(), { timestamp: 10, offset: 1 })
  })
})
