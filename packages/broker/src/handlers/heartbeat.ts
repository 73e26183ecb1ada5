// Heartbeat (12): v0-4.
// Behaviour: group/membership.ts: keeps the member's session alive; REBALANCE_IN_PROGRESS tells
// it to rejoin. Answered NONE while the coordinator loads, as Kafka does.
// Versions: v1 throttle; v3 group.instance.id; v4 flexible.
import { heartbeatApi, type HeartbeatRequest, type HeartbeatResponse } from '@brook/protocol'
import { coordinatorOf } from '../group/request-info.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { onGroup, Op } from '../security/authorizer/requirements.js'

async function handle (ctx: RequestContext, request: HeartbeatRequest): Promise<HeartbeatResponse> {
  const errorCode = await coordinatorOf(ctx).heartbeat({
    groupId: request.groupId,
    generationId: request.generationId,
    memberId: request.memberId,
    groupInstanceId: request.groupInstanceId ?? null
  })
  return { errorCode }
}

export default defineHandler(heartbeatApi, { min: 0, max: 4 }, handle, (_request, code) => ({ errorCode: code }), { requires: (r) => [onGroup(r.groupId, Op.READ)] })
