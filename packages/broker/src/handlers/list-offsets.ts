// ListOffsets (2): v0-11.
// Behaviour: timestamp -2 earliest (log start), -1 latest (high watermark, or last stable offset
// for READ_COMMITTED), -3 the record with the largest timestamp, -4 earliest local (= log start:
// no tiered storage), -5 latest tiered (KIP-1005) and -6 earliest pending upload (KIP-1023):
// offset and timestamp -1 without error, as Kafka answers without remote storage; otherwise the
// first offset whose timestamp is >= the one asked, or offset -1 when there is none. Leader epochs
// are reported as -1 (see metadata.ts).
// Versions: v0 old-style offset list; v1 single offset + timestamp; v2 isolation level; v4
// current leader epoch; v6 flexible; v7 max timestamp (-3); v8 earliest local (-4); v9 latest
// tiered (-5); v10 timeout (remote lookups only, unused); v11 earliest pending upload (-6).
// Cluster mode: only the leader answers; a new leader whose high watermark has not yet reached the
// start of its leader epoch answers latest with OFFSET_NOT_AVAILABLE (KIP-207), so that the
// offset a client sees never goes back.
import {
  ErrorCode, listOffsetsApi, type ListOffsetsRequest, type ListOffsetsRequestPartition, type ListOffsetsResponse,
  type ListOffsetsResponsePartitionResponse
} from '@brook/protocol'
import { errorCodeOf } from '../errors.js'
import { leaderEpochError } from '../partition/leader-epoch.js'
import type { Partition } from '../partition/partition.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'

const LATEST = -1n
const EARLIEST = -2n
const MAX_TIMESTAMP = -3n
const EARLIEST_LOCAL = -4n
const LATEST_TIERED = -5n
const EARLIEST_PENDING_UPLOAD = -6n
const READ_COMMITTED = 1

interface Found { offset: number, timestamp: number }

async function lookup (partition: Partition, timestamp: bigint, readCommitted: boolean): Promise<Found | null> {
  // delivery.delay.ms: latest and timestamp lookups answer what consumers can read now.
  if (partition.deliveryDelay !== null) await partition.deliveryDelay.ready
  const offsets = partition.consumerOffsets()
  if (timestamp === EARLIEST || timestamp === EARLIEST_LOCAL) return { offset: offsets.logStartOffset, timestamp: -1 }
  if (timestamp === LATEST) return { offset: readCommitted ? offsets.lastStableOffset : offsets.highWatermark, timestamp: -1 }
  if (timestamp === MAX_TIMESTAMP) return await partition.log.findMaxTimestampOffset()
  // Without remote storage nothing is tiered or waiting for upload.
  if (timestamp === LATEST_TIERED || timestamp === EARLIEST_PENDING_UPLOAD) return null
  if (timestamp < 0n) return null
  const found = await partition.log.offsetForTimestamp(Number(timestamp))
  // Only committed data is visible (Kafka: the offset must be below the high watermark, or the
  // last stable offset for READ_COMMITTED).
  return found !== null && found.offset < (readCommitted ? offsets.lastStableOffset : offsets.highWatermark) ? found : null
}

/** Where this leader's epoch starts in its log (0 when the cache has no entry for it). */
function epochStart (partition: Partition): number {
  return partition.log.leaderEpochEntries().find((e) => e.epoch === partition.leaderEpoch)?.startOffset ?? 0
}

function result (index: number, errorCode: number, found: Found | null = null, version = 1): ListOffsetsResponsePartitionResponse {
  return {
    partitionIndex: index,
    errorCode,
    oldStyleOffsets: version === 0 && found !== null ? [BigInt(found.offset)] : [],
    timestamp: BigInt(found?.timestamp ?? -1),
    offset: BigInt(found?.offset ?? -1),
    leaderEpoch: -1
  }
}

async function listPartition (ctx: RequestContext, topic: string, p: ListOffsetsRequestPartition,
  readCommitted: boolean): Promise<ListOffsetsResponsePartitionResponse> {
  const partition = ctx.broker.replicas.partition(topic, p.partitionIndex)
  // Cluster mode: only the leader answers (NOT_LEADER_OR_FOLLOWER elsewhere).
  if (partition === undefined || (partition.replicated && !partition.isLeader)) return result(p.partitionIndex, ctx.broker.replicas.partitionError(topic, p.partitionIndex))
  const epochError = leaderEpochError(partition, p.currentLeaderEpoch)
  if (epochError !== ErrorCode.NONE) return result(p.partitionIndex, epochError)
  if (p.timestamp === LATEST && partition.replicated && partition.log.highWatermark < epochStart(partition)) {
    return result(p.partitionIndex, ErrorCode.OFFSET_NOT_AVAILABLE)
  }
  try {
    return result(p.partitionIndex, ErrorCode.NONE, await lookup(partition, p.timestamp, readCommitted), ctx.apiVersion)
  } catch (err) {
    return result(p.partitionIndex, errorCodeOf(err, ctx.logger, { topic, partition: p.partitionIndex }))
  }
}

async function handle (ctx: RequestContext, request: ListOffsetsRequest): Promise<ListOffsetsResponse> {
  const readCommitted = request.isolationLevel === READ_COMMITTED
  return {
    topics: await Promise.all(request.topics.map(async (t) => ({
      name: t.name,
      partitions: !allowed(ctx, ResourceType.TOPIC, t.name, AclOperation.DESCRIBE)
        ? t.partitions.map((p) => result(p.partitionIndex, ErrorCode.TOPIC_AUTHORIZATION_FAILED))
        : await Promise.all(t.partitions.map(async (p) => await listPartition(ctx, t.name, p, readCommitted)))
    })))
  }
}

export default defineHandler(listOffsetsApi, { min: 0, max: 11 }, handle, (request, code) => ({
  topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => result(p.partitionIndex, code)) }))
}))
