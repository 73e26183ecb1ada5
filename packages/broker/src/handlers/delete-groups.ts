// DeleteGroups (42): v0-2.
// Behaviour: share groups (share/service.ts) lose their share-partition state; other groups: only Empty groups can be deleted (NON_EMPTY_GROUP otherwise, GROUP_ID_NOT_FOUND for
// unknown ones); deletion writes tombstones for the group's offsets and for the group itself.
// Versions: v1 same; v2 flexible.
import { ErrorCode, deleteGroupsApi, type DeleteGroupsRequest, type DeleteGroupsResponse } from '@brook/protocol'
import { coordinatorOf } from '../group/request-info.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'

async function handle (ctx: RequestContext, request: DeleteGroupsRequest): Promise<DeleteGroupsResponse> {
  // A name listed twice is deleted once and answered once, as Kafka's keyed result collection does.
  const names = [...new Set(request.groupsNames)]
  const share = ctx.broker.share
  const deletable = names.filter((g) => allowed(ctx, ResourceType.GROUP, g, AclOperation.DELETE))
  const shareNames = share === undefined ? [] : deletable.filter((n) => share.isShareGroup(n))
  const others = deletable.filter((n) => !shareNames.includes(n))
  const shareResults = await Promise.all(shareNames.map(async (groupId) => ({ groupId, errorCode: await (share?.deleteGroup(groupId) ?? 0) })))
  const results = others.length === 0 ? [] : await coordinatorOf(ctx).deleteGroups(others)
  const refused = names.filter((g) => !deletable.includes(g)).map((groupId) => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }))
  return { results: [...results, ...shareResults, ...refused] }
}

function errorResponse (request: DeleteGroupsRequest, code: number): DeleteGroupsResponse {
  return { results: [...new Set(request.groupsNames)].map((groupId) => ({ groupId, errorCode: code })) }
}

export default defineHandler(deleteGroupsApi, { min: 0, max: 2 }, handle, errorResponse)
