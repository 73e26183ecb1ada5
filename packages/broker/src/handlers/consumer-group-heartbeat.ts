// ConsumerGroupHeartbeat (68): v0-1, KIP-848.
// Behaviour: group/consumer/membership.ts: joins (epoch 0), keeps alive, reports owned partitions,
// leaves (epoch -1; -2 for a static member that will come back) a consumer group; the answer
// carries the member epoch and, when it changed, the assignment the member may use now.
// Versions: v0 flexible; v1 SubscribedTopicRegex and a member id the client generates.
import { consumerGroupHeartbeatApi, type ConsumerGroupHeartbeatRequest, type ConsumerGroupHeartbeatResponse } from '@brook/protocol'
import { coordinatorOf, requestInfo } from '../group/request-info.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { onGroup, Op } from '../security/authorizer/requirements.js'

async function handle (ctx: RequestContext, request: ConsumerGroupHeartbeatRequest): Promise<ConsumerGroupHeartbeatResponse> {
  const response = await coordinatorOf(ctx).consumerGroupHeartbeat(requestInfo(ctx), request)
  return { ...response }
}

function errorResponse (_request: ConsumerGroupHeartbeatRequest, code: number): ConsumerGroupHeartbeatResponse {
  return { errorCode: code, errorMessage: null, memberId: null, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null }
}

export default defineHandler(consumerGroupHeartbeatApi, { min: 0, max: 1 }, handle, errorResponse, { requires: (r) => [onGroup(r.groupId, Op.READ)] })
