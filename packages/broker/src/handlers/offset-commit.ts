// OffsetCommit (8): v0-9.
// Behaviour: group/offsets.ts. Partitions of topics this broker does not have are answered
// UNKNOWN_TOPIC_OR_PARTITION without reaching the coordinator (Kafka checks its metadata cache
// the same way); the rest are one durable append to __consumer_offsets.
// Versions: v1 generation, member id, per-partition commit timestamp; v2-v4 retention time
// (-1 = broker default); v5 drops both; v6 committed leader epoch; v7 group.instance.id; v8
// flexible; v9 GROUP_ID_NOT_FOUND (instead of ILLEGAL_GENERATION) for an unknown group.
import { offsetCommitApi, type OffsetCommitRequest, type OffsetCommitResponse } from '@brook/protocol'
import { coordinatorOf, requestInfo } from '../group/request-info.js'
import type { OffsetCommitInput } from '../group/types.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { answerRequested } from './partition-answers.js'

function allFailed (request: OffsetCommitRequest, errorCode: number): OffsetCommitResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }))
  }
}

async function handle (ctx: RequestContext, request: OffsetCommitRequest): Promise<OffsetCommitResponse> {
  const version = ctx.apiVersion
  const known: OffsetCommitInput['topics'] = []
  for (const topic of request.topics) {
    const partitions = topic.partitions
      .filter((p) => ctx.broker.replicas.partition(topic.name, p.partitionIndex) !== undefined)
      .map((p) => ({
        partitionIndex: p.partitionIndex,
        committedOffset: p.committedOffset,
        committedLeaderEpoch: version >= 6 ? p.committedLeaderEpoch ?? -1 : -1,
        commitTimestamp: version === 1 ? p.commitTimestamp ?? -1n : -1n,
        committedMetadata: p.committedMetadata ?? null
      }))
    if (partitions.length > 0) known.push({ name: topic.name, partitions })
  }
  const result = known.length === 0
    ? { topics: [] }
    : await coordinatorOf(ctx).commitOffsets(requestInfo(ctx), {
      groupId: request.groupId,
      generationIdOrMemberEpoch: version >= 1 ? request.generationIdOrMemberEpoch ?? -1 : -1,
      memberId: version >= 1 ? request.memberId ?? '' : '',
      groupInstanceId: request.groupInstanceId ?? null,
      retentionTimeMs: version >= 2 && version <= 4 ? request.retentionTimeMs ?? -1n : -1n,
      topics: known
    })
  return {
    throttleTimeMs: 0,
    topics: answerRequested(request.topics, result.topics)
  }
}

export default defineHandler(offsetCommitApi, { min: 0, max: 9 }, handle, (request, code) => allFailed(request, code))
