// `__consumer_offsets` record bytes, exactly as Kafka writes them, so Kafka's tools
// (kafka-console-consumer --formatter ...GroupMetadataMessageFormatter, kafka-dump-log
// --offsets-decoder) can read a Brook log:
//
//   key   = version int16 + key schema          version 0/1: OffsetCommitKey, 2: GroupMetadataKey
//   value = version int16 + value schema, or null (tombstone)
//
//   OffsetCommitKey v1     group string, topic string, partition int32
//   OffsetCommitValue v3   offset int64, leaderEpoch int32, metadata string, commitTimestamp int64
//   OffsetCommitValue v1   offset int64, metadata string, commitTimestamp int64, expireTimestamp int64
//   GroupMetadataKey v2    group string
//   GroupMetadataValue v3  protocolType string, generation int32, protocol nullable string,
//                          leader nullable string, currentStateTimestamp int64,
//                          members [memberId string, groupInstanceId nullable string,
//                                   clientId string, clientHost string, rebalanceTimeout int32,
//                                   sessionTimeout int32, subscription bytes, assignment bytes]
// Writing: offset values use v3, or v1 when an expire timestamp must be kept (as Kafka); group
// values use v3. Reading accepts every version Kafka has written (offset values 0-4, group values
// 0-4; v4 is the flexible encoding). Recovery rule: a record that does not decode (unknown key
// version, e.g. KIP-848 consumer-group records, or garbage) is skipped with a warning, never fatal.
import { Reader } from '@brook/protocol/primitives/reader'
import { Writer } from '@brook/protocol/primitives/writer'
import { ProtocolError } from '@brook/protocol/protocol-error'
import type { CoordinatorLogRecord } from './coordinator-log.js'
import type { GroupRecord, GroupSnapshot, MemberSnapshot, OffsetAndMetadata } from './records.js'

export interface RecordCodec {
  encode (record: GroupRecord): CoordinatorLogRecord
  /** null: not a record this coordinator knows (skip it). Throws nothing. */
  decode (record: CoordinatorLogRecord): GroupRecord | null
}

const OFFSET_KEY_VERSION = 1
const GROUP_KEY_VERSION = 2
const OFFSET_VALUE_VERSION = 3
const OFFSET_VALUE_VERSION_WITH_EXPIRY = 1
const GROUP_VALUE_VERSION = 3

function finish (w: Writer): Buffer {
  return Buffer.from(w.toBuffer())
}

export function encodeKey (record: GroupRecord): Buffer {
  const w = new Writer(256)
  if (record.type === 'offset') {
    w.writeInt16(OFFSET_KEY_VERSION).writeString(record.groupId).writeString(record.topic).writeInt32(record.partition)
  } else {
    w.writeInt16(GROUP_KEY_VERSION).writeString(record.groupId)
  }
  return finish(w)
}

export function encodeOffsetValue (o: OffsetAndMetadata): Buffer {
  const w = new Writer(256)
  if (o.expireTimestampMs !== null) {
    w.writeInt16(OFFSET_VALUE_VERSION_WITH_EXPIRY)
      .writeInt64(o.committedOffset)
      .writeString(o.metadata)
      .writeInt64(BigInt(o.commitTimestampMs))
      .writeInt64(BigInt(o.expireTimestampMs))
  } else {
    w.writeInt16(OFFSET_VALUE_VERSION)
      .writeInt64(o.committedOffset)
      .writeInt32(o.leaderEpoch)
      .writeString(o.metadata)
      .writeInt64(BigInt(o.commitTimestampMs))
  }
  return finish(w)
}

export function encodeGroupValue (g: GroupSnapshot): Buffer {
  const w = new Writer(1024)
  w.writeInt16(GROUP_VALUE_VERSION)
    .writeString(g.protocolType)
    .writeInt32(g.generation)
    .writeNullableString(g.protocol)
    .writeNullableString(g.leader)
    .writeInt64(BigInt(g.currentStateTimestamp))
    .writeInt32(g.members.length)
  for (const m of g.members) {
    w.writeString(m.memberId)
      .writeNullableString(m.groupInstanceId)
      .writeString(m.clientId)
      .writeString(m.clientHost)
      .writeInt32(m.rebalanceTimeoutMs)
      .writeInt32(m.sessionTimeoutMs)
      .writeBytes(m.subscription)
      .writeBytes(m.assignment)
  }
  return finish(w)
}

function decodeOffsetValue (bytes: Buffer): OffsetAndMetadata {
  const r = new Reader(bytes)
  const version = r.readInt16()
  if (version < 0 || version > 4) throw new ProtocolError('BROOK_ERR_UNSUPPORTED_VERSION', `OffsetCommitValue v${version}`)
  const flexible = version >= 4
  const committedOffset = r.readInt64()
  const leaderEpoch = version >= 3 ? r.readInt32() : -1
  const metadata = flexible ? r.readCompactString() : r.readString()
  const commitTimestampMs = Number(r.readInt64())
  const expireTimestampMs = version === 1 ? Number(r.readInt64()) : -1
  if (flexible) r.skipTaggedFields()
  return { committedOffset, leaderEpoch, metadata, commitTimestampMs, expireTimestampMs: expireTimestampMs < 0 ? null : expireTimestampMs }
}

function decodeGroupValue (bytes: Buffer): GroupSnapshot {
  const r = new Reader(bytes)
  const version = r.readInt16()
  if (version < 0 || version > 4) throw new ProtocolError('BROOK_ERR_UNSUPPORTED_VERSION', `GroupMetadataValue v${version}`)
  const flexible = version >= 4
  const str = (): string => flexible ? r.readCompactString() : r.readString()
  const nullableStr = (): string | null => flexible ? r.readCompactNullableString() : r.readNullableString()
  const bytesField = (): Buffer => Buffer.from(flexible ? r.readCompactBytes() : r.readBytes())
  const protocolType = str()
  const generation = r.readInt32()
  const protocol = nullableStr()
  const leader = nullableStr()
  const currentStateTimestamp = version >= 2 ? Number(r.readInt64()) : -1
  const count = r.readArrayLength(flexible)
  const members: MemberSnapshot[] = []
  for (let i = 0; i < count; i++) {
    const memberId = str()
    const groupInstanceId = version >= 3 ? nullableStr() : null
    const clientId = str()
    const clientHost = str()
    const rebalanceTimeoutMs = version >= 1 ? r.readInt32() : -1
    const sessionTimeoutMs = r.readInt32()
    const subscription = bytesField()
    const assignment = bytesField()
    if (flexible) r.skipTaggedFields()
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs, sessionTimeoutMs, subscription, assignment })
  }
  if (flexible) r.skipTaggedFields()
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members }
}

export const recordCodec: RecordCodec = {
  encode (record: GroupRecord): CoordinatorLogRecord {
    const key = encodeKey(record)
    if (record.value === null) return { key, value: null }
    return { key, value: record.type === 'offset' ? encodeOffsetValue(record.value) : encodeGroupValue(record.value) }
  },

  decode (record: CoordinatorLogRecord): GroupRecord | null {
    try {
      const r = new Reader(record.key)
      const version = r.readInt16()
      if (version === 0 || version === 1) {
        const groupId = r.readString()
        const topic = r.readString()
        const partition = r.readInt32()
        return { type: 'offset', groupId, topic, partition, value: record.value === null ? null : decodeOffsetValue(record.value) }
      }
      if (version === 2) {
        const groupId = r.readString()
        return { type: 'group', groupId, value: record.value === null ? null : decodeGroupValue(record.value) }
      }
      return null
    } catch (err) {
      if (err instanceof ProtocolError) return null
      throw err
    }
  }
}
