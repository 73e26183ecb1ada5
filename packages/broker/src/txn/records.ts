// `__transaction_state` record bytes, exactly as Kafka writes them, so Kafka's tools
// (kafka-dump-log --transaction-log-decoder) read a Brook log:
//
//   key   = version int16 (0) + TransactionLogKey v0     transactionalId string
//   value = version int16 + TransactionLogValue          null: the id is expired (tombstone)
//     v0  producerId int64, producerEpoch int16, transactionTimeoutMs int32, transactionStatus int8,
//         transactionPartitions nullable [topic string, partitionIds [int32]],
//         transactionLastUpdateTimestampMs int64, transactionStartTimestampMs int64
//     v1  the same, flexible, with tagged previousProducerId / nextProducerId / clientTransactionVersion
// Writing: value v0, as Kafka does for transaction protocol v1 clients (EndTxn <= 4); partitions
// null in state Empty. Reading: v0 and v1. Recovery rule: a record that does not decode (unknown
// key version, garbage, an unknown status byte) is skipped with a warning, never fatal.
import {
  ProtocolError, Reader, decodeMessage, transactionLogKey, transactionLogValue
} from '@brook/protocol'
import type { CoordinatorLogRecord } from '../coordinator/log.js'
import { encodeVersioned as versioned } from '../coordinator/versioned-record.js'
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID, byTopic, comparePartitions, type TxnMetadata } from './metadata.js'
import { TxnState, isTxnState } from './state.js'

const KEY_VERSION = 0
const VALUE_VERSION = 0
const MAX_VALUE_VERSION = 1

/** One `__transaction_state` record: the id's metadata, or null (expired). */
export interface TxnRecord {
  transactionalId: string
  value: TxnMetadata | null
}

export function encodeTxnRecord (record: TxnRecord): CoordinatorLogRecord {
  const key = versioned(transactionLogKey, KEY_VERSION, { transactionalId: record.transactionalId })
  const m = record.value
  if (m === null) return { key, value: null }
  const value = versioned(transactionLogValue, VALUE_VERSION, {
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    transactionTimeoutMs: m.timeoutMs,
    transactionStatus: m.state,
    transactionPartitions: m.state === TxnState.Empty ? null : byTopic(m.partitions).map((t) => ({ topic: t.topic, partitionIds: t.partitions })),
    transactionLastUpdateTimestampMs: BigInt(m.lastUpdateTimestamp),
    transactionStartTimestampMs: BigInt(m.startTimestamp)
  })
  return { key, value }
}

/** null: not a transaction log record Brook understands (skip it). Throws nothing. */
export function decodeTxnRecord (record: CoordinatorLogRecord): TxnRecord | null {
  try {
    const keyReader = new Reader(record.key)
    if (keyReader.readInt16() !== KEY_VERSION) return null
    const { transactionalId } = decodeMessage(transactionLogKey, KEY_VERSION, keyReader)
    if (record.value === null) return { transactionalId, value: null }
    const valueReader = new Reader(record.value)
    const version = valueReader.readInt16()
    if (version < 0 || version > MAX_VALUE_VERSION) return null
    const v = decodeMessage(transactionLogValue, version, valueReader)
    if (!isTxnState(v.transactionStatus)) return null
    const partitions = (v.transactionPartitions ?? [])
      .flatMap((t) => t.partitionIds.map((partition) => ({ topic: t.topic, partition })))
      .sort(comparePartitions)
    return {
      transactionalId,
      value: {
        transactionalId,
        producerId: v.producerId,
        lastProducerId: v.previousProducerId ?? NO_PRODUCER_ID,
        producerEpoch: v.producerEpoch,
        lastProducerEpoch: NO_PRODUCER_EPOCH,
        timeoutMs: v.transactionTimeoutMs,
        state: v.transactionStatus,
        partitions,
        startTimestamp: Number(v.transactionStartTimestampMs),
        lastUpdateTimestamp: Number(v.transactionLastUpdateTimestampMs)
      }
    }
  } catch (err) {
    if (err instanceof ProtocolError) return null
    throw err
  }
}
