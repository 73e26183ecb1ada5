import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, subscribedTopicsOf
} from '../../src/group/consumer-protocol.js'

test('subscription v0 bytes are Kafka\'s layout', () => {
  const bytes = encodeSubscription({ version: 0, topics: ['ab'], userData: null })
  assert.equal(bytes.toString('hex'), '0000' + '00000001' + '0002' + '6162' + 'ffffffff')
  assert.deepEqual(decodeSubscription(bytes), { version: 0, topics: ['ab'], userData: null, ownedPartitions: [], generationId: -1, rackId: null })
})

test('subscription v3 round-trips every field', () => {
  const sub = {
    version: 3,
    topics: ['orders', 'payments'],
    userData: Buffer.from([1, 2, 3]),
    ownedPartitions: [{ topic: 'orders', partitions: [0, 2] }],
    generationId: 7,
    rackId: 'rack-a'
  }
  assert.deepEqual(decodeSubscription(encodeSubscription(sub)), sub)
})

test('a newer version is read as the newest known one (fields are only appended)', () => {
  const v3 = encodeSubscription({ version: 3, topics: ['t'], rackId: 'r' })
  const v9 = Buffer.concat([v3, Buffer.from([0xde, 0xad])])
  v9.writeInt16BE(9, 0)
  const decoded = decodeSubscription(v9)
  assert.equal(decoded?.version, 9)
  assert.deepEqual(decoded?.topics, ['t'])
  assert.equal(decoded?.rackId, 'r')
})

test('assignment round-trips; empty bytes mean "no assignment"', () => {
  const a = { version: 1, assignedPartitions: [{ topic: 't', partitions: [0, 1, 5] }], userData: Buffer.from('x') }
  const bytes = encodeAssignment(a)
  assert.equal(bytes.subarray(0, 2).readInt16BE(0), 1)
  assert.deepEqual(decodeAssignment(bytes), a)
  assert.equal(decodeAssignment(Buffer.alloc(0)), null)
})

test('garbage decodes to null instead of throwing', () => {
  for (const junk of [Buffer.from([0x00]), Buffer.from([0xff, 0xff]), Buffer.from('not a subscription at all'), Buffer.from([0, 0, 0x7f, 0xff, 0xff, 0xff])]) {
    assert.equal(decodeSubscription(junk), null, junk.toString('hex'))
    assert.equal(subscribedTopicsOf(junk), null)
  }
  assert.equal(decodeAssignment(Buffer.from([0, 0, 0, 0, 0, 9])), null)
})
