// ListGroups (16): v0-5.
// Behaviour: every group this broker coordinates (all of them); COORDINATOR_LOAD_IN_PROGRESS,
// with the groups loaded so far, while some __consumer_offsets partition still loads. Groups
// made only of committed offsets ("simple" groups) are listed with an empty protocol type.
// Versions: v1 throttle; v3 flexible; v4 states filter (case-insensitive) and group state;
// v5 types filter and group type ("classic", "consumer", or "share" for share groups).
import { listGroupsApi, type ListGroupsRequest, type ListGroupsResponse } from '@brook/protocol'
import { AclOperation, ResourceType } from '@brook/metadata'
import { coordinatorOf } from '../group/request-info.js'
import { CLUSTER_NAME } from '../security/authorizer/authorized-operations.js'
import { allowed } from '../security/authorizer/request-access.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

function handle (ctx: RequestContext, request: ListGroupsRequest): ListGroupsResponse {
  const { errorCode, groups } = coordinatorOf(ctx).listGroups(request.statesFilter ?? [], request.typesFilter ?? [])
  const types = (request.typesFilter ?? []).map((t) => t.toLowerCase())
  const share = ctx.broker.share !== undefined && (types.length === 0 || types.includes('share')) ? ctx.broker.share.listGroups(request.statesFilter ?? []) : []
  // Kafka: DESCRIBE on the cluster lists every group; otherwise only the groups one may describe.
  const all = allowed(ctx, ResourceType.CLUSTER, CLUSTER_NAME, AclOperation.DESCRIBE)
  const listed = [...groups, ...share]
  return { errorCode, groups: all ? listed : listed.filter((g) => allowed(ctx, ResourceType.GROUP, g.groupId, AclOperation.DESCRIBE)) }
}

export default defineHandler(listGroupsApi, { min: 0, max: 5 }, handle, (_request, code) => ({ errorCode: code, groups: [] }))
