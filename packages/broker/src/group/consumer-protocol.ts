// The consumer embedded protocol (protocol type "consumer"): what kafkajs, librdkafka and the Java
// client put in JoinGroup metadata and SyncGroup assignments. The broker keeps these bytes opaque;
// they are decoded only for DescribeGroups tooling, offset expiry and lag per member.
//
// Layout (Kafka's ConsumerProtocolSubscription / ConsumerProtocolAssignment, non-flexible):
//   Subscription: version int16
//                 topics [string]                (int32 count, int16-length strings)
//                 user_data nullable bytes       (int32 length, -1 = null)
//                 v1+ owned_partitions [topic string, partitions [int32]]
//                 v2+ generation_id int32        (default -1)
//                 v3+ rack_id nullable string
//   Assignment:   version int16
//                 assigned_partitions [topic string, partitions [int32]]
//                 user_data nullable bytes
// Versions above the highest known one are read as that one (later versions only append fields),
// as Kafka's ConsumerProtocol does. Recovery rule: malformed bytes decode to null, never throw.
import { Reader } from '@brook/protocol/primitives/reader'
import { Writer } from '@brook/protocol/primitives/writer'
import { ProtocolError } from '@brook/protocol/protocol-error'

export const CONSUMER_PROTOCOL_MAX_VERSION = 3

export interface TopicPartitions {
  topic: string
  partitions: number[]
}

export interface ConsumerSubscription {
  version: number
  topics: string[]
  userData: Buffer | null
  ownedPartitions: TopicPartitions[]
  generationId: number
  rackId: string | null
}

export interface ConsumerAssignment {
  version: number
  assignedPartitions: TopicPartitions[]
  userData: Buffer | null
}

function readTopicPartitions (r: Reader): TopicPartitions[] {
  const n = r.readArrayLength(false)
  const out: TopicPartitions[] = []
  for (let i = 0; i < n; i++) {
    const topic = r.readString()
    const count = r.readArrayLength(false)
    const partitions: number[] = []
    for (let j = 0; j < count; j++) partitions.push(r.readInt32())
    out.push({ topic, partitions })
  }
  return out
}

function writeTopicPartitions (w: Writer, list: TopicPartitions[]): void {
  w.writeInt32(list.length)
  for (const tp of list) {
    w.writeString(tp.topic)
    w.writeInt32(tp.partitions.length)
    for (const p of tp.partitions) w.writeInt32(p)
  }
}

/** Decodes subscription metadata; null when the bytes are not a consumer subscription. */
export function decodeSubscription (bytes: Buffer): ConsumerSubscription | null {
  try {
    const r = new Reader(bytes)
    const version = r.readInt16()
    if (version < 0) return null
    const v = Math.min(version, CONSUMER_PROTOCOL_MAX_VERSION)
    const topicCount = r.readArrayLength(false)
    const topics: string[] = []
    for (let i = 0; i < topicCount; i++) topics.push(r.readString())
    const userData = r.readNullableBytes()
    const sub: ConsumerSubscription = { version, topics, userData, ownedPartitions: [], generationId: -1, rackId: null }
    // Some clients (older librdkafka) end a v1+ subscription early; missing trailing fields keep defaults.
    if (v >= 1 && r.remaining > 0) sub.ownedPartitions = readTopicPartitions(r)
    if (v >= 2 && r.remaining > 0) sub.generationId = r.readInt32()
    if (v >= 3 && r.remaining > 0) sub.rackId = r.readNullableString()
    return sub
  } catch (err) {
    if (isDecodeError(err)) return null
    throw err
  }
}

/** Decodes an assignment; null when the bytes are not a consumer assignment (or are empty). */
export function decodeAssignment (bytes: Buffer): ConsumerAssignment | null {
  if (bytes.length === 0) return null
  try {
    const r = new Reader(bytes)
    const version = r.readInt16()
    if (version < 0) return null
    const assignedPartitions = readTopicPartitions(r)
    const userData = r.remaining > 0 ? r.readNullableBytes() : null
    return { version, assignedPartitions, userData }
  } catch (err) {
    if (isDecodeError(err)) return null
    throw err
  }
}

export function encodeSubscription (sub: Partial<ConsumerSubscription> & { topics: string[] }): Buffer {
  const version = sub.version ?? 0
  const w = new Writer(256)
  w.writeInt16(version)
  w.writeInt32(sub.topics.length)
  for (const t of sub.topics) w.writeString(t)
  w.writeNullableBytes(sub.userData ?? null)
  if (version >= 1) writeTopicPartitions(w, sub.ownedPartitions ?? [])
  if (version >= 2) w.writeInt32(sub.generationId ?? -1)
  if (version >= 3) w.writeNullableString(sub.rackId ?? null)
  return Buffer.from(w.toBuffer())
}

export function encodeAssignment (assignment: Partial<ConsumerAssignment> & { assignedPartitions: TopicPartitions[] }): Buffer {
  const w = new Writer(256)
  w.writeInt16(assignment.version ?? 0)
  writeTopicPartitions(w, assignment.assignedPartitions)
  w.writeNullableBytes(assignment.userData ?? null)
  return Buffer.from(w.toBuffer())
}

/** The topics a subscription names, or null when it cannot be read. */
export function subscribedTopicsOf (metadata: Buffer): string[] | null {
  return decodeSubscription(metadata)?.topics ?? null
}

function isDecodeError (err: unknown): boolean {
  return err instanceof ProtocolError
}
