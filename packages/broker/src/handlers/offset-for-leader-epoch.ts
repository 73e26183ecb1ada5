// OffsetForLeaderEpoch (23): v0-4.
// Behaviour: for each partition, the end offset of the requested leader epoch on this broker
// (partition/epoch-end-offset.ts): the current epoch ends at the log end offset, an unknown
// epoch gets leader epoch -1 and end offset -1 with no error, as Kafka. current_leader_epoch is
// checked first (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH); unknown topics or partitions get
// UNKNOWN_TOPIC_OR_PARTITION. Cluster mode: only the leader answers (NOT_LEADER_OR_FOLLOWER
// elsewhere); followers ask it to find where their log diverges (KIP-101/279).
// Versions: v1 leader epoch in the response; v2 current leader epoch, throttle; v3 replica id;
// v4 flexible.
import {
  ErrorCode, offsetForLeaderEpochApi, type OffsetForLeaderEpochRequest, type OffsetForLeaderEpochRequestOffsetForLeaderPartition,
  type OffsetForLeaderEpochResponse, type OffsetForLeaderEpochResponseEpochEndOffset
} from '@brook/protocol'
import { endOffsetForEpoch, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from '../partition/epoch-end-offset.js'
import { leaderEpochError } from '../partition/leader-epoch.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'
import { onCluster, Op } from '../security/authorizer/requirements.js'

function failed (partition: number, errorCode: number): OffsetForLeaderEpochResponseEpochEndOffset {
  return { errorCode, partition, leaderEpoch: UNDEFINED_EPOCH, endOffset: BigInt(UNDEFINED_EPOCH_OFFSET) }
}

function answer (ctx: RequestContext, topic: string, p: OffsetForLeaderEpochRequestOffsetForLeaderPartition): OffsetForLeaderEpochResponseEpochEndOffset {
  const partition = ctx.broker.replicas.partition(topic, p.partition)
  if (partition === undefined || (partition.replicated && !partition.isLeader)) return failed(p.partition, ctx.broker.replicas.partitionError(topic, p.partition))
  const fenced = leaderEpochError(partition, p.currentLeaderEpoch)
  if (fenced !== ErrorCode.NONE) return failed(p.partition, fenced)
  const end = endOffsetForEpoch(partition, p.leaderEpoch)
  return { errorCode: ErrorCode.NONE, partition: p.partition, leaderEpoch: end.leaderEpoch, endOffset: BigInt(end.endOffset) }
}

function handle (ctx: RequestContext, request: OffsetForLeaderEpochRequest): OffsetForLeaderEpochResponse {
  return {
    topics: request.topics.map((t) => ({
      topic: t.topic,
      partitions: (request.replicaId ?? -1) < 0 && !allowed(ctx, ResourceType.TOPIC, t.topic, AclOperation.DESCRIBE)
        ? t.partitions.map((p) => failed(p.partition, ErrorCode.TOPIC_AUTHORIZATION_FAILED))
        : t.partitions.map((p) => answer(ctx, t.topic, p))
    }))
  }
}

export default defineHandler(offsetForLeaderEpochApi, { min: 0, max: 4 }, handle, (request, code) => ({
  topics: request.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => failed(p.partition, code)) }))
}), { requires: (r) => (r.replicaId ?? -1) >= 0 ? [onCluster(Op.CLUSTER_ACTION)] : [] })
