// Replication throttle arithmetic: the bucket, the wait it asks for, unlimited rates, and the
// throttled replica lists as Kafka writes them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ReplicationQuota, throttledReplica } from '../../src/replication/replication-quota.js'

test('a quota lets a fetch through while its bucket has bytes, then waits for the rate to pay it back', { timeout: 5000 }, () => {
  const q = new ReplicationQuota(() => 100_000, 0)
  assert.equal(q.exceeded(0), false)
  q.record(1_000_000, 0)
  assert.equal(q.exceeded(1000), true)
  // 10 kB of bucket, 1 MB taken: 9.9 s to pay back at 100 kB/s.
  assert.ok(Math.abs(q.waitMs(0) - 9900) <= 10, String(q.waitMs(0)))
  assert.equal(q.exceeded(9910), false)
  const unlimited = new ReplicationQuota(() => Number('9223372036854775807'), 0)
  unlimited.record(1e12, 0)
  assert.equal(unlimited.exceeded(0), false)
})

test('throttled replica lists: * or partition:broker pairs', { timeout: 5000 }, () => {
  assert.equal(throttledReplica('*', 3, 7), true)
  assert.equal(throttledReplica('0:1, 3:7', 3, 7), true)
  assert.equal(throttledReplica('0:1,3:2', 3, 7), false)
  assert.equal(throttledReplica('', 0, 1), false)
  assert.equal(throttledReplica(undefined, 0, 1), false)
})
