// DeleteRecords (21): v0-2.
// Behaviour: moves the partition's log start offset forward; offset -1 means the high
// watermark. An offset past the high watermark is OFFSET_OUT_OF_RANGE; a topic whose
// cleanup.policy is compact only is POLICY_VIOLATION, as Kafka.
// Versions: v2 flexible.
import { deleteRecordsApi, type DeleteRecordsRequest, type DeleteRecordsRequestPartition, type DeleteRecordsResponse,
  type DeleteRecordsResponsePartitionResult, ErrorCode } from '@brook/protocol'
import { topicConfigValue } from '../config/topic-config.js'
import { errorCodeOf } from '../errors.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { AclOperation, ResourceType as Acl } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'

function result (partitionIndex: number, errorCode: number, lowWatermark = -1): DeleteRecordsResponsePartitionResult {
  return { partitionIndex, errorCode, lowWatermark: BigInt(lowWatermark) }
}

async function deletePartition (ctx: RequestContext, topic: string, p: DeleteRecordsRequestPartition): Promise<DeleteRecordsResponsePartitionResult> {
  if (!allowed(ctx, Acl.TOPIC, topic, AclOperation.DELETE)) return result(p.partitionIndex, ErrorCode.TOPIC_AUTHORIZATION_FAILED)
  const state = ctx.broker.replicas.topic(topic)
  const partition = state?.partitions[p.partitionIndex]
  if (state === undefined || partition === undefined) return result(p.partitionIndex, ctx.broker.replicas.partitionError(topic, p.partitionIndex))
  // Cluster mode: only the leader moves the log start (followers do not follow it yet).
  if (partition.replicated && !partition.isLeader) return result(p.partitionIndex, ErrorCode.NOT_LEADER_OR_FOLLOWER)
  const policy = topicConfigValue('cleanup.policy', state.info.configs, ctx.broker.config)
  if (Array.isArray(policy) && !policy.includes('delete')) return result(p.partitionIndex, ErrorCode.POLICY_VIOLATION)
  const offset = Number(p.offset)
  if (offset < -1 || offset > partition.log.highWatermark) return result(p.partitionIndex, ErrorCode.OFFSET_OUT_OF_RANGE)
  try {
    return result(p.partitionIndex, ErrorCode.NONE, await partition.deleteRecordsBefore(offset))
  } catch (err) {
    return result(p.partitionIndex, errorCodeOf(err, ctx.logger, { topic, partition: p.partitionIndex }))
  }
}

async function handle (ctx: RequestContext, request: DeleteRecordsRequest): Promise<DeleteRecordsResponse> {
  return {
    topics: await Promise.all(request.topics.map(async (t) => ({
      name: t.name,
      partitions: await Promise.all(t.partitions.map(async (p) => await deletePartition(ctx, t.name, p)))
    })))
  }
}

export default defineHandler(deleteRecordsApi, { min: 0, max: 2 }, handle, (request, code) => ({
  topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => result(p.partitionIndex, code)) }))
}))
