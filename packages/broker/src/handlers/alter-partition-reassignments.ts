// AlterPartitionReassignments (45): v0.
// Behaviour: cluster mode: the controller starts, replaces or cancels (null replicas) each
// partition's reassignment (cluster/reassignment/): per partition NONE once the step is in the
// metadata store (the replicas then catch up and the controller completes it), INVALID_REPLICA_ASSIGNMENT
// for an empty or duplicated list or a broker that is not registered, NO_REASSIGNMENT_IN_PROGRESS
// for a cancel with nothing to cancel, UNKNOWN_TOPIC_OR_PARTITION. A broker that is not the
// controller forwards the request to it (NOT_CONTROLLER while none is elected or reachable).
// Single broker: the only valid target is this broker itself (nothing to move).
// Authorization: ALTER on the cluster (CLUSTER_AUTHORIZATION_FAILED).
import {
  alterPartitionReassignmentsApi, type AlterPartitionReassignmentsRequest, type AlterPartitionReassignmentsResponse, ErrorCode
} from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { onCluster, Op } from '../security/authorizer/requirements.js'
import type { ReassignmentRequest, ReassignmentResult } from '../cluster/reassignment/controller-reassignments.js'
import { FORWARDED_PREFIX, forwardToController } from '../cluster/election/forward-to-controller.js'

const VERSION = 0

function requestsOf (request: AlterPartitionReassignmentsRequest): ReassignmentRequest[] {
  return request.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas ?? null })))
}

function respond (results: readonly ReassignmentResult[], errorCode: number = ErrorCode.NONE): AlterPartitionReassignmentsResponse {
  const byTopic = new Map<string, ReassignmentResult[]>()
  for (const r of results) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r])
  return {
    errorCode,
    errorMessage: null,
    responses: [...byTopic].map(([name, list]) => ({
      name,
      partitions: list.map((r) => ({ partitionIndex: r.partition, errorCode: r.errorCode, errorMessage: r.message }))
    }))
  }
}

/** One broker: a partition's only replica stays where it is. */
function singleBroker (ctx: RequestContext, requests: readonly ReassignmentRequest[]): AlterPartitionReassignmentsResponse {
  return respond(requests.map((r): ReassignmentResult => {
    if (ctx.broker.replicas.partition(r.topic, r.partition) === undefined) {
      return { ...r, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: 'This server does not host this topic-partition.' }
    }
    if (r.replicas === null) return { ...r, errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, message: 'No partition reassignment is in progress for this partition.' }
    const stays = r.replicas.length === 1 && r.replicas[0] === ctx.broker.nodeId
    return stays
      ? { ...r, errorCode: ErrorCode.NONE, message: null }
      : { ...r, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: `Only broker ${ctx.broker.nodeId} is registered.` }
  }))
}

async function handle (ctx: RequestContext, request: AlterPartitionReassignmentsRequest): Promise<AlterPartitionReassignmentsResponse> {
  const requests = requestsOf(request)
  const cluster = ctx.broker.cluster
  if (cluster === undefined) return singleBroker(ctx, requests)
  const controller = cluster.activeController
  if (controller !== null) return respond(await controller.reassign(requests))
  if ((ctx.clientId ?? '').startsWith(FORWARDED_PREFIX)) return errorResponse(request, ErrorCode.NOT_CONTROLLER)
  return await forwardToController(cluster.snapshot(), ctx.broker.config, ctx.broker.nodeId, alterPartitionReassignmentsApi, VERSION,
    request, Math.max(1000, request.timeoutMs))
}

function errorResponse (request: AlterPartitionReassignmentsRequest, code: number): AlterPartitionReassignmentsResponse {
  return respond(requestsOf(request).map((r) => ({ ...r, errorCode: code, message: null })), code)
}

export default defineHandler(alterPartitionReassignmentsApi, { min: 0, max: 0 }, handle, errorResponse, { requires: () => [onCluster(Op.ALTER)] })
