import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  buildEndTxnMarker, ControlType, controlKey, endTxnMarkerValue, readControlMarker, readControlType
} from '../../src/records/control-batch.js'
import { buildBatchSync } from '../../src/records/builder.js'
import { CONTROL_MASK, readBatchHeader, TRANSACTIONAL_MASK } from '../../src/records/record-batch.js'
import { decodeBatchSync } from '../../src/records/read-batches.js'
import { RecordFormatError } from '../../src/records/varint.js'
import { GOLDEN_BATCH } from './fixtures.js'

test('commit and abort markers round trip', () => {
  for (const commit of [true, false]) {
    const batch = buildEndTxnMarker({ producerId: 4242n, producerEpoch: 3, commit, coordinatorEpoch: 17, timestamp: 1234n, baseOffset: 99n, partitionLeaderEpoch: 2 })
    const h = readBatchHeader(batch)
    assert.equal(h.attributes, TRANSACTIONAL_MASK | CONTROL_MASK)
    assert.equal(h.baseSequence, -1)
    assert.equal(h.recordCount, 1)
    assert.equal(h.baseOffset, 99n)
    assert.equal(h.partitionLeaderEpoch, 2)
    assert.deepEqual(readControlMarker(batch), {
      type: commit ? ControlType.Commit : ControlType.Abort, producerId: 4242n, producerEpoch: 3, coordinatorEpoch: 17
    })
    const record = decodeBatchSync(batch).records[0]!
    assert.equal(record.key?.toString('hex'), commit ? '00000001' : '00000000')
    assert.equal(record.value?.toString('hex'), '000000000011')
    assert.equal(record.timestamp, 1234n)
  }
})

test('key and value encodings', () => {
  assert.equal(controlKey(ControlType.Commit).toString('hex'), '00000001')
  assert.equal(endTxnMarkerValue(-1).toString('hex'), '0000ffffffff')
  assert.equal(readControlType(Buffer.from('00000003', 'hex')), 3)
  assert.throws(() => readControlType(null), RecordFormatError)
  assert.throws(() => readControlType(Buffer.from('0000', 'hex')), RecordFormatError)
})

test('a data batch has no marker; malformed control records are errors; other types pass through', () => {
  assert.equal(readControlMarker(GOLDEN_BATCH), null)
  assert.throws(() => readControlMarker(GOLDEN_BATCH.subarray(0, 10)), RecordFormatError)
  const shortValue = buildBatchSync({ control: true, transactional: true, producerId: 1n, producerEpoch: 0, records: [{ key: controlKey(1), value: Buffer.from('0000', 'hex') }] })
  assert.throws(() => readControlMarker(shortValue), RecordFormatError)
  const leaderChange = buildBatchSync({ control: true, records: [{ key: controlKey(2), value: Buffer.from('00') }] })
  assert.deepEqual(readControlMarker(leaderChange), { type: 2, producerId: -1n, producerEpoch: -1, coordinatorEpoch: -1 })
})
