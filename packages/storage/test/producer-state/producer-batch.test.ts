import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildBatchSync, buildEndTxnMarker } from '@brook/protocol'
import { readProducerBatch, readProducerBatches } from '../../src/producer-state/producer-batch.js'

test('reads producer fields of real batches, assigning offsets as the log will', () => {
  const a = buildBatchSync({
    producerId: 5n, producerEpoch: 2, baseSequence: 10, transactional: true,
    records: [{ key: null, value: Buffer.from('x'), timestamp: 100n }, { key: null, value: Buffer.from('y'), timestamp: 300n }]
  })
  const b = buildEndTxnMarker({ producerId: 5n, producerEpoch: 2, commit: false, coordinatorEpoch: 9, timestamp: 400n })
  const batches = readProducerBatches(Buffer.concat([a, b]), 50)
  assert.deepEqual(batches, [
    { baseOffset: 50, lastOffsetDelta: 1, producerId: 5n, producerEpoch: 2, baseSequence: 10, maxTimestamp: 300, isTransactional: true, isControl: false, marker: null },
    { baseOffset: 52, lastOffsetDelta: 0, producerId: 5n, producerEpoch: 2, baseSequence: -1, maxTimestamp: 400, isTransactional: true, isControl: true, marker: { commit: false, coordinatorEpoch: 9 } }
  ])
  assert.equal(readProducerBatch(a).baseOffset, 0, 'defaults to the header\'s base offset')
})
