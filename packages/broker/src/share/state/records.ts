// The records of `__share_group_state`, as Kafka's share coordinator writes them:
//
//   key   = int16 record type 0 + ShareSnapshotKey  (groupId string, topicId uuid, partition int32)
//   value = int16 version 0 + ShareSnapshotValue    (snapshotEpoch, stateEpoch, leaderEpoch,
//           startOffset, stateBatches [firstOffset, lastOffset, deliveryState int8, deliveryCount int16])
//           or null: the share-partition's state is deleted (tombstone)
//
// Brook writes only snapshots: each one is the whole durable state of one share-partition (its
// start offset and the runs of records past it whose state is not "never delivered"), so the
// topic can be compacted and the latest snapshot per key is all a load needs. Kafka's ShareUpdate
// records (type 1, deltas on top of a snapshot) are read as well, applied on top of the latest
// snapshot, so a log Kafka wrote replays. Recovery rule: a record that does not decode is skipped.
import { ProtocolError, Reader, decodeMessage, shareSnapshotKey, shareSnapshotValue, shareUpdateKey, shareUpdateValue } from '@brook/protocol'
import type { CoordinatorLogRecord } from '../../coordinator/log.js'
import type { RecordCodec } from '../../coordinator/runtime.js'
import { encodeVersioned } from '../../coordinator/versioned-record.js'

/** Kafka's persisted delivery states of a run of records (3, archiving: KIP-1191, waiting for its dead-letter record). */
export const DeliveryState = { AVAILABLE: 0, ACKNOWLEDGED: 2, ARCHIVING: 3, ARCHIVED: 4 } as const

export interface StateBatch {
  firstOffset: number
  lastOffset: number
  deliveryState: number
  deliveryCount: number
}

export interface ShareStateSnapshot {
  snapshotEpoch: number
  stateEpoch: number
  startOffset: number
  batches: StateBatch[]
}

export interface SharePartitionKey {
  groupId: string
  topicId: string
  partition: number
}

export interface ShareStateRecord {
  key: SharePartitionKey
  /** 'snapshot' replaces the state, 'update' applies on top of it; null value: deleted. */
  kind: 'snapshot' | 'update'
  value: ShareStateSnapshot | null
}

const SNAPSHOT_TYPE = 0
const UPDATE_TYPE = 1
const VALUE_VERSION = 0

export function stateKey (key: SharePartitionKey): string {
  return `${key.groupId}\u0000${key.topicId}\u0000${key.partition}`
}

export const shareStateCodec: RecordCodec<ShareStateRecord> = {
  encode (record: ShareStateRecord): CoordinatorLogRecord {
    const key = encodeVersioned(shareSnapshotKey, SNAPSHOT_TYPE, record.key)
    if (record.value === null) return { key, value: null }
    const v = record.value
    return {
      key,
      value: encodeVersioned(shareSnapshotValue, VALUE_VERSION, {
        snapshotEpoch: v.snapshotEpoch & 0xffff,
        stateEpoch: v.stateEpoch,
        leaderEpoch: -1,
        startOffset: BigInt(v.startOffset),
        stateBatches: v.batches.map((b) => ({ ...b, firstOffset: BigInt(b.firstOffset), lastOffset: BigInt(b.lastOffset) }))
      })
    }
  },

  decode (record: CoordinatorLogRecord): ShareStateRecord | null {
    try {
      const r = new Reader(record.key)
      const type = r.readInt16()
      if (type !== SNAPSHOT_TYPE && type !== UPDATE_TYPE) return null
      const k = decodeMessage(type === SNAPSHOT_TYPE ? shareSnapshotKey : shareUpdateKey, type, r)
      const key = { groupId: k.groupId, topicId: k.topicId, partition: k.partition }
      const kind = type === SNAPSHOT_TYPE ? 'snapshot' : 'update'
      if (record.value === null) return { key, kind, value: null }
      const vr = new Reader(record.value)
      const version = vr.readInt16()
      const v = type === SNAPSHOT_TYPE
        ? decodeMessage(shareSnapshotValue, version, vr)
        : { stateEpoch: -1, ...decodeMessage(shareUpdateValue, version, vr) }
      return {
        key,
        kind,
        value: {
          snapshotEpoch: v.snapshotEpoch,
          stateEpoch: v.stateEpoch,
          startOffset: Number(v.startOffset),
          batches: v.stateBatches.map((b) => ({ firstOffset: Number(b.firstOffset), lastOffset: Number(b.lastOffset), deliveryState: b.deliveryState, deliveryCount: b.deliveryCount }))
        }
      }
    } catch (err) {
      if (err instanceof ProtocolError) return null
      throw err
    }
  }
}
