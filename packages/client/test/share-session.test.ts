import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AckCode, toWireBatches } from '../src/share/acknowledgements.js'
import { CLOSE_EPOCH, ShareSession } from '../src/share/share-session.js'

test('acknowledgements become ascending runs: one type per run, or one per offset', { timeout: 5_000 }, () => {
  const acks = new Map<bigint, number>([
    [7n, AckCode.ACCEPT], [5n, AckCode.ACCEPT], [6n, AckCode.ACCEPT],
    [10n, AckCode.ACCEPT], [11n, AckCode.RELEASE], [12n, AckCode.GAP],
    [20n, AckCode.REJECT]
  ])
  assert.deepEqual(toWireBatches(acks), [
    { firstOffset: 5n, lastOffset: 7n, acknowledgeTypes: [1] },
    { firstOffset: 10n, lastOffset: 12n, acknowledgeTypes: [1, 2, 0] },
    { firstOffset: 20n, lastOffset: 20n, acknowledgeTypes: [3] }
  ])
  assert.deepEqual(toWireBatches(new Map()), [])
})

test('a share session opens at epoch 0, names only new or acknowledged partitions, forgets the rest', { timeout: 5_000 }, () => {
  const s = new ShareSession()
  const a = { topicId: 'A', partition: 0 }
  const b = { topicId: 'A', partition: 1 }
  const first = s.plan([a, b], [])
  assert.deepEqual(first, { epoch: 0, send: [a, b], forgotten: [] })
  s.answered(first)
  assert.equal(s.epoch, 1)
  const second = s.plan([a, b], [])
  assert.deepEqual(second, { epoch: 1, send: [], forgotten: [] }, 'nothing new: an empty incremental request')
  s.answered(second)
  const third = s.plan([a], [b])
  assert.deepEqual(third, { epoch: 2, send: [b], forgotten: [b] }, 'b acknowledged, then forgotten')
  s.answered(third)
  assert.deepEqual(s.plan([a], []), { epoch: 3, send: [], forgotten: [] })
  s.answered({ epoch: CLOSE_EPOCH, send: [], forgotten: [] })
  assert.equal(s.open, false)
  assert.deepEqual(s.plan([a], []).send, [a], 'a new session names every partition again')
})

test('a share session starts afresh for a new member id', { timeout: 5_000 }, () => {
  const s = new ShareSession()
  const a = { topicId: 'A', partition: 0 }
  s.forMember('m1')
  s.answered(s.plan([a], []))
  assert.equal(s.epoch, 1)
  s.forMember('m1')
  assert.equal(s.epoch, 1, 'same member: the session goes on')
  s.forMember('m2')
  assert.equal(s.open, false, 'a new member id: the next request opens a session')
  assert.deepEqual(s.plan([a], []).send, [a])
})
