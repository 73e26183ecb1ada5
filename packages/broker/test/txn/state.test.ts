import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TxnState, VALID_PREVIOUS_STATES, canTransition, isTxnState, parseTxnStateName, txnStateName } from '../../src/txn/state.js'
import { newTxnMetadata, prepareAddPartitions, prepareComplete, prepareFenceProducerEpoch, transit } from '../../src/txn/metadata.js'

const { Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, Dead, PrepareEpochFence } = TxnState

test('the transition table is Kafka\'s validPreviousStates (transaction protocol v1)', () => {
  const allowed = (to: TxnState): TxnState[] => ([Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, Dead, PrepareEpochFence] as TxnState[]).filter((from) => canTransition(from, to))
  assert.deepEqual(allowed(Empty), [Empty, CompleteCommit, CompleteAbort])
  assert.deepEqual(allowed(Ongoing), [Empty, Ongoing, CompleteCommit, CompleteAbort])
  assert.deepEqual(allowed(PrepareCommit), [Ongoing])
  assert.deepEqual(allowed(PrepareAbort), [Ongoing, PrepareEpochFence])
  assert.deepEqual(allowed(CompleteCommit), [PrepareCommit])
  assert.deepEqual(allowed(CompleteAbort), [PrepareAbort])
  assert.deepEqual(allowed(Dead), [Empty, CompleteCommit, CompleteAbort])
  assert.deepEqual(allowed(PrepareEpochFence), [Ongoing])
  assert.equal(Object.keys(VALID_PREVIOUS_STATES).length, 8)
})

test('state names and ids', () => {
  assert.equal(txnStateName(PrepareEpochFence), 'PrepareEpochFence')
  assert.equal(parseTxnStateName('CompleteAbort'), CompleteAbort)
  assert.equal(parseTxnStateName('completeabort'), undefined)
  assert.equal(isTxnState(7), true)
  assert.equal(isTxnState(8), false)
  assert.equal(isTxnState(-1), false)
})

test('transitions outside the table throw; inside they build new metadata', () => {
  const m = newTxnMetadata('t', 5n, 60000, 1000)
  assert.throws(() => transit(m, PrepareCommit), /BROOK_ILLEGAL_TXN_TRANSITION.*Empty to PrepareCommit/)
  assert.throws(() => prepareComplete(m, 2000), /BROOK_ILLEGAL_TXN_TRANSITION/)
  assert.throws(() => prepareFenceProducerEpoch(m), /BROOK_ILLEGAL_TXN_TRANSITION/)
  const ongoing = prepareAddPartitions(m, [{ topic: 'b', partition: 1 }, { topic: 'a', partition: 2 }, { topic: 'a', partition: 0 }], 2000)
  assert.equal(ongoing.state, Ongoing)
  assert.equal(m.state, Empty, 'the original is untouched')
  assert.deepEqual(ongoing.partitions, [{ topic: 'a', partition: 0 }, { topic: 'a', partition: 2 }, { topic: 'b', partition: 1 }])
  assert.equal(ongoing.startTimestamp, 2000)
  const more = prepareAddPartitions(ongoing, [{ topic: 'a', partition: 2 }, { topic: 'c', partition: 0 }], 3000)
  assert.equal(more.partitions.length, 4)
  assert.equal(more.startTimestamp, 2000, 'the transaction started with its first partition')
  const fenced = prepareFenceProducerEpoch(more)
  assert.equal(fenced.state, PrepareEpochFence)
  assert.equal(fenced.producerEpoch, more.producerEpoch + 1)
})
