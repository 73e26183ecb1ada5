// CreatePartitions (37): v0-3.
// Behaviour: grows a topic to `count` partitions (never shrinks: INVALID_PARTITIONS); explicit
// assignments must give one entry per new partition, each naming only this broker. A topic given
// twice in one request is INVALID_REQUEST for each. validate_only checks without creating.
// Versions: v2 flexible; v3 may answer THROTTLING_QUOTA_EXCEEDED (controller_mutation_rate).
import { createPartitionsApi, type CreatePartitionsRequest, type CreatePartitionsRequestTopic, type CreatePartitionsResponse,
  type CreatePartitionsResponseTopicResult, ErrorCode } from '@brook/protocol'
import { KafkaError, mapError } from '../errors.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { withinTimeout } from './deadline.js'
import { AclOperation, ResourceType as Acl } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'

function checkAssignments (ctx: RequestContext, topic: CreatePartitionsRequestTopic): void {
  const assignments = topic.assignments
  if (assignments === null || assignments === undefined) return
  const current = ctx.broker.replicas.topic(topic.name)?.partitions.length ?? 0
  if (assignments.length !== topic.count - current) {
    throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      `Increasing the number of partitions by ${topic.count - current} but ${assignments.length} assignments provided.`)
  }
  for (const a of assignments) {
    if (a.brokerIds.length !== 1 || a.brokerIds[0] !== ctx.broker.nodeId) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `New partitions must be assigned to broker ${ctx.broker.nodeId} only.`)
    }
  }
}

async function grow (ctx: RequestContext, topic: CreatePartitionsRequestTopic, validateOnly: boolean, timeoutMs: number): Promise<CreatePartitionsResponseTopicResult> {
  try {
    if (!allowed(ctx, Acl.TOPIC, topic.name, AclOperation.ALTER)) throw new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.')
    const before = ctx.broker.replicas.topic(topic.name)?.partitions.length
    if (before !== undefined) checkAssignments(ctx, topic)
    const mutated = validateOnly || before === undefined ? 0 : topic.count - before
    ctx.mutations?.admit(mutated)
    await withinTimeout(ctx.broker.replicas.createPartitions(topic.name, topic.count, validateOnly)
      .catch((err: unknown) => { ctx.mutations?.refund(mutated); throw err }), timeoutMs, `the new partitions of ${topic.name}`, ctx.logger)
    return { name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null }
  } catch (err) {
    const { code, message } = mapError(err, ctx.logger, { topic: topic.name })
    return { name: topic.name, errorCode: code, errorMessage: message }
  }
}

async function handle (ctx: RequestContext, request: CreatePartitionsRequest): Promise<CreatePartitionsResponse> {
  const counts = new Map<string, number>()
  for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1)
  return {
    results: await Promise.all(request.topics.map(async (t) => (counts.get(t.name) ?? 0) > 1
      ? { name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' }
      : await grow(ctx, t, request.validateOnly, request.timeoutMs)))
  }
}

export default defineHandler(createPartitionsApi, { min: 0, max: 3 }, handle, (request, code) => ({
  results: request.topics.map((t) => ({ name: t.name, errorCode: code, errorMessage: null }))
}))
