// AddPartitionsToTxn (24): v0-4.
// Behaviour: v0-3 (clients): one transactional id; partitions of unknown topics fail with
// UNKNOWN_TOPIC_OR_PARTITION and the others with OPERATION_NOT_ATTEMPTED, as Kafka; otherwise the
// coordinator's answer applies to every partition. v4 (brokers, KIP-890): a batch of ids, each
// either added or, with verifyOnly, checked (NONE when the partition is in the open transaction,
// INVALID_TXN_STATE when not). v5 (transaction protocol v2) is not served.
// Versions: v1 same as v0; v2 PRODUCER_FENCED (older versions get INVALID_PRODUCER_EPOCH); v3
// flexible; v4 batched, top-level error code.
import {
  type AddPartitionsToTxnRequest, type AddPartitionsToTxnRequestTopic, type AddPartitionsToTxnResponse,
  type AddPartitionsToTxnResponseTopicResult, ErrorCode, addPartitionsToTxnApi
} from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import { type TopicPartition, partitionKey } from '../txn/metadata.js'
import { fencedForVersion } from '../txn/versions.js'
import { defineHandler } from './handler.js'
import { onCluster, onTransactionalId, Op } from '../security/authorizer/requirements.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'

function sameError (topics: readonly AddPartitionsToTxnRequestTopic[], code: number): AddPartitionsToTxnResponseTopicResult[] {
  return topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: code })) }))
}

function unknownPartitions (ctx: RequestContext, topics: readonly AddPartitionsToTxnRequestTopic[]): Set<string> {
  const unknown = new Set<string>()
  for (const t of topics) {
    for (const p of t.partitions) if (ctx.broker.replicas.partition(t.name, p) === undefined) unknown.add(partitionKey({ topic: t.name, partition: p }))
  }
  return unknown
}

function flatten (topics: readonly AddPartitionsToTxnRequestTopic[]): TopicPartition[] {
  return topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })))
}

async function addForTransaction (ctx: RequestContext, transactionalId: string, producerId: bigint, producerEpoch: number,
  topics: readonly AddPartitionsToTxnRequestTopic[], verifyOnly: boolean): Promise<AddPartitionsToTxnResponseTopicResult[]> {
  const txn = ctx.broker.txn
  if (txn === undefined) return sameError(topics, ErrorCode.COORDINATOR_NOT_AVAILABLE)
  // v0-3 (clients): WRITE on each topic; the others are not attempted, as Kafka answers.
  const denied = new Set(ctx.apiVersion >= 4 ? [] : topics.filter((t) => !allowed(ctx, ResourceType.TOPIC, t.name, AclOperation.WRITE)).map((t) => t.name))
  if (denied.size > 0) {
    return topics.map((t) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((partitionIndex) => ({
        partitionIndex,
        partitionErrorCode: denied.has(t.name) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.OPERATION_NOT_ATTEMPTED
      }))
    }))
  }
  const unknown = unknownPartitions(ctx, topics)
  if (unknown.size > 0) {
    return topics.map((t) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((partitionIndex) => ({
        partitionIndex,
        partitionErrorCode: unknown.has(partitionKey({ topic: t.name, partition: partitionIndex })) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED
      }))
    }))
  }
  const partitions = flatten(topics)
  if (verifyOnly) {
    const verified = await txn.verifyPartitions(transactionalId, producerId, producerEpoch, partitions)
    if (typeof verified === 'number') return sameError(topics, verified)
    return topics.map((t) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((partitionIndex) => ({
        partitionIndex,
        partitionErrorCode: verified.get(partitionKey({ topic: t.name, partition: partitionIndex })) ?? ErrorCode.UNKNOWN_SERVER_ERROR
      }))
    }))
  }
  const code = await txn.addPartitions(transactionalId, producerId, producerEpoch, partitions)
  return sameError(topics, fencedForVersion(code, ctx.apiVersion, 2))
}

async function handle (ctx: RequestContext, request: AddPartitionsToTxnRequest): Promise<AddPartitionsToTxnResponse> {
  if (ctx.apiVersion < 4) {
    const topics = request.v3AndBelowTopics ?? []
    return {
      resultsByTopicV3AndBelow: await addForTransaction(ctx, request.v3AndBelowTransactionalId ?? '', request.v3AndBelowProducerId ?? -1n,
        request.v3AndBelowProducerEpoch ?? -1, topics, false)
    }
  }
  return {
    errorCode: ErrorCode.NONE,
    resultsByTransaction: await Promise.all((request.transactions ?? []).map(async (t) => ({
      transactionalId: t.transactionalId,
      topicResults: await addForTransaction(ctx, t.transactionalId, t.producerId, t.producerEpoch, t.topics, t.verifyOnly)
    })))
  }
}

function errorResponse (request: AddPartitionsToTxnRequest, code: number, ctx: RequestContext): AddPartitionsToTxnResponse {
  if (ctx.apiVersion < 4) return { resultsByTopicV3AndBelow: sameError(request.v3AndBelowTopics ?? [], code) }
  return { errorCode: code, resultsByTransaction: [] }
}

export default defineHandler(addPartitionsToTxnApi, { min: 0, max: 4 }, handle, errorResponse, { requires: (r, ctx) => ctx.apiVersion >= 4 ? [onCluster(Op.CLUSTER_ACTION)] : [onTransactionalId(r.v3AndBelowTransactionalId ?? '', Op.WRITE)] })
