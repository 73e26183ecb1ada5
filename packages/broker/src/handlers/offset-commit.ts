// OffsetCommit (8): v0-10.
// Behaviour: group/offsets.ts. Partitions of topics this broker does not have are answered
// UNKNOWN_TOPIC_OR_PARTITION without reaching the coordinator (Kafka checks its metadata cache
// the same way); the rest are one durable append to __consumer_offsets.
// Versions: v1 generation, member id, per-partition commit timestamp; v2-v4 retention time
// (-1 = broker default); v5 drops both; v6 committed leader epoch; v7 group.instance.id; v8
// flexible; v9 GROUP_ID_NOT_FOUND (instead of ILLEGAL_GENERATION) for an unknown group; v10
// topics named by id (KIP-848): an id this broker does not have answers UNKNOWN_TOPIC_ID, and the
// answer names topics by the ids asked.
import { ErrorCode, offsetCommitApi, type OffsetCommitRequest, type OffsetCommitRequestTopic, type OffsetCommitResponse, ZERO_UUID } from '@brook/protocol'
import { coordinatorOf, requestInfo } from '../group/request-info.js'
import type { OffsetCommitInput } from '../group/types.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { answerRequested } from './partition-answers.js'
import { onGroup, Op } from '../security/authorizer/requirements.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'

function allFailed (request: OffsetCommitRequest, errorCode: number): OffsetCommitResponse {
  return {
    topics: request.topics.map((t) => ({ ...topicKey(t), partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }))
  }
}

/** The answer names a topic as the request did (name up to v9, id from v10). */
function topicKey (t: OffsetCommitRequestTopic): { name: string, topicId: string } {
  return { name: t.name ?? '', topicId: t.topicId ?? ZERO_UUID }
}

/** The topic's name: as given up to v9, looked up by id from v10 (undefined for an unknown id). */
function topicName (ctx: RequestContext, t: OffsetCommitRequestTopic): string | undefined {
  return ctx.apiVersion >= 10 ? ctx.broker.replicas.topicById(t.topicId ?? ZERO_UUID)?.info.name : t.name ?? ''
}

async function handle (ctx: RequestContext, request: OffsetCommitRequest): Promise<OffsetCommitResponse> {
  const version = ctx.apiVersion
  const known: OffsetCommitInput['topics'] = []
  // Requested topics under the name the coordinator knows them by (an unknown id matches nothing).
  const requested = request.topics.map((t) => ({ name: topicName(ctx, t), partitions: t.partitions }))
  const readable = requested.map((t) => t.name === undefined || allowed(ctx, ResourceType.TOPIC, t.name, AclOperation.READ))
  for (const [i, topic] of requested.entries()) {
    const name = topic.name
    if (name === undefined || readable[i] === false) continue
    const partitions = topic.partitions
      .filter((p) => ctx.broker.replicas.partition(name, p.partitionIndex) !== undefined)
      .map((p) => ({
        partitionIndex: p.partitionIndex,
        committedOffset: p.committedOffset,
        committedLeaderEpoch: version >= 6 ? p.committedLeaderEpoch ?? -1 : -1,
        commitTimestamp: version === 1 ? p.commitTimestamp ?? -1n : -1n,
        committedMetadata: p.committedMetadata ?? null
      }))
    if (partitions.length > 0) known.push({ name, partitions })
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
  const answered = answerRequested(requested.map((t) => ({ name: t.name ?? '', partitions: t.partitions })), result.topics)
  return {
    topics: request.topics.map((t, i) => ({
      ...topicKey(t),
      partitions: requested[i]?.name === undefined
        ? t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_ID }))
        : readable[i] === false
          ? t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }))
          : answered[i]?.partitions ?? []
    }))
  }
}

export default defineHandler(offsetCommitApi, { min: 0, max: 10 }, handle, (request, code) => allFailed(request, code), { requires: (r) => [onGroup(r.groupId, Op.READ)] })
