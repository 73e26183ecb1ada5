import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { OffsetIndex } from '../../src/segment/offset-index.js'
import { prng } from '@brook/common'
import { randInt } from '../helpers.js'

describe('OffsetIndex', () => {
  it('lookup agrees with a linear scan of a random sorted model', () => {
    const random = prng(7)
    const index = new OffsetIndex(1000, 10_000)
    const entries: Array<[number, number]> = []
    let offset = 1000
    let position = 0
    for (let i = 0; i < 500; i++) {
      offset += randInt(random, 1, 50)
      position += randInt(random, 1, 5000)
      index.append(offset, position)
      entries.push([offset, position])
    }
    for (let i = 0; i < 2000; i++) {
      const target = randInt(random, 900, offset + 100)
      const floor = entries.filter(([o]) => o <= target).pop()
      assert.deepEqual(index.lookup(target), floor === undefined ? { offset: 1000, position: 0 } : { offset: floor[0], position: floor[1] })
    }
  })

  it('refuses entries that do not increase, or past its size', () => {
    const index = new OffsetIndex(0, 2)
    index.append(5, 100)
    assert.throws(() => index.append(5, 200), RangeError)
    assert.throws(() => index.append(6, 100), RangeError)
    index.append(6, 200)
    assert.ok(index.isFull)
    assert.throws(() => index.append(7, 300), RangeError)
  })

  it('truncate drops entries at or past an offset or a position', () => {
    const index = new OffsetIndex(0, 100)
    for (let i = 1; i <= 10; i++) index.append(i * 10, i * 100)
    index.truncate(55, Infinity)
    assert.equal(index.lastOffset(), 50)
    index.truncate(Infinity, 300)
    assert.equal(index.lastOffset(), 20)
    index.clear()
    assert.equal(index.entries, 0)
  })

  it('round-trips Kafka\'s 8-byte big-endian entries and rejects bad files', () => {
    const index = new OffsetIndex(100, 100)
    index.append(150, 4096)
    index.append(170, 9000)
    const bytes = index.encode(0, 2)
    assert.equal(bytes.toString('hex'), '00000032' + '00001000' + '00000046' + '00002328')
    const back = OffsetIndex.decode(bytes, 100, 100, 10_000)!
    assert.deepEqual(back.lookup(160), { offset: 150, position: 4096 })
    assert.equal(OffsetIndex.decode(bytes.subarray(0, 7), 100, 100, 10_000), null, 'size not a multiple of 8')
    assert.equal(OffsetIndex.decode(bytes, 100, 100, 9000), null, 'position past the log')
    assert.equal(OffsetIndex.decode(Buffer.concat([bytes.subarray(8), bytes.subarray(0, 8)]), 100, 100, 10_000), null, 'not increasing')
    assert.equal(OffsetIndex.decode(Buffer.alloc(16), 100, 100, 10_000), null, 'zero-filled')
  })
})
