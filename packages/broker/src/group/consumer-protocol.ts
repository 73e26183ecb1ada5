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
// as Kafka's ConsumerProtocol does; bytes that do not parse at their version are tried as v0 (the
// prefix every version shares), as Kafka's coordinator does for subscribed topics. The schemas are
// the protocol package's data, read by its generic codec. Recovery rule: malformed bytes decode
// to null, never throw.
import {
  ProtocolError, Reader, Writer, consumerProtocolAssignment, consumerProtocolSubscription, decodeMessage, encodeMessage
} from '@brook/protocol'

const CONSUMER_PROTOCOL_MAX_VERSION = 3

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

function copy (b: Buffer | null | undefined): Buffer | null {
  return b === null || b === undefined ? null : Buffer.from(b)
}

function decodeSubscriptionAt (bytes: Buffer, version: number): ConsumerSubscription {
  const r = new Reader(bytes, 2)
  const v = decodeMessage(consumerProtocolSubscription, version, r)
  return {
    version: bytes.readInt16BE(0),
    topics: v.topics,
    userData: copy(v.userData),
    ownedPartitions: (v.ownedPartitions ?? []).map((tp) => ({ topic: tp.topic, partitions: tp.partitions })),
    generationId: v.generationId ?? -1,
    rackId: v.rackId ?? null
  }
}

/** Decodes subscription metadata; null when the bytes are not a consumer subscription. */
export function decodeSubscription (bytes: Buffer): ConsumerSubscription | null {
  if (bytes.length < 2) return null
  const version = bytes.readInt16BE(0)
  if (version < 0) return null
  try {
    return decodeSubscriptionAt(bytes, Math.min(version, CONSUMER_PROTOCOL_MAX_VERSION))
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err
  }
  try {
    return decodeSubscriptionAt(bytes, 0)
  } catch (err) {
    if (err instanceof ProtocolError) return null
    throw err
  }
}

/** Decodes an assignment; null when the bytes are not a consumer assignment (or are empty). */
export function decodeAssignment (bytes: Buffer): ConsumerAssignment | null {
  if (bytes.length < 2) return null
  const version = bytes.readInt16BE(0)
  if (version < 0) return null
  try {
    const v = decodeMessage(consumerProtocolAssignment, Math.min(version, CONSUMER_PROTOCOL_MAX_VERSION), new Reader(bytes, 2))
    return {
      version,
      assignedPartitions: v.assignedPartitions.map((tp) => ({ topic: tp.topic, partitions: tp.partitions })),
      userData: copy(v.userData)
    }
  } catch (err) {
    if (err instanceof ProtocolError) return null
    throw err
  }
}

export function encodeSubscription (sub: Partial<ConsumerSubscription> & { topics: string[] }): Buffer {
  const version = sub.version ?? 0
  const w = new Writer(256)
  w.writeInt16(version)
  encodeMessage(consumerProtocolSubscription, Math.min(version, CONSUMER_PROTOCOL_MAX_VERSION), {
    topics: sub.topics,
    userData: sub.userData ?? null,
    ownedPartitions: sub.ownedPartitions ?? [],
    generationId: sub.generationId ?? -1,
    rackId: sub.rackId ?? null
  }, w)
  return Buffer.from(w.toBuffer())
}

export function encodeAssignment (assignment: Partial<ConsumerAssignment> & { assignedPartitions: TopicPartitions[] }): Buffer {
  const version = assignment.version ?? 0
  const w = new Writer(256)
  w.writeInt16(version)
  encodeMessage(consumerProtocolAssignment, Math.min(version, CONSUMER_PROTOCOL_MAX_VERSION), {
    assignedPartitions: assignment.assignedPartitions,
    userData: assignment.userData ?? null
  }, w)
  return Buffer.from(w.toBuffer())
}

/** The topics a subscription names, or null when it cannot be read. */
export function subscribedTopicsOf (metadata: Buffer): string[] | null {
  return decodeSubscription(metadata)?.topics ?? null
}
