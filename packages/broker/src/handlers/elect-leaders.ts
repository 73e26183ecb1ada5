// ElectLeaders (43): v0-2.
// Behaviour: cluster mode: the controller elects (cluster/election/): PREFERRED puts the first
// replica back in the lead (ELECTION_NOT_NEEDED when it leads, PREFERRED_LEADER_NOT_AVAILABLE when
// it is not live or not in the ISR); UNCLEAN elects for partitions without a live leader, from
// outside the ISR when no ISR member is live (ELIGIBLE_LEADERS_NOT_AVAILABLE when no replica is).
// A broker that is not the controller forwards the request to it (NOT_CONTROLLER while none is
// elected or reachable; a forwarded request is never forwarded again). Null topic partitions mean
// every partition, and the results then leave out those that needed no election. Single broker:
// every partition is led by its only replica, so every election is ELECTION_NOT_NEEDED.
// Versions: v1 election type and top-level error code; v2 flexible.
// Authorization: ALTER on the cluster (CLUSTER_AUTHORIZATION_FAILED).
import { electLeadersApi, type ElectLeadersRequest, type ElectLeadersResponse, ErrorCode } from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { onCluster, Op } from '../security/authorizer/requirements.js'
import { type ElectionKind, ElectionType } from '../cluster/election/election-decision.js'
import type { ElectionResult, ElectionTarget } from '../cluster/election/controller-elections.js'
import { FORWARDED_PREFIX, forwardElection } from '../cluster/election/forward-to-controller.js'

function targetsOf (request: ElectLeadersRequest): ElectionTarget[] | null {
  if (request.topicPartitions === null || request.topicPartitions === undefined) return null
  return request.topicPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })))
}

function respond (results: readonly ElectionResult[], errorCode: number = ErrorCode.NONE): ElectLeadersResponse {
  const byTopic = new Map<string, ElectionResult[]>()
  for (const r of results) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r])
  return {
    errorCode,
    replicaElectionResults: [...byTopic].map(([topic, list]) => ({
      topic,
      partitionResult: list.map((r) => ({ partitionId: r.partition, errorCode: r.errorCode, errorMessage: r.message }))
    }))
  }
}

/** One broker: each partition's only replica leads it already. */
function singleBroker (ctx: RequestContext, targets: ElectionTarget[] | null): ElectLeadersResponse {
  return respond((targets ?? []).map((t) => {
    const known = ctx.broker.replicas.partition(t.topic, t.partition) !== undefined
    return known
      ? { ...t, errorCode: ErrorCode.ELECTION_NOT_NEEDED, message: 'Leader election not needed for topic partition.' }
      : { ...t, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: 'This server does not host this topic-partition.' }
  }))
}

async function handle (ctx: RequestContext, request: ElectLeadersRequest): Promise<ElectLeadersResponse> {
  const type = (request.electionType ?? ElectionType.PREFERRED) as ElectionKind
  const targets = targetsOf(request)
  if (type !== ElectionType.PREFERRED && type !== ElectionType.UNCLEAN) {
    return respond((targets ?? []).map((t) => ({ ...t, errorCode: ErrorCode.INVALID_REQUEST, message: `Unknown election type ${String(type)}.` })))
  }
  const cluster = ctx.broker.cluster
  if (cluster === undefined) return singleBroker(ctx, targets)
  const controller = cluster.activeController
  if (controller !== null) return respond(await controller.elect(type, targets))
  if ((ctx.clientId ?? '').startsWith(FORWARDED_PREFIX)) return errorResponse(request, ErrorCode.NOT_CONTROLLER)
  return await forwardElection(cluster.snapshot(), ctx.broker.config, ctx.broker.nodeId, type, targets, Math.max(1000, request.timeoutMs))
}

function errorResponse (request: ElectLeadersRequest, code: number): ElectLeadersResponse {
  const targets = targetsOf(request) ?? []
  return respond(targets.map((t) => ({ ...t, errorCode: code, message: null })), code)
}

export default defineHandler(electLeadersApi, { min: 0, max: 2 }, handle, errorResponse, { requires: () => [onCluster(Op.ALTER)] })
