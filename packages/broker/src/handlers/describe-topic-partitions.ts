// DescribeTopicPartitions (75): v0.
// Behaviour: the paged form of Metadata's topic part (KIP-966): topics in name order, at most
// min(response_partition_limit, max.request.partition.size.limit) partitions (at least 1), and a
// next_cursor where the page stopped (cluster/partition-pages.ts). An empty topic list describes
// every topic. One broker leads every partition, with leader epoch -1 as in Metadata; no
// eligible leader replicas. A cursor topic missing from the request, or a negative cursor
// partition, fails the whole request with INVALID_REQUEST on every requested topic, as Kafka.
import {
  describeTopicPartitionsApi, type DescribeTopicPartitionsRequest, type DescribeTopicPartitionsResponse,
  type DescribeTopicPartitionsResponseTopic, ErrorCode, ZERO_UUID
} from '@brook/protocol'
import { AclOperation, ResourceType } from '@brook/metadata'
import { authorizedOperations, OPERATIONS_NOT_REQUESTED } from '../security/authorizer/authorized-operations.js'
import { allowed } from '../security/authorizer/request-access.js'
import { type PageEntry, pagePartitions } from '../cluster/partition-pages.js'
import { INTERNAL_TOPICS, invalidTopicNameReason } from '../cluster/topic-name.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

function topicOf (ctx: RequestContext, entry: PageEntry): DescribeTopicPartitionsResponseTopic {
  const nodeId = ctx.broker.nodeId
  const state = entry.exists ? ctx.broker.replicas.topic(entry.name) : undefined
  const describable = allowed(ctx, ResourceType.TOPIC, entry.name, AclOperation.DESCRIBE)
  if (!entry.exists || state === undefined || !describable) {
    return {
      errorCode: !describable ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : invalidTopicNameReason(entry.name) === null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_EXCEPTION,
      name: entry.name,
      topicId: ZERO_UUID,
      isInternal: INTERNAL_TOPICS.has(entry.name),
      partitions: [],
      topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED
    }
  }
  const partitions = []
  const live = ctx.broker.cluster?.snapshot().brokers
  for (let index = entry.first; index < entry.end; index++) {
    // Cluster mode: the partition's state in the metadata store.
    const replicated = state.cluster?.partitions[index]
    if (replicated !== undefined && live !== undefined) {
      partitions.push({
        errorCode: replicated.leader === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
        partitionIndex: index,
        leaderId: replicated.leader,
        leaderEpoch: replicated.leaderEpoch,
        replicaNodes: [...replicated.replicas],
        isrNodes: [...replicated.isr],
        eligibleLeaderReplicas: [],
        lastKnownElr: [],
        offlineReplicas: replicated.replicas.filter((id) => !live.has(id) || replicated.offlineReplicas.includes(id))
      })
      continue
    }
    partitions.push({
      errorCode: ErrorCode.NONE,
      partitionIndex: index,
      leaderId: nodeId,
      leaderEpoch: -1,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      eligibleLeaderReplicas: [],
      lastKnownElr: [],
      offlineReplicas: []
    })
  }
  return {
    errorCode: ErrorCode.NONE,
    name: entry.name,
    topicId: state.info.id,
    isInternal: INTERNAL_TOPICS.has(entry.name),
    partitions,
    topicAuthorizedOperations: authorizedOperations(ctx, ResourceType.TOPIC, entry.name)
  }
}

function handle (ctx: RequestContext, request: DescribeTopicPartitionsRequest): DescribeTopicPartitionsResponse {
  const { replicas, config } = ctx.broker
  const page = pagePartitions({
    names: request.topics.map((t) => t.name),
    // Topics the principal may not describe are left out of a listing, as Metadata does.
    allNames: () => replicas.topics().map((t) => t.info.name).filter((name) => allowed(ctx, ResourceType.TOPIC, name, AclOperation.DESCRIBE)),
    cursor: request.cursor ?? null,
    limit: Math.max(1, Math.min(config.int('max.request.partition.size.limit'), request.responsePartitionLimit)),
    partitionCount: (name) => replicas.topic(name)?.partitions.length
  })
  return { topics: page.entries.map((e) => topicOf(ctx, e)), nextCursor: page.next }
}

export default defineHandler(describeTopicPartitionsApi, { min: 0, max: 0 }, handle, (request, code) => ({
  topics: request.topics.map((t) => ({
    errorCode: code, name: t.name, topicId: ZERO_UUID, isInternal: false, partitions: [], topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED
  })),
  nextCursor: null
}))
