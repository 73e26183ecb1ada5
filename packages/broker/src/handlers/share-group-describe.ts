// ShareGroupDescribe (77): v1, KIP-932.
// Behaviour: share/group/coordinator.ts: each group's state, epochs and members with their
// subscriptions and assignments; GROUP_ID_NOT_FOUND for a group with neither members nor state.
import { AclOperation, ResourceType } from '@brook/metadata'
import { ErrorCode, shareGroupDescribeApi, type ShareGroupDescribeRequest, type ShareGroupDescribeResponse } from '@brook/protocol'
import { shareOf } from '../share/request.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { allowed } from '../security/authorizer/request-access.js'

function handle (ctx: RequestContext, request: ShareGroupDescribeRequest): ShareGroupDescribeResponse {
  const visible = request.groupIds.filter((g) => allowed(ctx, ResourceType.GROUP, g, AclOperation.DESCRIBE))
  const refused = errorResponse({ groupIds: request.groupIds.filter((g) => !visible.includes(g)), includeAuthorizedOperations: false }, ErrorCode.GROUP_AUTHORIZATION_FAILED).groups
  return { groups: [...shareOf(ctx).coordinator.describe(visible), ...refused] }
}

function errorResponse (request: ShareGroupDescribeRequest, code: number): ShareGroupDescribeResponse {
  return {
    groups: request.groupIds.map((groupId) => ({
      errorCode: code, errorMessage: null, groupId, groupState: '', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [], authorizedOperations: -2147483648
    }))
  }
}

export default defineHandler(shareGroupDescribeApi, { min: 1, max: 1 }, handle, errorResponse)
