// ListGroups (16): v0-5.
// Behaviour: every group this broker coordinates (all of them); COORDINATOR_LOAD_IN_PROGRESS,
// with the groups loaded so far, while some __consumer_offsets partition still loads. Groups
// made only of committed offsets ("simple" groups) are listed with an empty protocol type.
// Versions: v1 throttle; v3 flexible; v4 states filter (case-insensitive) and group state;
// v5 types filter and group type ("classic", "consumer", or "share" for share groups).
import { listGroupsApi, type ListGroupsRequest, type ListGroupsResponse } from '@brook/protocol'
import { coordinatorOf } from '../group/request-info.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

function handle (ctx: RequestContext, request: ListGroupsRequest): ListGroupsResponse {
  const { errorCode, groups } = coordinatorOf(ctx).listGroups(request.statesFilter ?? [], request.typesFilter ?? [])
  const types = (request.typesFilter ?? []).map((t) => t.toLowerCase())
  const share = ctx.broker.share !== undefined && (types.length === 0 || types.includes('share')) ? ctx.broker.share.listGroups(request.statesFilter ?? []) : []
  return { throttleTimeMs: 0, errorCode, groups: [...groups, ...share] }
}

export default defineHandler(listGroupsApi, { min: 0, max: 5 }, handle, (_request, code) => ({ throttleTimeMs: 0, errorCode: code, groups: [] }))
