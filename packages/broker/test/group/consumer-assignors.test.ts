import { test } from 'node:test'
import assert from 'node:assert/strict'
import { type Assignment, partitionsOf, sizeOf } from '../../src/group/consumer/assignment.js'
import { type AssignorInput, rangeAssignor, uniformAssignor } from '../../src/group/consumer/assignors.js'

function owners (out: Map<string, Assignment>): Map<string, string> {
  const seen = new Map<string, string>()
  for (const [member, a] of out) {
    for (const [t, p] of partitionsOf(a)) {
      const key = `${t}:${p}`
      assert.equal(seen.get(key), undefined, `${key} assigned twice`)
      seen.set(key, member)
    }
  }
  return seen
}

const members = (ids: string[], topics: string[]): AssignorInput['members'] => ids.map((memberId) => ({ memberId, topics: new Set(topics) }))

test('uniform: every partition once, balanced within one', { timeout: 10_000 }, () => {
  const out = uniformAssignor.assign({ members: members(['a', 'b', 'c'], ['t1', 't2']), topics: new Map([['t1', 6], ['t2', 7]]), previous: new Map() })
  assert.equal(owners(out).size, 13)
  const sizes = [...out.values()].map(sizeOf)
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes.join(',')}`)
})

test('uniform: sticky: a member joining takes partitions only from the others\' surplus', { timeout: 10_000 }, () => {
  const first = uniformAssignor.assign({ members: members(['a', 'b'], ['t']), topics: new Map([['t', 6]]), previous: new Map() })
  const second = uniformAssignor.assign({ members: members(['a', 'b', 'c'], ['t']), topics: new Map([['t', 6]]), previous: first })
  for (const id of ['a', 'b']) {
    for (const [t, p] of partitionsOf(second.get(id)!)) assert.ok(first.get(id)!.get(t)?.has(p), `${id} kept only what it had`)
    assert.equal(sizeOf(second.get(id)!), 2)
  }
  assert.equal(sizeOf(second.get('c')!), 2)
  // A member leaving: the survivors keep theirs and split the leaver's.
  const third = uniformAssignor.assign({ members: members(['a', 'c'], ['t']), topics: new Map([['t', 6]]), previous: second })
  for (const id of ['a', 'c']) for (const [t, p] of partitionsOf(second.get(id)!)) assert.ok(third.get(id)!.get(t)?.has(p))
  assert.equal(owners(third).size, 6)
})

test('uniform: different subscriptions: a partition only goes to a subscriber, counts balance where possible', { timeout: 10_000 }, () => {
  const out = uniformAssignor.assign({
    members: [{ memberId: 'a', topics: new Set(['x']) }, { memberId: 'b', topics: new Set(['x', 'y']) }, { memberId: 'c', topics: new Set(['y']) }],
    topics: new Map([['x', 4], ['y', 2]]),
    previous: new Map()
  })
  const o = owners(out)
  assert.equal(o.size, 6)
  for (const [key, m] of o) assert.ok(key.startsWith('x') ? m !== 'c' : m !== 'a', `${key} -> ${m}`)
  assert.deepEqual([...out.values()].map(sizeOf), [2, 2, 2])
})

test('range: contiguous ranges per topic, the first members take the remainder', { timeout: 10_000 }, () => {
  const out = rangeAssignor.assign({ members: members(['a', 'b', 'c'], ['t']), topics: new Map([['t', 7]]), previous: new Map() })
  assert.deepEqual([...out.get('a')!.get('t')!].sort(), [0, 1, 2])
  assert.deepEqual([...out.get('b')!.get('t')!].sort(), [3, 4])
  assert.deepEqual([...out.get('c')!.get('t')!].sort(), [5, 6])
})

test('assignors with no members or no topics assign nothing, and thousands of topics stay fast', { timeout: 20_000 }, () => {
  assert.equal(uniformAssignor.assign({ members: [], topics: new Map([['t', 3]]), previous: new Map() }).size, 0)
  assert.equal(sizeOf(rangeAssignor.assign({ members: members(['a'], []), topics: new Map(), previous: new Map() }).get('a')!), 0)
  const topics = new Map(Array.from({ length: 3000 }, (_, i) => [`t${i}`, 2] as [string, number]))
  const started = Date.now()
  const out = uniformAssignor.assign({ members: members(['a', 'b', 'c', 'd'], [...topics.keys()]), topics, previous: new Map() })
  assert.equal(owners(out).size, 6000)
  assert.ok(Date.now() - started < 10_000)
})
