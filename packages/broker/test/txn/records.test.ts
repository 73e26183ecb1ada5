import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Reader, transactionLogValue, decodeMessage } from '@brook/protocol'
import { decodeTxnRecord, encodeTxnRecord } from '../../src/txn/records.js'
import { TxnState } from '../../src/txn/state.js'
import type { TxnMetadata } from '../../src/txn/metadata.js'

const ongoing: TxnMetadata = {
  transactionalId: 'tx-1',
  producerId: 4001n,
  lastProducerId: -1n,
  producerEpoch: 3,
  lastProducerEpoch: -1,
  timeoutMs: 60000,
  state: TxnState.Ongoing,
  partitions: [{ topic: 'a', partition: 0 }, { topic: 'a', partition: 3 }, { topic: 'b', partition: 1 }],
  startTimestamp: 1_700_000_000_000,
  lastUpdateTimestamp: 1_700_000_000_500
}

test('key and value bytes follow Kafka\'s TransactionLogKey v0 / TransactionLogValue v0', () => {
  const { key, value } = encodeTxnRecord({ transactionalId: 'tx-1', value: ongoing })
  assert.deepEqual(key, Buffer.from([0, 0, 0, 4, 0x74, 0x78, 0x2d, 0x31]))
  assert.ok(value !== null)
  assert.equal(value.readInt16BE(0), 0)
  assert.equal(value.readBigInt64BE(2), 4001n)
  assert.equal(value.readInt16BE(10), 3)
  assert.equal(value.readInt32BE(12), 60000)
  assert.equal(value.readInt8(16), TxnState.Ongoing)
  const decoded = decodeMessage(transactionLogValue, 0, new Reader(value, 2))
  assert.deepEqual(decoded.transactionPartitions, [{ topic: 'a', partitionIds: [0, 3] }, { topic: 'b', partitionIds: [1] }])
})

test('records round trip; Empty has null partitions; a tombstone has a null value', () => {
  assert.deepEqual(decodeTxnRecord(encodeTxnRecord({ transactionalId: 'tx-1', value: ongoing })), { transactionalId: 'tx-1', value: ongoing })
  const empty: TxnMetadata = { ...ongoing, state: TxnState.Empty, partitions: [], startTimestamp: -1 }
  const { value } = encodeTxnRecord({ transactionalId: 'tx-1', value: empty })
  assert.ok(value !== null)
  assert.equal(decodeMessage(transactionLogValue, 0, new Reader(value, 2)).transactionPartitions, null)
  assert.deepEqual(decodeTxnRecord(encodeTxnRecord({ transactionalId: 'tx-1', value: empty })), { transactionalId: 'tx-1', value: empty })
  assert.deepEqual(decodeTxnRecord(encodeTxnRecord({ transactionalId: 'gone', value: null })), { transactionalId: 'gone', value: null })
})

test('records Brook cannot read are skipped, not fatal', () => {
  const good = encodeTxnRecord({ transactionalId: 'tx-1', value: ongoing })
  assert.equal(decodeTxnRecord({ key: Buffer.from([0, 1, 0, 0]), value: null }), null, 'unknown key version')
  assert.equal(decodeTxnRecord({ key: Buffer.from([0]), value: null }), null, 'short key')
  assert.equal(decodeTxnRecord({ key: good.key, value: Buffer.from([0, 0, 1]) }), null, 'short value')
  const badStatus = Buffer.from(good.value as Buffer)
  badStatus.writeInt8(42, 16)
  assert.equal(decodeTxnRecord({ key: good.key, value: badStatus }), null, 'unknown status')
  const future = Buffer.from(good.value as Buffer)
  future.writeInt16BE(9, 0)
  assert.equal(decodeTxnRecord({ key: good.key, value: future }), null, 'unknown value version')
})
