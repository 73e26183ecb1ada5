// DeleteTopics (20): v0-6.
// Behaviour: deletes the topic's logs and forgets it; TOPIC_DELETION_DISABLED when
// delete.topic.enable is false. By name (v0-5 topic_names, v6 topics[].name) or by id (v6).
// Versions: v1 throttle; v4 flexible; v5 error message and THROTTLING_QUOTA_EXCEEDED
// (controller_mutation_rate); v6 topic ids.
import { deleteTopicsApi, type DeleteTopicsRequest, type DeleteTopicsResponse, type DeleteTopicsResponseDeletableTopicResult,
  ErrorCode, ZERO_UUID } from '@brook/protocol'
import { KafkaError, mapError } from '../errors.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { withinTimeout } from './deadline.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'

interface Target { name: string | null, topicId: string }

function targets (request: DeleteTopicsRequest): Target[] {
  if (request.topics !== undefined && request.topics.length > 0) {
    return request.topics.map((t) => ({ name: t.name ?? null, topicId: t.topicId }))
  }
  return (request.topicNames ?? []).map((name) => ({ name, topicId: ZERO_UUID }))
}

async function deleteTopic (ctx: RequestContext, target: Target, timeoutMs: number): Promise<DeleteTopicsResponseDeletableTopicResult> {
  const { replicas } = ctx.broker
  try {
    if (target.name !== null && target.topicId !== ZERO_UUID) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Topic name and topic ID can not both be specified.')
    }
    let name = target.name
    if (name === null) {
      const state = replicas.topicById(target.topicId)
      if (state === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.')
      name = state.info.name
    }
    if (!allowed(ctx, ResourceType.TOPIC, name, AclOperation.DELETE)) throw new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.')
    const partitions = replicas.topic(name)?.partitions.length ?? 0
    ctx.mutations?.admit(partitions)
    const info = await withinTimeout(replicas.deleteTopic(name).catch((err: unknown) => { ctx.mutations?.refund(partitions); throw err }),
      timeoutMs, `the deletion of ${name}`, ctx.logger)
    ctx.broker.metrics?.forgetTopic(info.name)
    return { name: info.name, topicId: info.id, errorCode: ErrorCode.NONE, errorMessage: null }
  } catch (err) {
    const { code, message } = mapError(err, ctx.logger, { topic: target.name ?? target.topicId })
    return { name: target.name, topicId: target.topicId, errorCode: code, errorMessage: message }
  }
}

async function handle (ctx: RequestContext, request: DeleteTopicsRequest): Promise<DeleteTopicsResponse> {
  return { responses: await Promise.all(targets(request).map(async (t) => await deleteTopic(ctx, t, request.timeoutMs))) }
}

export default defineHandler(deleteTopicsApi, { min: 0, max: 6 }, handle, (request, code) => ({
  responses: targets(request).map((t) => ({ name: t.name, topicId: t.topicId, errorCode: code, errorMessage: null }))
}))
