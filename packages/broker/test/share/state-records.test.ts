// __share_group_state records: Kafka's ShareSnapshot layout round-trips, unknown records are
// skipped, and the shard's replay keeps the latest snapshot, applies updates and drops tombstones.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encodeVersioned } from '../../src/coordinator/versioned-record.js'
import { shareUpdateKey, shareUpdateValue } from '@brook/protocol'
import { shareStateCodec, stateKey } from '../../src/share/state/records.js'
import { ShareStateShard } from '../../src/share/state/shard.js'

const key = { groupId: 'g', topicId: '00000000-0000-0000-0000-000000000001', partition: 3 }

test('snapshot records round-trip; tombstones and unknown records', { timeout: 10_000 }, () => {
  const value = { snapshotEpoch: 4, stateEpoch: 0, startOffset: 10, batches: [{ firstOffset: 10, lastOffset: 12, deliveryState: 2, deliveryCount: 1 }] }
  const encoded = shareStateCodec.encode({ key, kind: 'snapshot', value })
  assert.equal(encoded.key.readInt16BE(0), 0, 'record type 0: ShareSnapshot')
  assert.deepEqual(shareStateCodec.decode(encoded), { key, kind: 'snapshot', value })
  assert.deepEqual(shareStateCodec.decode(shareStateCodec.encode({ key, kind: 'snapshot', value: null })), { key, kind: 'snapshot', value: null })
  assert.equal(shareStateCodec.decode({ key: Buffer.from([0, 9, 1]), value: null }), null)
  assert.equal(shareStateCodec.decode({ key: Buffer.from([0, 0, 1]), value: Buffer.from([0]) }), null)
})

test('replay: latest snapshot wins, Kafka updates merge, tombstones delete', { timeout: 10_000 }, () => {
  const shard = new ShareStateShard(0)
  const snap = (startOffset: number, batches: Array<[number, number, number, number]>) => ({
    key, kind: 'snapshot' as const,
    value: { snapshotEpoch: 1, stateEpoch: 0, startOffset, batches: batches.map(([firstOffset, lastOffset, deliveryState, deliveryCount]) => ({ firstOffset, lastOffset, deliveryState, deliveryCount })) }
  })
  shard.replay(snap(0, [[0, 9, 0, 1]]))
  shard.replay(snap(5, [[5, 9, 2, 1]]))
  assert.equal(shard.states.get(stateKey(key))?.startOffset, 5)
  // A Kafka ShareUpdate (type 1) on top: 7-8 archived.
  const update = shareStateCodec.decode({
    key: encodeVersioned(shareUpdateKey, 1, key),
    value: encodeVersioned(shareUpdateValue, 0, { snapshotEpoch: 1, leaderEpoch: -1, startOffset: 5n, stateBatches: [{ firstOffset: 7n, lastOffset: 8n, deliveryState: 4, deliveryCount: 2 }] })
  })
  assert.ok(update !== null)
  shard.replay(update)
  assert.deepEqual(shard.states.get(stateKey(key))?.batches.map((b) => [b.firstOffset, b.lastOffset, b.deliveryState]), [[5, 6, 2], [7, 8, 4], [9, 9, 2]])
  assert.deepEqual([...(shard.byGroup.get('g')?.values() ?? [])], [key])
  shard.replay({ key, kind: 'snapshot', value: null })
  assert.equal(shard.states.size, 0)
  assert.equal(shard.byGroup.size, 0)
})
