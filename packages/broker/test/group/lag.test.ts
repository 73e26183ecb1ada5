import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encodeAssignment } from '../../src/group/consumer-protocol.js'
import { computeLag } from '../../src/group/lag.js'

const member = (memberId: string, partitions: number[]): { memberId: string, groupInstanceId: null, clientId: string, clientHost: string, memberAssignment: Buffer } => ({
  memberId, groupInstanceId: null, clientId: `client-${memberId}`, clientHost: '/10.0.0.1',
  memberAssignment: encodeAssignment({ version: 1, assignedPartitions: [{ topic: 't', partitions }] })
})

test('lag per partition and per member, as kafka-consumer-groups --describe computes it', () => {
  const result = computeLag({
    committed: [
      { topic: 't', partition: 0, offset: 90n },
      { topic: 't', partition: 1, offset: 100n },
      { topic: 't', partition: 2, offset: -1n },
      { topic: 'old', partition: 0, offset: 7n }
    ],
    endOffsets: [
      { topic: 't', partition: 0, offset: 100n },
      { topic: 't', partition: 1, offset: 100n },
      { topic: 't', partition: 2, offset: 40n },
      { topic: 'old', partition: 0, offset: 5n }
    ],
    members: [member('a', [0, 1]), member('b', [2]), { ...member('c', []), memberAssignment: Buffer.alloc(0) }]
  })
  assert.deepEqual(result.partitions.map((p) => [p.topic, p.partition, p.committedOffset, p.endOffset, p.lag, p.memberId]), [
    ['old', 0, 7n, 5n, 0n, null], // a commit past the end (records deleted): no lag
    ['t', 0, 90n, 100n, 10n, 'a'],
    ['t', 1, 100n, 100n, 0n, 'a'],
    ['t', 2, null, 40n, null, 'b'] // owned but never committed: unknown lag
  ])
  assert.equal(result.totalLag, 10n)
  assert.deepEqual(result.members.map((m) => [m.memberId, m.partitions, m.lag]), [['a', 2, 10n], ['b', 1, 0n], ['c', 0, 0n]])
  assert.equal(result.partitions[1]?.clientId, 'client-a')
})

test('a group without members (or with garbage assignments) still reports committed partitions', () => {
  const result = computeLag({
    committed: [{ topic: 't', partition: 3, offset: 1n }],
    endOffsets: [],
    members: [{ ...member('x', []), memberAssignment: Buffer.from('not an assignment') }]
  })
  assert.deepEqual(result.partitions.map((p) => [p.partition, p.committedOffset, p.endOffset, p.lag, p.memberId]), [[3, 1n, null, null, null]])
  assert.equal(result.totalLag, 0n)
})
