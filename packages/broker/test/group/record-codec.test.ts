import { test } from 'node:test'
import assert from 'node:assert/strict'
import { recordCodec } from '../../src/group/record-codec.js'
import type { GroupRecord } from '../../src/group/records.js'

test('offset commit key v1 and value v3: Kafka\'s exact bytes', () => {
  const record: GroupRecord = {
    type: 'offset',
    groupId: 'g',
    topic: 't',
    partition: 1,
    value: { committedOffset: 42n, leaderEpoch: 7, metadata: 'm', commitTimestampMs: 1000, expireTimestampMs: null }
  }
  const { key, value } = recordCodec.encode(record)
  assert.equal(key.toString('hex'), '0001' + '000167' + '000174' + '00000001')
  assert.equal(value?.toString('hex'), '0003' + '000000000000002a' + '00000007' + '00016d' + '00000000000003e8')
  assert.deepEqual(recordCodec.decode({ key, value }), record)
})

test('an expire timestamp is kept with value v1, as Kafka writes it', () => {
  const record: GroupRecord = {
    type: 'offset', groupId: 'g', topic: 't', partition: 0,
    value: { committedOffset: 5n, leaderEpoch: -1, metadata: '', commitTimestampMs: 10, expireTimestampMs: 20 }
  }
  const { key, value } = recordCodec.encode(record)
  assert.equal(value?.toString('hex'), '0001' + '0000000000000005' + '0000' + '000000000000000a' + '0000000000000014')
  assert.deepEqual(recordCodec.decode({ key, value }), record)
})

test('group metadata key v2 and value v3: Kafka\'s exact bytes', () => {
  const record: GroupRecord = {
    type: 'group',
    groupId: 'g',
    value: {
      protocolType: 'consumer',
      generation: 3,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: 1,
      members: [{
        memberId: 'm1', groupInstanceId: null, clientId: 'c', clientHost: '/h',
        rebalanceTimeoutMs: 300, sessionTimeoutMs: 100, subscription: Buffer.from([1]), assignment: Buffer.from([2, 3])
      }]
    }
  }
  const { key, value } = recordCodec.encode(record)
  assert.equal(key.toString('hex'), '0002' + '000167')
  const hex = [
    '0003', '0008' + Buffer.from('consumer').toString('hex'), '00000003', '0005' + Buffer.from('range').toString('hex'),
    '0002' + Buffer.from('m1').toString('hex'), '0000000000000001', '00000001',
    '0002' + Buffer.from('m1').toString('hex'), 'ffff', '000163', '00022f68', '0000012c', '00000064', '0000000101', '000000020203'
  ].join('')
  assert.equal(value?.toString('hex'), hex)
  assert.deepEqual(recordCodec.decode({ key, value }), record)
})

test('tombstones keep the key and have no value', () => {
  const groupTombstone = recordCodec.encode({ type: 'group', groupId: 'gone', value: null })
  assert.equal(groupTombstone.value, null)
  assert.deepEqual(recordCodec.decode(groupTombstone), { type: 'group', groupId: 'gone', value: null })
  const offsetTombstone = recordCodec.encode({ type: 'offset', groupId: 'g', topic: 't', partition: 9, value: null })
  assert.deepEqual(recordCodec.decode(offsetTombstone), { type: 'offset', groupId: 'g', topic: 't', partition: 9, value: null })
})

test('older value versions Kafka wrote still load', () => {
  // OffsetCommitValue v0: offset, metadata, timestamp. GroupMetadataValue v0: no timestamps, no instance id.
  const key = recordCodec.encode({ type: 'offset', groupId: 'g', topic: 't', partition: 0, value: null }).key
  const v0 = Buffer.from('0000' + '0000000000000063' + '000178' + '0000000000000007', 'hex')
  assert.deepEqual(recordCodec.decode({ key, value: v0 }), {
    type: 'offset', groupId: 'g', topic: 't', partition: 0,
    value: { committedOffset: 99n, leaderEpoch: -1, metadata: 'x', commitTimestampMs: 7, expireTimestampMs: null }
  })
  const gkey = recordCodec.encode({ type: 'group', groupId: 'g', value: null }).key
  const g0 = Buffer.from('0000' + '0001' + '63' + '00000001' + 'ffff' + 'ffff' + '00000000', 'hex')
  assert.deepEqual(recordCodec.decode({ key: gkey, value: g0 }), {
    type: 'group', groupId: 'g', value: { protocolType: 'c', generation: 1, protocol: null, leader: null, currentStateTimestamp: -1, members: [] }
  })
})

test('unknown key versions and garbage are skipped, not fatal', () => {
  // Key version 3+ belongs to KIP-848 consumer-group records this coordinator does not keep.
  assert.equal(recordCodec.decode({ key: Buffer.from('0003000167', 'hex'), value: Buffer.from('00') }), null)
  assert.equal(recordCodec.decode({ key: Buffer.from('01', 'hex'), value: null }), null)
  const key = recordCodec.encode({ type: 'offset', groupId: 'g', topic: 't', partition: 0, value: null }).key
  assert.equal(recordCodec.decode({ key, value: Buffer.from('0003ff', 'hex') }), null)
  assert.equal(recordCodec.decode({ key, value: Buffer.from('0009', 'hex') }), null)
})
