// ShareGroupHeartbeat (76): v1, KIP-932 (v0 was Kafka 4.0's early access, removed in 4.1).
// Behaviour: share/group/coordinator.ts: joins (epoch 0), keeps alive and leaves (epoch -1) a
// share group; the answer carries the member epoch and, when it changed, the assignment.
import { shareGroupHeartbeatApi, type ShareGroupHeartbeatRequest, type ShareGroupHeartbeatResponse } from '@brook/protocol'
import { requestInfo } from '../group/request-info.js'
import { shareOf } from '../share/request.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { onGroup, Op } from '../security/authorizer/requirements.js'

function handle (ctx: RequestContext, request: ShareGroupHeartbeatRequest): ShareGroupHeartbeatResponse {
  const { clientId, clientHost } = requestInfo(ctx)
  return { ...shareOf(ctx).coordinator.heartbeat({ clientId, clientHost }, request) }
}

function errorResponse (_request: ShareGroupHeartbeatRequest, code: number): ShareGroupHeartbeatResponse {
  return { errorCode: code, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null }
}

export default defineHandler(shareGroupHeartbeatApi, { min: 1, max: 1 }, handle, errorResponse, { requires: (r) => [onGroup(r.groupId, Op.READ)] })
