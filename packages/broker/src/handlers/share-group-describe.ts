// ShareGroupDescribe (77): v1, KIP-932.
// Behaviour: share/group/coordinator.ts: each group's state, epochs and members with their
// subscriptions and assignments; GROUP_ID_NOT_FOUND for a group with neither members nor state.
import { shareGroupDescribeApi, type ShareGroupDescribeRequest, type ShareGroupDescribeResponse } from '@brook/protocol'
import { shareOf } from '../share/request.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

function handle (ctx: RequestContext, request: ShareGroupDescribeRequest): ShareGroupDescribeResponse {
  return { throttleTimeMs: 0, groups: shareOf(ctx).coordinator.describe(request.groupIds) }
}

function errorResponse (request: ShareGroupDescribeRequest, code: number): ShareGroupDescribeResponse {
  return {
    throttleTimeMs: 0,
    groups: request.groupIds.map((groupId) => ({
      errorCode: code, errorMessage: null, groupId, groupState: '', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [], authorizedOperations: -2147483648
    }))
  }
}

export default defineHandler(shareGroupDescribeApi, { min: 1, max: 1 }, handle, errorResponse)
