// OffsetDelete (47): v0.
// Behaviour: group/offsets.ts. Unknown partitions get UNKNOWN_TOPIC_OR_PARTITION without
// reaching the coordinator; a consumer group still subscribed to a topic gets
// GROUP_SUBSCRIBED_TO_TOPIC for it; a non-Empty group of another protocol gets NON_EMPTY_GROUP.
import { ErrorCode, offsetDeleteApi, type OffsetDeleteRequest, type OffsetDeleteResponse } from '@brook/protocol'
import { coordinatorOf } from '../group/request-info.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'
import { onGroup, Op } from '../security/authorizer/requirements.js'
import { answerRequested } from './partition-answers.js'

async function handle (ctx: RequestContext, request: OffsetDeleteRequest): Promise<OffsetDeleteResponse> {
  const known = request.topics
    .filter((t) => allowed(ctx, ResourceType.TOPIC, t.name, AclOperation.READ))
    .map((t) => ({ name: t.name, partitions: t.partitions.filter((p) => ctx.broker.replicas.partition(t.name, p.partitionIndex) !== undefined) }))
    .filter((t) => t.partitions.length > 0)
  const result = await coordinatorOf(ctx).deleteOffsets({ groupId: request.groupId, topics: known })
  if (result.errorCode !== ErrorCode.NONE) return { errorCode: result.errorCode, topics: [] }
  return {
    errorCode: ErrorCode.NONE,
    topics: answerRequested(request.topics, result.topics).map((t) => allowed(ctx, ResourceType.TOPIC, t.name, AclOperation.READ)
      ? t
      : { ...t, partitions: t.partitions.map((p) => ({ ...p, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })) })
  }
}

export default defineHandler(offsetDeleteApi, { min: 0, max: 0 }, handle, (_request, code) => ({ errorCode: code, topics: [] }), {
  requires: (r) => [onGroup(r.groupId, Op.DELETE)]
})
