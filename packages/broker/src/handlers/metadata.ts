// Metadata (3): v0-13.
// Behaviour, single broker: it leads every partition (replicas and ISR = [this node]); leader
// epochs are reported as -1 so librdkafka does not validate positions with OffsetForLeaderEpoch.
// Cluster mode: every live broker with the endpoint of the listener the client came in on, the
// controller, and per partition the store's leader (LEADER_NOT_AVAILABLE when none), leader
// epoch, replicas, ISR and offline replicas (replicas whose broker is not registered).
// A missing topic is auto-created when auto.create.topics.enable and the request
// allows it, and is returned complete in the same response (Kafka answers LEADER_NOT_AVAILABLE
// and lets the client retry). Invalid names get INVALID_TOPIC_EXCEPTION.
// Versions: v0 empty list = all topics (v1+: null = all, empty = none); v1 controller, rack,
// internal flag; v2 cluster id; v4 allow_auto_topic_creation; v7 leader epoch; v8 authorized
// operations (cluster ops only v8-10); v9 flexible; v10 topic ids; v12 lookup by topic id; v13 top-level error code (KIP-1102: REBOOTSTRAP_REQUIRED,
// which a single broker never needs to ask for: always NONE).
// Authorization: all-topics requests leave out topics the principal may not DESCRIBE; a named
// one answers TOPIC_AUTHORIZATION_FAILED, and so does auto-creation without CREATE on the cluster
// or the topic. Authorized operations come from the authorizer.
import {
  ErrorCode, metadataApi, type MetadataRequest, type MetadataResponse, type MetadataResponseTopic, ZERO_UUID
} from '@brook/protocol'
import { AclOperation, ResourceType } from '@brook/metadata'
import { CLUSTER_NAME, operationsIfAsked } from '../security/authorizer/authorized-operations.js'
import { allowed } from '../security/authorizer/request-access.js'
import { INTERNAL_TOPICS, invalidTopicNameReason } from '../cluster/topic-name.js'
import { errorCodeOf } from '../errors.js'
import type { TopicState } from '../partition/replica-manager.js'
import { endpointFor } from '../cluster/endpoints.js'
import type { MetadataSnapshot } from '@brook/metadata'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

function partitionsOf (ctx: RequestContext, state: TopicState): MetadataResponseTopic['partitions'] {
  const nodeId = ctx.broker.nodeId
  const replicated = state.cluster
  const snapshot = ctx.broker.cluster?.snapshot()
  if (replicated === undefined || snapshot === undefined) {
    // One replica list shared by every partition (the encoder only reads it): a topic of 10,000
    // partitions costs 10,000 small objects here, not 40,000.
    const self = [nodeId]
    const none: number[] = []
    return Array.from({ length: state.info.partitions }, (_, index) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: index,
      leaderId: nodeId,
      leaderEpoch: -1,
      replicaNodes: self,
      isrNodes: self,
      offlineReplicas: none
    }))
  }
  return replicated.partitions.map((p) => ({
    errorCode: p.leader === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
    partitionIndex: p.partition,
    leaderId: p.leader,
    leaderEpoch: p.leaderEpoch,
    replicaNodes: [...p.replicas],
    isrNodes: [...p.isr],
    offlineReplicas: p.replicas.filter((id) => !snapshot.brokers.has(id) || p.offlineReplicas.includes(id))
  }))
}

function topicResponse (ctx: RequestContext, state: TopicState, request: MetadataRequest): MetadataResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: state.info.name,
    topicId: state.info.id,
    isInternal: INTERNAL_TOPICS.has(state.info.name),
    partitions: partitionsOf(ctx, state),
    topicAuthorizedOperations: operationsIfAsked(ctx, request.includeTopicAuthorizedOperations, ResourceType.TOPIC, state.info.name)
  }
}

function errorTopic (errorCode: number, name: string | null, topicId: string = ZERO_UUID): MetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [] }
}

function describable (ctx: RequestContext, name: string): boolean {
  return allowed(ctx, ResourceType.TOPIC, name, AclOperation.DESCRIBE)
}

async function byName (ctx: RequestContext, name: string, request: MetadataRequest): Promise<MetadataResponseTopic> {
  const { replicas, config } = ctx.broker
  const existing = replicas.topic(name)
  if (!describable(ctx, name)) return errorTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, name)
  if (existing !== undefined) return topicResponse(ctx, existing, request)
  if (invalidTopicNameReason(name) !== null) return errorTopic(ErrorCode.INVALID_TOPIC_EXCEPTION, name)
  const autoCreate = config.bool('auto.create.topics.enable') && request.allowAutoTopicCreation !== false
  if (!autoCreate) return errorTopic(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name)
  if (!allowed(ctx, ResourceType.CLUSTER, CLUSTER_NAME, AclOperation.CREATE) && !allowed(ctx, ResourceType.TOPIC, name, AclOperation.CREATE)) {
    return errorTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, name)
  }
  try {
    return topicResponse(ctx, await replicas.ensureTopic(name), request)
  } catch (err) {
    return errorTopic(errorCodeOf(err, ctx.logger, { topic: name }), name)
  }
}

/** Every live broker, with the endpoint of the listener this client uses. */
export function clusterBrokers (ctx: RequestContext, snapshot: MetadataSnapshot): Array<{ nodeId: number, host: string, port: number, rack: string | null }> {
  const out: Array<{ nodeId: number, host: string, port: number, rack: string | null }> = []
  for (const reg of [...snapshot.brokers.values()].sort((a, b) => a.brokerId - b.brokerId)) {
    const endpoint = endpointFor(reg, ctx.broker.listenerName ?? null)
    if (endpoint !== null) out.push({ nodeId: reg.brokerId, host: endpoint.host, port: endpoint.port, rack: reg.rack })
  }
  return out
}

async function handle (ctx: RequestContext, request: MetadataRequest): Promise<MetadataResponse> {
  const { broker } = ctx
  const allTopics = request.topics === null || request.topics === undefined || (ctx.apiVersion === 0 && request.topics.length === 0)
  let topics: MetadataResponseTopic[]
  if (allTopics) {
    // Kafka's rule: a topic the principal may not describe is left out, as if it did not exist.
    topics = broker.replicas.topics().filter((t) => describable(ctx, t.info.name)).map((t) => topicResponse(ctx, t, request))
  } else {
    const seen = new Set<string>()
    const lookups: Array<Promise<MetadataResponseTopic>> = []
    for (const t of request.topics ?? []) {
      const name = t.name ?? null
      if (name === null) {
        const id = t.topicId ?? ZERO_UUID
        if (seen.has(`id:${id}`)) continue
        seen.add(`id:${id}`)
        const state = id === ZERO_UUID ? undefined : broker.replicas.topicById(id)
        lookups.push(Promise.resolve(state === undefined
          ? errorTopic(ErrorCode.UNKNOWN_TOPIC_ID, null, id)
          : describable(ctx, state.info.name) ? topicResponse(ctx, state, request) : errorTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, null, id)))
        continue
      }
      if (seen.has(name)) continue
      seen.add(name)
      lookups.push(byName(ctx, name, request))
    }
    topics = await Promise.all(lookups)
  }
  const snapshot = broker.cluster?.snapshot()
  return {
    brokers: snapshot === undefined
      ? [{ nodeId: broker.nodeId, host: broker.advertised.host, port: broker.advertised.port, rack: broker.config.string('broker.rack') }]
      : clusterBrokers(ctx, snapshot),
    clusterId: broker.clusterId,
    controllerId: snapshot === undefined ? broker.nodeId : snapshot.controller?.brokerId ?? -1,
    topics,
    clusterAuthorizedOperations: operationsIfAsked(ctx, request.includeClusterAuthorizedOperations, ResourceType.CLUSTER, CLUSTER_NAME),
    errorCode: ErrorCode.NONE
  }
}

export default defineHandler(metadataApi, { min: 0, max: 13 }, handle, (request, code, ctx) => ({
  brokers: [],
  clusterId: ctx.broker.clusterId,
  controllerId: ctx.broker.nodeId,
  topics: (request.topics ?? []).map((t) => errorTopic(code, t.name ?? null, t.topicId ?? ZERO_UUID)),
  errorCode: code
}))
