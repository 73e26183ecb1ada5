// DeleteGroups (42): v0-2.
// Behaviour: only Empty groups can be deleted (NON_EMPTY_GROUP otherwise, GROUP_ID_NOT_FOUND for
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
  const deletable = names.filter((g) => allowed(ctx, ResourceType.GROUP, g, AclOperation.DELETE))
  const results = deletable.length === 0 ? [] : await coordinatorOf(ctx).deleteGroups(deletable)
  const refused = names.filter((g) => !deletable.includes(g)).map((groupId) => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }))
  return { throttleTimeMs: 0, results: [...results, ...refused] }
}

function errorResponse (request: DeleteGroupsRequest, code: number): DeleteGroupsResponse {
  return { throttleTimeMs: 0, results: [...new Set(request.groupsNames)].map((groupId) => ({ groupId, errorCode: code })) }
}

export default defineHandler(deleteGroupsApi, { min: 0, max: 2 }, handle, errorResponse)
