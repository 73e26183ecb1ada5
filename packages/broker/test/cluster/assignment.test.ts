// Replica placement: even spread of leaders and replicas, distinct brokers per partition,
// rack-aware order, and Kafka's refusals.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@brook/protocol'
import { assignReplicas, checkAssignments, rackAlternated } from '../../src/cluster/assignment.js'

const three = [{ id: 1, rack: null }, { id: 2, rack: null }, { id: 3, rack: null }]

test('replicas are spread evenly: each broker leads and holds the same number of partitions', { timeout: 5000 }, () => {
  const out = assignReplicas(three, 6, 3, 0)
  for (const replicas of out) assert.equal(new Set(replicas).size, 3)
  const leaders = new Map<number, number>()
  for (const replicas of out) leaders.set(replicas[0] as number, (leaders.get(replicas[0] as number) ?? 0) + 1)
  assert.deepEqual([...leaders.values()], [2, 2, 2])
  const two = assignReplicas(three, 6, 2, 1)
  const held = new Map<number, number>()
  for (const replicas of two) for (const id of replicas) held.set(id, (held.get(id) ?? 0) + 1)
  assert.deepEqual([...held.values()].sort(), [4, 4, 4])
})

test('racks alternate, so a partition with replication factor 2 spans two racks', { timeout: 5000 }, () => {
  const brokers = [{ id: 1, rack: 'a' }, { id: 2, rack: 'a' }, { id: 3, rack: 'b' }, { id: 4, rack: 'b' }]
  assert.deepEqual(rackAlternated(brokers), [1, 3, 2, 4])
  const rackOf = new Map(brokers.map((b) => [b.id, b.rack]))
  for (const replicas of assignReplicas(brokers, 8, 2, 0)) {
    assert.equal(new Set(replicas.map((id) => rackOf.get(id))).size, 2, `replicas ${replicas.join(',')} span both racks`)
  }
})

test('a replication factor above the live brokers, and bad explicit assignments, are refused', { timeout: 5000 }, () => {
  assert.throws(() => assignReplicas(three, 1, 4), (err: { code?: number }) => err.code === ErrorCode.INVALID_REPLICATION_FACTOR)
  const live = new Set([1, 2, 3])
  assert.throws(() => { checkAssignments([[1, 1]], live) }, (err: { code?: number }) => err.code === ErrorCode.INVALID_REPLICA_ASSIGNMENT)
  assert.throws(() => { checkAssignments([[1, 2], [3]], live) }, (err: { code?: number }) => err.code === ErrorCode.INVALID_REPLICA_ASSIGNMENT)
  assert.throws(() => { checkAssignments([[1, 9]], live) }, (err: { code?: number }) => err.code === ErrorCode.INVALID_REPLICA_ASSIGNMENT)
  checkAssignments([[1, 2], [2, 3]], live)
})
