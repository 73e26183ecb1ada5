// SyncGroup (14): v0-5.
// Behaviour: group/membership.ts. Followers are parked until the leader's assignment is durable
// in __consumer_offsets; the leader's request completes at the same moment.
// Versions: v1 throttle; v3 group.instance.id; v4 flexible; v5 protocol type and name in request
// and response: both are mandatory in a v5 request (else INCONSISTENT_GROUP_PROTOCOL, as Kafka).
import { ErrorCode, syncGroupApi, type SyncGroupRequest, type SyncGroupResponse } from '@brook/protocol'
import { coordinatorOf } from '../group/request-info.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { onGroup, Op } from '../security/authorizer/requirements.js'

function failed (errorCode: number): SyncGroupResponse {
  return { errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) }
}

async function handle (ctx: RequestContext, request: SyncGroupRequest): Promise<SyncGroupResponse> {
  const protocolType = request.protocolType ?? null
  const protocolName = request.protocolName ?? null
  if (ctx.apiVersion >= 5 && (protocolType === null || protocolName === null)) return failed(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  const result = await coordinatorOf(ctx).syncGroup({
    groupId: request.groupId,
    generationId: request.generationId,
    memberId: request.memberId,
    groupInstanceId: request.groupInstanceId ?? null,
    protocolType,
    protocolName,
    assignments: request.assignments
  })
  return { ...result }
}

export default defineHandler(syncGroupApi, { min: 0, max: 5 }, handle, (_request, code) => failed(code), { requires: (r) => [onGroup(r.groupId, Op.READ)] })
