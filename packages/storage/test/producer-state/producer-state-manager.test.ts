import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@brook/protocol'
import { ProducerStateManager } from '../../src/producer-state/producer-state-manager.js'
import { INT32_MAX } from '../../src/producer-state/sequence.js'
import { data, marker } from './helpers.js'

const config = { producerIdExpirationMs: 60_000 }

function appended (m: ProducerStateManager, ...batches: Parameters<ProducerStateManager['append']>[0]): void {
  const outcome = m.append(batches)
  assert.equal(outcome.kind, 'appended', JSON.stringify(outcome, (_k, v: unknown) => typeof v === 'bigint' ? v.toString() : v))
}

function rejectedWith (m: ProducerStateManager, code: number, ...batches: Parameters<ProducerStateManager['append']>[0]): void {
  const outcome = m.append(batches)
  assert.equal(outcome.kind, 'rejected')
  if (outcome.kind === 'rejected') assert.equal(outcome.code, code)
}

test('a new producer starts at sequence 0 and must continue in order', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ seq: 0, count: 3, offset: 0 }))
  appended(m, data({ seq: 3, count: 2, offset: 3 }))
  const entry = m.lastEntry(1n)
  assert.equal(entry?.lastSeq, 4)
  assert.equal(entry?.lastDataOffset, 4)
  assert.equal(m.mapEndOffset, 5)
  // A gap, a repeat that is not an exact duplicate, and a sequence from the past.
  rejectedWith(m, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, data({ seq: 6, offset: 5 }))
  rejectedWith(m, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, data({ seq: 4, count: 2, offset: 5 }))
  rejectedWith(m, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, data({ seq: 1, offset: 5 }))
  assert.equal(m.lastEntry(1n)?.lastSeq, 4, 'rejections change nothing')
  appended(m, data({ seq: 5, offset: 5 }))
})

test('a retry of any of the last five batches is a duplicate answered with its original offsets', () => {
  const m = new ProducerStateManager(config)
  // Six batches of two records each: sequences 0-1, 2-3, ..., 10-11 at offsets 100+.
  for (let i = 0; i < 6; i++) appended(m, data({ seq: i * 2, count: 2, offset: 100 + i * 10, ts: 5000 + i }))
  for (let i = 1; i < 6; i++) {
    const outcome = m.append([data({ seq: i * 2, count: 2, offset: 200 })])
    assert.deepEqual(outcome, { kind: 'duplicate', firstOffset: 100 + i * 10, lastOffset: 101 + i * 10, timestamp: 5000 + i })
  }
  // The sixth-newest batch is no longer retained: its retry is out of order, as in Kafka.
  rejectedWith(m, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, data({ seq: 0, count: 2, offset: 200 }))
  // Same start, different length: not a duplicate.
  rejectedWith(m, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, data({ seq: 10, count: 1, offset: 200 }))
  assert.equal(m.mapEndOffset, 152, 'duplicates append nothing')
})

test('a duplicate under another epoch is not a duplicate', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ seq: 0, count: 2, offset: 0 }))
  appended(m, data({ epoch: 1, seq: 0, count: 2, offset: 2 }))
  const outcome = m.append([data({ epoch: 1, seq: 0, count: 2, offset: 4 })])
  assert.equal(outcome.kind, 'duplicate')
  rejectedWith(m, ErrorCode.INVALID_PRODUCER_EPOCH, data({ epoch: 0, seq: 0, count: 2, offset: 4 }))
})

test('an epoch bump restarts sequences at 0 and forgets the old batches', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ seq: 0, count: 5, offset: 0 }))
  rejectedWith(m, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, data({ epoch: 1, seq: 5, offset: 5 }))
  appended(m, data({ epoch: 1, seq: 0, offset: 5 }))
  const entry = m.lastEntry(1n)
  assert.equal(entry?.epoch, 1)
  assert.equal(entry?.batches.length, 1)
  assert.equal(entry?.lastSeq, 0)
})

test('an older epoch is fenced with INVALID_PRODUCER_EPOCH', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ epoch: 3, seq: 0, offset: 0 }))
  rejectedWith(m, ErrorCode.INVALID_PRODUCER_EPOCH, data({ epoch: 2, seq: 1, offset: 1 }))
  rejectedWith(m, ErrorCode.INVALID_PRODUCER_EPOCH, data({ epoch: 2, seq: 0, offset: 1 }))
})

test('a producer without state is accepted at any sequence (KIP-360)', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ pid: 7n, epoch: 4, seq: 42, count: 2, offset: 0 }))
  rejectedWith(m, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, data({ pid: 7n, epoch: 4, seq: 45, offset: 2 }))
  appended(m, data({ pid: 7n, epoch: 4, seq: 44, offset: 2 }))
})

test('sequences wrap from Int32.MAX to 0', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ seq: INT32_MAX - 3, count: 3, offset: 0 }))
  assert.equal(m.lastEntry(1n)?.lastSeq, INT32_MAX - 1)
  // This batch spans the wrap: INT32_MAX, 0, 1.
  appended(m, data({ seq: INT32_MAX, count: 3, offset: 3 }))
  assert.equal(m.lastEntry(1n)?.lastSeq, 1)
  const dup = m.append([data({ seq: INT32_MAX, count: 3, offset: 6 })])
  assert.deepEqual(dup, { kind: 'duplicate', firstOffset: 3, lastOffset: 5, timestamp: 1000 })
  rejectedWith(m, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, data({ seq: 0, offset: 6 }))
  appended(m, data({ seq: 2, offset: 6 }))
  // Exactly at the boundary: ...INT32_MAX then 0.
  const n = new ProducerStateManager(config)
  appended(n, data({ seq: INT32_MAX - 1, count: 2, offset: 0 }))
  appended(n, data({ seq: 0, offset: 2 }))
})

test('an append is all or nothing', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ seq: 0, offset: 0 }))
  rejectedWith(m, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    data({ seq: 1, offset: 1 }), data({ pid: 2n, seq: 0, offset: 2 }), data({ seq: 9, offset: 3 }))
  assert.equal(m.lastEntry(1n)?.lastSeq, 0)
  assert.equal(m.lastEntry(2n), undefined)
  assert.equal(m.mapEndOffset, 1)
  appended(m, data({ seq: 1, offset: 1 }), data({ seq: 2, offset: 2 }), data({ pid: 2n, seq: 0, offset: 3 }))
  assert.equal(m.lastEntry(1n)?.lastSeq, 2)
})

test('batches without a producer id only move the map end', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ pid: -1n, seq: -1, count: 10, offset: 0 }))
  assert.equal(m.producerCount, 0)
  assert.equal(m.mapEndOffset, 10)
})

test('an open transaction holds the LSO at its first offset until its marker is below the HW', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ pid: -1n, seq: -1, count: 5, offset: 0 }))
  appended(m, data({ seq: 0, count: 2, offset: 5, txn: true }))
  appended(m, data({ seq: 2, count: 2, offset: 7, txn: true }))
  assert.equal(m.firstUndecidedOffset(), 5)
  assert.equal(m.lastStableOffset(9), 5)
  const outcome = m.append([marker({ offset: 9, commit: true })])
  assert.deepEqual(outcome, { kind: 'appended', completedTxns: [{ producerId: 1n, firstOffset: 5, lastOffset: 9, isAborted: false }], abortedTxns: [] })
  assert.equal(m.firstUndecidedOffset(), null)
  assert.equal(m.lastStableOffset(9), 5, 'the marker is not yet below the high watermark')
  assert.equal(m.lastStableOffset(10), 10)
  assert.equal(m.lastEntry(1n)?.currentTxnFirstOffset, -1)
})

test('an abort yields a txn index entry whose LSO is the next open transaction of another producer', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ pid: 1n, seq: 0, offset: 0, txn: true }))
  appended(m, data({ pid: 2n, seq: 0, offset: 1, txn: true }))
  appended(m, data({ pid: 1n, seq: 1, offset: 2, txn: true }))
  const first = m.append([marker({ pid: 1n, offset: 3, commit: false, coordinatorEpoch: 4 })])
  assert.equal(first.kind, 'appended')
  if (first.kind === 'appended') assert.deepEqual(first.abortedTxns, [{ producerId: 1n, firstOffset: 0, lastOffset: 3, lastStableOffset: 1 }])
  assert.equal(m.lastStableOffset(4), 1)
  const second = m.append([marker({ pid: 2n, offset: 4, commit: false })])
  if (second.kind === 'appended') assert.deepEqual(second.abortedTxns, [{ producerId: 2n, firstOffset: 1, lastOffset: 4, lastStableOffset: 5 }])
  else assert.fail(second.kind)
  assert.equal(m.lastStableOffset(5), 5)
  assert.equal(m.lastEntry(1n)?.coordinatorEpoch, 4)
})

test('a non-transactional batch during an open transaction is INVALID_TXN_STATE', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ seq: 0, offset: 0, txn: true }))
  rejectedWith(m, ErrorCode.INVALID_TXN_STATE, data({ seq: 1, offset: 1 }))
  appended(m, data({ seq: 1, offset: 1, txn: true }))
})

test('a marker from an older coordinator epoch is TRANSACTION_COORDINATOR_FENCED', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ seq: 0, offset: 0, txn: true }))
  appended(m, marker({ offset: 1, commit: true, coordinatorEpoch: 5 }))
  appended(m, data({ seq: 1, offset: 2, txn: true }))
  const outcome = m.append([marker({ offset: 3, commit: false, coordinatorEpoch: 4 })], 'coordinator')
  assert.equal(outcome.kind, 'rejected')
  if (outcome.kind === 'rejected') assert.equal(outcome.code, ErrorCode.TRANSACTION_COORDINATOR_FENCED)
  assert.equal(m.firstUndecidedOffset(), 2)
})

test('a fencing abort marker at a bumped epoch fences the old producer', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ epoch: 0, seq: 0, offset: 0, txn: true }))
  const outcome = m.append([marker({ epoch: 1, offset: 1, commit: false })], 'coordinator')
  assert.equal(outcome.kind, 'appended')
  assert.equal(m.lastEntry(1n)?.epoch, 1)
  assert.equal(m.lastEntry(1n)?.batches.length, 0)
  rejectedWith(m, ErrorCode.INVALID_PRODUCER_EPOCH, data({ epoch: 0, seq: 1, offset: 2, txn: true }))
  // The new incarnation starts over at sequence 0.
  appended(m, data({ epoch: 1, seq: 0, offset: 2, txn: true }))
})

test('a marker for a transaction without data completes nothing', () => {
  const m = new ProducerStateManager(config)
  const outcome = m.append([marker({ offset: 0, commit: false })], 'coordinator')
  assert.deepEqual(outcome, { kind: 'appended', completedTxns: [], abortedTxns: [] })
  assert.equal(m.lastStableOffset(1), 1)
})

test('coordinator appends skip sequence checks but not epoch checks', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ epoch: 2, seq: 0, offset: 0 }))
  assert.equal(m.append([data({ epoch: 2, seq: -1, offset: 1, txn: true })], 'coordinator').kind, 'appended')
  assert.equal(m.append([data({ epoch: 1, seq: -1, offset: 2, txn: true })], 'coordinator').kind, 'rejected')
  // Replication (the log's own replay) accepts whatever the log holds.
  assert.equal(m.append([data({ epoch: 1, seq: 77, offset: 2, txn: true })], 'replication').kind, 'appended')
})

test('duplicates are only looked for in client appends', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ seq: 0, offset: 0 }))
  assert.equal(m.append([data({ seq: 0, offset: 1 })], 'replication').kind, 'appended')
})

test('idle producers expire after producer.id.expiration.ms unless a transaction is open', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ pid: 1n, seq: 0, offset: 0, ts: 1000 }))
  appended(m, data({ pid: 2n, seq: 0, offset: 1, ts: 1000, txn: true }))
  appended(m, data({ pid: 3n, seq: 0, offset: 2, ts: 50_000 }))
  assert.equal(m.removeExpiredProducers(60_999), 0)
  assert.equal(m.removeExpiredProducers(61_000), 1)
  assert.equal(m.lastEntry(1n), undefined)
  assert.notEqual(m.lastEntry(2n), undefined, 'open transaction keeps its producer')
  assert.notEqual(m.lastEntry(3n), undefined)
  // Expired: the next batch is accepted at any sequence, as for a new producer.
  appended(m, data({ pid: 1n, seq: 17, offset: 3 }))
})

test('activeProducers reports what DescribeProducers shows', () => {
  const m = new ProducerStateManager(config)
  appended(m, data({ pid: 9n, epoch: 3, seq: 0, count: 4, offset: 10, ts: 777, txn: true }))
  assert.deepEqual(m.activeProducers(), [{ producerId: 9n, producerEpoch: 3, lastSequence: 3, lastTimestamp: 777, coordinatorEpoch: -1, currentTxnStartOffset: 10 }])
  assert.deepEqual(m.ongoingTransactions(), [{ producerId: 9n, firstOffset: 10 }])
})
