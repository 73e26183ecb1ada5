// Eviction in the fetch session cache, with a clock the test moves (Kafka's two-minute rule).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FetchSessionCache, SESSION_EVICTION_MS } from '../../src/fetch-session/fetch-session-cache.js'
import type { FetchSession } from '../../src/fetch-session/fetch-session.js'

function filled (size: number): (s: FetchSession) => void {
  return (s) => {
    for (let p = 0; p < size; p++) {
      s.partitions.set(`t\u0000${p}`, { topic: 't', topicId: undefined, partition: p, request: { partition: p, fetchOffset: 0n, partitionMaxBytes: 1 }, highWatermark: 0n, logStartOffset: 0n })
    }
  }
}

test('a full cache evicts an idle session first, else a smaller old one, else refuses', { timeout: 5_000 }, () => {
  let now = 1_000_000
  const cache = new FetchSessionCache({ maxSessions: 2, clock: () => now })
  const a = cache.create(false, false, 2, filled(2))
  now += 10
  const b = cache.create(false, false, 5, filled(5))
  assert.ok(a !== undefined && b !== undefined)
  assert.equal(cache.create(false, false, 9, filled(9)), undefined, 'both sessions are too young to evict')

  // b stays in use; a goes idle for more than two minutes: it is the one pushed out.
  now += SESSION_EVICTION_MS + 1
  cache.touch(b, now)
  const c = cache.create(false, false, 1, filled(1))
  assert.ok(c !== undefined)
  assert.equal(cache.get(a.id), undefined)
  assert.ok(cache.get(b.id) !== undefined)

  // Nobody idle; b is old enough to be evictable, c is not. A new session smaller than b loses...
  now += 1_000
  cache.touch(b, now)
  cache.touch(c, now)
  assert.equal(cache.create(false, false, 4, filled(4)), undefined)
  // ...a bigger one takes b's slot (fewest partitions among the evictable).
  const d = cache.create(false, false, 6, filled(6))
  assert.ok(d !== undefined)
  assert.equal(cache.get(b.id), undefined)
  assert.ok(cache.get(c.id) !== undefined)
  assert.equal(cache.partitionCount, 7)
})

test('a follower session may evict a young consumer session', { timeout: 5_000 }, () => {
  let now = 0
  const cache = new FetchSessionCache({ maxSessions: 1, clock: () => now })
  const consumer = cache.create(false, false, 3, filled(3))
  now += 5
  assert.equal(cache.create(false, false, 10, filled(10)), undefined)
  const follower = cache.create(false, true, 1, filled(1))
  assert.ok(consumer !== undefined && follower !== undefined)
  assert.equal(cache.get(consumer.id), undefined)
})
