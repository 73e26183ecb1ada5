// OffsetForLeaderEpoch (23): v0-4.
// Behaviour: the leader answers, for each partition, the largest leader epoch at or below the
// requested one and the offset where it ended (the log end for the current epoch), from the log's
// leader-epoch cache; UNDEFINED (-1, -1) when it knows no such epoch. Followers use it to find
// where their log diverges before fetching (KIP-101/279), consumers to validate positions after a
// leader change. A replica that does not lead answers NOT_LEADER_OR_FOLLOWER; current_leader_epoch
// older than the partition's is FENCED_LEADER_EPOCH, newer UNKNOWN_LEADER_EPOCH.
// Versions: v1 leader epoch in the response; v2 current leader epoch, throttle; v3 replica id;
// v4 flexible.
import {
  ErrorCode, offsetForLeaderEpochApi, type OffsetForLeaderEpochRequest, type OffsetForLeaderEpochRequestOffsetForLeaderPartition,
  type OffsetForLeaderEpochResponse, type OffsetForLeaderEpochResponseEpochEndOffset
} from '@brook/protocol'
import { leaderEpochError } from '../partition/leader-epoch.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

function answer (partition: number, errorCode: number, leaderEpoch = -1, endOffset = -1): OffsetForLeaderEpochResponseEpochEndOffset {
  return { errorCode, partition, leaderEpoch, endOffset: BigInt(endOffset) }
}

function forPartition (ctx: RequestContext, topic: string, p: OffsetForLeaderEpochRequestOffsetForLeaderPartition): OffsetForLeaderEpochResponseEpochEndOffset {
  const { replicas } = ctx.broker
  const partition = replicas.partition(topic, p.partition)
  if (partition === undefined || (partition.replicated && !partition.isLeader)) return answer(p.partition, replicas.partitionError(topic, p.partition))
  const epochError = leaderEpochError(partition, p.currentLeaderEpoch)
  if (epochError !== ErrorCode.NONE) return answer(p.partition, epochError)
  const found = partition.log.endOffsetForEpoch(p.leaderEpoch)
  return answer(p.partition, ErrorCode.NONE, found.leaderEpoch, found.endOffset)
}

function handle (ctx: RequestContext, request: OffsetForLeaderEpochRequest): OffsetForLeaderEpochResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => forPartition(ctx, t.topic, p)) }))
  }
}

export default defineHandler(offsetForLeaderEpochApi, { min: 0, max: 4 }, handle, (request, code) => ({
  throttleTimeMs: 0,
  topics: request.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => answer(p.partition, code)) }))
}))
