import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  type Assignment, type AssignorMember, cooperativeStickyAssignor, kafkajsRoundRobinAssignor, rangeAssignor, roundRobinAssignor
} from '../src/index.js'
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../src/consumer/group.js'

const members = (ids: string[], topics = ['t'], owned: Record<string, number[]> = {}): AssignorMember[] =>
  ids.map((memberId) => ({ memberId, topics, owned: owned[memberId] === undefined ? [] : [{ topic: 't', partitions: owned[memberId] }] }))

const flat = (a: Assignment, id: string, topic = 't'): number[] => [...(a.get(id)?.get(topic) ?? [])].sort((x, y) => x - y)

test('range: consecutive ranges, first members get the extra', { timeout: 5_000 }, () => {
  const a = rangeAssignor.assign(members(['b', 'a', 'c']), new Map([['t', 7]]))
  assert.deepEqual([flat(a, 'a'), flat(a, 'b'), flat(a, 'c')], [[0, 1, 2], [3, 4], [5, 6]])
})

test('roundrobin: dealt in turn across topics', { timeout: 5_000 }, () => {
  const a = roundRobinAssignor.assign(members(['a', 'b'], ['t', 'u']), new Map([['t', 3], ['u', 2]]))
  assert.deepEqual([flat(a, 'a'), flat(a, 'b'), flat(a, 'a', 'u'), flat(a, 'b', 'u')], [[0, 2], [1], [1], [0]])
})

test('kafkajs RoundRobinAssigner: partition id modulo member count, per topic', { timeout: 5_000 }, () => {
  const a = kafkajsRoundRobinAssignor.assign(members(['m2', 'm1']), new Map([['t', 5]]))
  assert.deepEqual([flat(a, 'm1'), flat(a, 'm2')], [[0, 2, 4], [1, 3]])
})

test('cooperative-sticky: keeps owned partitions and withholds the ones that move', { timeout: 5_000 }, () => {
  // a owned all 6; b joins: a keeps 3 of its own, the other 3 are withheld this round.
  const first = cooperativeStickyAssignor.assign(members(['a', 'b'], ['t'], { a: [0, 1, 2, 3, 4, 5] }), new Map([['t', 6]]))
  assert.equal(flat(first, 'a').length, 3)
  assert.deepEqual(flat(first, 'b'), [])
  // Next round a owns its 3: b gets the rest.
  const second = cooperativeStickyAssignor.assign(members(['a', 'b'], ['t'], { a: flat(first, 'a') }), new Map([['t', 6]]))
  assert.deepEqual(flat(second, 'a'), flat(first, 'a'))
  assert.equal(flat(second, 'b').length, 3)
  assert.equal(new Set([...flat(second, 'a'), ...flat(second, 'b')]).size, 6)
  // With nothing owned it is simply balanced.
  const fresh = cooperativeStickyAssignor.assign(members(['a', 'b', 'c']), new Map([['t', 7]]))
  assert.deepEqual(['a', 'b', 'c'].map((m) => flat(fresh, m).length).sort(), [2, 2, 3])
})

test('subscription and assignment bytes round-trip (v0 for kafkajs, v1 with owned partitions)', { timeout: 5_000 }, () => {
  const v1 = decodeSubscription(encodeSubscription(['t', 'u'], [{ topic: 't', partitions: [1, 2] }], 1))
  assert.deepEqual(v1, { topics: ['t', 'u'], owned: [{ topic: 't', partitions: [1, 2] }] })
  const v0 = encodeSubscription(['t'], [{ topic: 't', partitions: [1] }], 0)
  assert.equal(v0.readInt16BE(0), 0)
  assert.deepEqual(decodeSubscription(v0), { topics: ['t'], owned: [] })
  assert.deepEqual(decodeAssignment(encodeAssignment(new Map([['t', [3, 1]]]), 0)), [{ topic: 't', partitions: [1, 3] }])
  assert.deepEqual(decodeAssignment(Buffer.alloc(0)), [])
})
