// DescribeProducers (61): v0.
// Behaviour: the idempotent and transactional producers each partition holds state for (producer
// state, storage/src/producer-state): epoch, last sequence, last timestamp, the coordinator epoch
// of the last marker and the first offset of the open transaction (-1 when none). Unknown
// partitions get UNKNOWN_TOPIC_OR_PARTITION.
// Versions: v0 flexible.
import {
  type DescribeProducersRequest, type DescribeProducersResponse, type DescribeProducersResponsePartitionResponse, ErrorCode,
  describeProducersApi
} from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'

function failed (partitionIndex: number, errorCode: number): DescribeProducersResponsePartitionResponse {
  return { partitionIndex, errorCode, errorMessage: null, activeProducers: [] }
}

function describePartition (ctx: RequestContext, topic: string, index: number): DescribeProducersResponsePartitionResponse {
  const partition = ctx.broker.replicas.partition(topic, index)
  if (partition === undefined) return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  return {
    partitionIndex: index,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    activeProducers: partition.log.activeProducers().map((p) => ({
      producerId: p.producerId,
      producerEpoch: p.producerEpoch,
      lastSequence: p.lastSequence,
      lastTimestamp: BigInt(p.lastTimestamp),
      coordinatorEpoch: p.coordinatorEpoch,
      currentTxnStartOffset: BigInt(p.currentTxnStartOffset)
    }))
  }
}

function handle (ctx: RequestContext, request: DescribeProducersRequest): DescribeProducersResponse {
  return {
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: allowed(ctx, ResourceType.TOPIC, t.name, AclOperation.READ)
        ? t.partitionIndexes.map((p) => describePartition(ctx, t.name, p))
        : t.partitionIndexes.map((p) => failed(p, ErrorCode.TOPIC_AUTHORIZATION_FAILED))
    }))
  }
}

export default defineHandler(describeProducersApi, { min: 0, max: 0 }, handle, (request, code) => ({
  topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => failed(p, code)) }))
}))
