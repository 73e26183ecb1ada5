// LeaveGroup (13): v0-5.
// Behaviour: group/membership.ts. Members are removed at once and the group rebalances. From v3
// a request names several members, by member id or (admin removal, KIP-345) by group.instance.id
// alone with an empty member id.
// Versions: v0-2 one member_id, its error is the top-level error; v3 batch of members; v4
// flexible; v5 per-member reason.
import { ErrorCode, leaveGroupApi, type LeaveGroupRequest, type LeaveGroupResponse } from '@brook/protocol'
import { coordinatorOf } from '../group/request-info.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { onGroup, Op } from '../security/authorizer/requirements.js'

async function handle (ctx: RequestContext, request: LeaveGroupRequest): Promise<LeaveGroupResponse> {
  const members = ctx.apiVersion < 3
    ? [{ memberId: request.memberId ?? '', groupInstanceId: null }]
    : (request.members ?? []).map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, reason: m.reason ?? null }))
  const result = await coordinatorOf(ctx).leaveGroup(request.groupId, members)
  if (ctx.apiVersion < 3) {
    // One member: its own error is the answer.
    const memberError = result.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE
    return { errorCode: result.errorCode !== ErrorCode.NONE ? result.errorCode : memberError }
  }
  return { errorCode: result.errorCode, members: result.members }
}

export default defineHandler(leaveGroupApi, { min: 0, max: 5 }, handle, (_request, code) => ({ errorCode: code, members: [] }), { requires: (r) => [onGroup(r.groupId, Op.READ)] })
