// CreateTopics (19): v0-7.
// Behaviour: num_partitions / replication_factor -1 take num.partitions /
// default.replication.factor; one broker means a replication factor of 1 (else
// INVALID_REPLICATION_FACTOR); explicit assignments must name only this broker. Topic names,
// partition counts and configs are checked as Kafka does (replica-manager.ts).
// Cluster mode: the topic goes to the metadata store with its replicas spread over the live
// brokers (cluster/assignment.ts), or with the request's explicit assignments (each partition
// the same number of distinct registered brokers). A name given
// twice in one request is INVALID_REQUEST for each. validate_only checks without creating.
// Versions: v1 error message + validate_only; v2 throttle; v4 -1 defaults; v5 flexible,
// configs/partitions/replication in the response; v6 THROTTLING_QUOTA_EXCEEDED (controller_mutation_rate,
// quota/mutation-quota.ts); v7 topic id.
import { createTopicsApi, type CreateTopicsRequest, type CreateTopicsRequestCreatableTopic, type CreateTopicsResponse,
  type CreateTopicsResponseCreatableTopicResult, ErrorCode, ZERO_UUID } from '@brook/protocol'
import { describeTopicConfigs } from '../config/describe.js'
import { KafkaError, mapError } from '../errors.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { withinTimeout } from './deadline.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'
import { CLUSTER_NAME } from '../security/authorizer/authorized-operations.js'

function failed (name: string, errorCode: number, errorMessage: string | null = null): CreateTopicsResponseCreatableTopicResult {
  return { name, topicId: ZERO_UUID, errorCode, errorMessage, topicConfigErrorCode: ErrorCode.NONE, numPartitions: -1, replicationFactor: -1, configs: null }
}

/** Assignments fix the partition count; single broker: each must place its one replica on this broker. */
function partitionsFromAssignments (ctx: RequestContext, topic: CreateTopicsRequestCreatableTopic): { numPartitions: number, replicationFactor: number, assignments?: number[][] } {
  if (topic.assignments.length === 0) return { numPartitions: topic.numPartitions, replicationFactor: topic.replicationFactor }
  if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.')
  }
  const indexes = new Set(topic.assignments.map((a) => a.partitionIndex))
  const contiguous = [...indexes].every((i) => i >= 0 && i < topic.assignments.length) && indexes.size === topic.assignments.length
  if (!contiguous) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Partitions must be numbered consecutively from 0.')
  if (ctx.broker.cluster !== undefined) {
    const ordered = [...topic.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex).map((a) => [...a.brokerIds])
    return { numPartitions: ordered.length, replicationFactor: ordered[0]?.length ?? 1, assignments: ordered }
  }
  for (const a of topic.assignments) {
    if (a.brokerIds.length !== 1 || a.brokerIds[0] !== ctx.broker.nodeId) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partition ${a.partitionIndex} must be assigned to broker ${ctx.broker.nodeId} only.`)
    }
  }
  return { numPartitions: topic.assignments.length, replicationFactor: 1 }
}

async function createTopic (ctx: RequestContext, topic: CreateTopicsRequestCreatableTopic, validateOnly: boolean, timeoutMs: number): Promise<CreateTopicsResponseCreatableTopicResult> {
  try {
    const configs: Record<string, string> = {}
    for (const c of topic.configs) {
      if (c.value === null || c.value === undefined) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for topic configs: ${c.name}`)
      configs[c.name] = c.value
    }
    const placement = partitionsFromAssignments(ctx, topic)
    const mutated = validateOnly ? 0 : placement.numPartitions === -1 ? ctx.broker.config.int('num.partitions') : placement.numPartitions
    ctx.mutations?.admit(mutated)
    const info = await withinTimeout(ctx.broker.replicas.createTopic({ name: topic.name, ...placement, configs, validateOnly })
      .catch((err: unknown) => { ctx.mutations?.refund(mutated); throw err }), timeoutMs, `the creation of ${topic.name}`, ctx.logger)
    const replicationFactor = ctx.broker.cluster === undefined
      ? 1
      : ctx.broker.cluster.snapshot().topics.get(info.name)?.partitions[0]?.replicas.length ??
        (placement.replicationFactor === -1 ? ctx.broker.config.int('default.replication.factor') : placement.replicationFactor)
    return {
      name: info.name,
      topicId: validateOnly ? ZERO_UUID : info.id,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topicConfigErrorCode: ErrorCode.NONE,
      numPartitions: info.partitions,
      replicationFactor,
      configs: describeTopicConfigs(info.configs, ctx.broker.config)
        .map((c) => ({ name: c.name, value: c.value, readOnly: c.readOnly, configSource: c.configSource, isSensitive: c.isSensitive }))
    }
  } catch (err) {
    const { code, message } = mapError(err, ctx.logger, { topic: topic.name })
    return failed(topic.name, code, message)
  }
}

/** Kafka: CREATE on the cluster, or on the topic. */
function creatable (ctx: RequestContext, name: string): boolean {
  return allowed(ctx, ResourceType.CLUSTER, CLUSTER_NAME, AclOperation.CREATE) || allowed(ctx, ResourceType.TOPIC, name, AclOperation.CREATE)
}

async function handle (ctx: RequestContext, request: CreateTopicsRequest): Promise<CreateTopicsResponse> {
  const counts = new Map<string, number>()
  for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1)
  const validateOnly = request.validateOnly === true
  const topics = await Promise.all(request.topics.map(async (t) => (counts.get(t.name) ?? 0) > 1
    ? failed(t.name, ErrorCode.INVALID_REQUEST, `Create topics request contains multiple entries for the following topics: ${t.name}`)
    : !creatable(ctx, t.name)
      ? failed(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.')
      : await createTopic(ctx, t, validateOnly, request.timeoutMs)))
  return { topics }
}

export default defineHandler(createTopicsApi, { min: 0, max: 7 }, handle, (request, code) => ({
  topics: request.topics.map((t) => failed(t.name, code))
}))
