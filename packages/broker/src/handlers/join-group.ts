// JoinGroup (11): v0-9.
// Behaviour: group/membership.ts (Kafka's classic group protocol). The request is parked until
// the join phase of the rebalance completes; the connection keeps answering in order meanwhile.
// Versions: v0 has no rebalance timeout (the session timeout is used); v4 MEMBER_ID_REQUIRED for
// an unknown member; v5 group.instance.id (static membership); v6 flexible; v7
// protocol type in the response (protocol name nullable); v8 join reason; v9 skip_assignment
// for a static leader that rejoins a Stable group.
import { ErrorCode, joinGroupApi, type JoinGroupRequest, type JoinGroupResponse } from '@brook/protocol'
import type { JoinGroupResult } from '../group/types.js'
import { coordinatorOf, requestInfo } from '../group/request-info.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { onGroup, Op } from '../security/authorizer/requirements.js'

function toResponse (r: JoinGroupResult, version: number): JoinGroupResponse {
  return {
    errorCode: r.errorCode,
    generationId: r.generationId,
    protocolType: r.protocolType,
    // Not nullable before v7.
    protocolName: version < 7 ? r.protocolName ?? '' : r.protocolName,
    leader: r.leader,
    skipAssignment: r.skipAssignment,
    memberId: r.memberId,
    members: r.members
  }
}

async function handle (ctx: RequestContext, request: JoinGroupRequest): Promise<JoinGroupResponse> {
  const rebalanceTimeoutMs = ctx.apiVersion === 0 || request.rebalanceTimeoutMs === undefined ? request.sessionTimeoutMs : request.rebalanceTimeoutMs
  const result = await coordinatorOf(ctx).joinGroup(requestInfo(ctx), {
    groupId: request.groupId,
    sessionTimeoutMs: request.sessionTimeoutMs,
    rebalanceTimeoutMs,
    memberId: request.memberId,
    groupInstanceId: request.groupInstanceId ?? null,
    protocolType: request.protocolType,
    protocols: request.protocols,
    reason: request.reason ?? null
  })
  return toResponse(result, ctx.apiVersion)
}

function errorResponse (request: JoinGroupRequest, code: number, ctx: RequestContext): JoinGroupResponse {
  return toResponse({
    errorCode: code === ErrorCode.NONE ? ErrorCode.UNKNOWN_SERVER_ERROR : code,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId: request.memberId,
    members: []
  }, ctx.apiVersion)
}

export default defineHandler(joinGroupApi, { min: 0, max: 9 }, handle, errorResponse, { requires: (r) => [onGroup(r.groupId, Op.READ)] })
