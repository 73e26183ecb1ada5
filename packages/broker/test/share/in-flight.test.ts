// The in-flight records of a share-partition as pure state: acquisition, acknowledgement types,
// lock release, the delivery limit, back-off, archiving for dead letters, and the snapshot that
// makes the state durable (restored exactly, acquired records coming back available).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AckType, InFlightRecords, InvalidRecordStateError, RecordState, acquiredRanges, type InFlightLimits } from '../../src/share/partition/in-flight.js'

const limits = (over: Partial<InFlightLimits> = {}): InFlightLimits => ({ deliveryCountLimit: 3, deadLetter: false, backoffMs: () => 0, ...over })

function acquireRange (r: InFlightRecords, from: number, to: number, member: string, now = 0, l = limits()): Array<{ offset: number, deliveryCount: number }> {
  const lock = r.newLockId()
  const out = []
  for (let o = from; o <= to; o++) {
    const count = r.acquire(o, true, member, lock, now, l)
    if (count > 0) out.push({ offset: o, deliveryCount: count })
  }
  return out
}

test('acquire, accept, release and reject move the start offset and delivery counts', { timeout: 10_000 }, () => {
  const r = new InFlightRecords(0)
  assert.deepEqual(acquiredRanges(acquireRange(r, 0, 9, 'a')), [{ firstOffset: 0, lastOffset: 9, deliveryCount: 1 }])
  assert.equal(r.acquiredCount, 10)
  // Acquired records are not acquired twice.
  assert.deepEqual(acquireRange(r, 0, 9, 'b'), [])
  r.checkAcknowledge('a', [{ firstOffset: 0, lastOffset: 4, types: [AckType.ACCEPT, AckType.ACCEPT, AckType.RELEASE, AckType.REJECT, AckType.ACCEPT] }])
  assert.throws(() => { r.checkAcknowledge('b', [{ firstOffset: 5, lastOffset: 5, types: [AckType.ACCEPT] }]) }, InvalidRecordStateError)
  assert.throws(() => { r.checkAcknowledge('a', [{ firstOffset: 5, lastOffset: 10, types: [AckType.ACCEPT] }]) }, InvalidRecordStateError)
  r.acknowledge([{ firstOffset: 0, lastOffset: 4, types: [AckType.ACCEPT, AckType.ACCEPT, AckType.RELEASE, AckType.REJECT, AckType.ACCEPT] }], 0, limits(), () => 0)
  assert.equal(r.startOffset, 2, 'the start waits for the released record')
  assert.equal(r.firstRedeliverable(0), 2)
  assert.deepEqual(acquireRange(r, 2, 2, 'b'), [{ offset: 2, deliveryCount: 2 }])
  r.acknowledge([{ firstOffset: 2, lastOffset: 2, types: [AckType.ACCEPT] }], 0, limits(), () => 0)
  assert.equal(r.startOffset, 5)
  assert.equal(r.entries.get(3), undefined, 'entries before the start are dropped')
})

test('lock release, delivery limit, back-off and archiving', { timeout: 10_000 }, () => {
  const r = new InFlightRecords(0)
  const l = limits({ backoffMs: (count) => count * 100, deadLetter: true })
  const lock = r.newLockId()
  for (let o = 0; o < 3; o++) r.acquire(o, true, 'a', lock, 0, l)
  assert.equal(r.releaseLock(lock, 1000, l).released, 3)
  assert.equal(r.firstRedeliverable(1050), null, 'not before the back-off')
  assert.equal(r.nextAvailableAt(1050), 1100)
  assert.equal(r.firstRedeliverable(1100), 0)
  // Two more deliveries reach the limit of 3; the next release fails the record.
  for (let i = 0; i < 2; i++) {
    acquireRange(r, 0, 0, 'a', 10_000 * (i + 1), l)
    r.releaseMember('a', 10_000 * (i + 1), l)
  }
  assert.equal(r.entries.get(0)?.deliveryCount, 3)
  assert.equal(r.entries.get(0)?.state, RecordState.ARCHIVING)
  assert.deepEqual(r.archiving(), [{ offset: 0, deliveryCount: 3, reason: 'delivery count limit reached' }])
  assert.equal(r.startOffset, 0, 'an archiving record holds the start offset')
  r.completeArchiving([0])
  assert.equal(r.entries.get(0), undefined)
  assert.equal(r.startOffset, 1)
  // A control record's offset is passed over; an expired never-delivered record fails.
  const lock2 = r.newLockId()
  assert.equal(r.acquire(3, false, 'a', lock2, 20_000, l), 0)
  assert.equal(r.acquire(4, true, 'a', lock2, 20_000, l, true), 0)
  assert.deepEqual(r.archiving().map((x) => [x.offset, x.reason]), [[4, 'message ttl expired']])
})

test('the snapshot restores terminal states and counts; acquired records come back available', { timeout: 10_000 }, () => {
  const r = new InFlightRecords(100)
  acquireRange(r, 100, 109, 'a')
  r.acknowledge([{ firstOffset: 100, lastOffset: 105, types: [AckType.ACCEPT, AckType.RELEASE, AckType.ACCEPT, AckType.REJECT, AckType.ACCEPT, AckType.ACCEPT] }], 0, limits(), () => 0)
  const snapshot = r.toSnapshot(7, 0)
  assert.equal(snapshot.startOffset, 101)
  assert.deepEqual(snapshot.batches.map((b) => [b.firstOffset, b.lastOffset, b.deliveryState, b.deliveryCount]), [
    [101, 101, 0, 1], [102, 102, 2, 1], [103, 103, 4, 1], [104, 105, 2, 1], [106, 109, 0, 1]
  ])
  const restored = InFlightRecords.fromSnapshot(snapshot)
  assert.equal(restored.startOffset, 101)
  assert.equal(restored.acquiredCount, 0)
  // Delivered again: 101 and 106-109 (count 2), never 102-105.
  assert.deepEqual(acquiredRanges(acquireRange(restored, 101, 112, 'b')), [
    { firstOffset: 101, lastOffset: 101, deliveryCount: 2 },
    { firstOffset: 106, lastOffset: 109, deliveryCount: 2 },
    { firstOffset: 110, lastOffset: 112, deliveryCount: 1 }
  ])
})
