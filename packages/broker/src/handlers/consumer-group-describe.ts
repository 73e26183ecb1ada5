// ConsumerGroupDescribe (69): v0-1, KIP-848.
// Behaviour: group/consumer/describe.ts: epochs, assignor, and per member its subscription,
// current and target assignment; GROUP_ID_NOT_FOUND for unknown and classic groups.
// Versions: v0 flexible; v1 member type (1: consumer protocol).
import { ErrorCode, consumerGroupDescribeApi, type ConsumerGroupDescribeRequest, type ConsumerGroupDescribeResponse } from '@brook/protocol'
import { AclOperation, ResourceType } from '@brook/metadata'
import { operationsIfAsked } from '../security/authorizer/authorized-operations.js'
import { allowed } from '../security/authorizer/request-access.js'
import { coordinatorOf } from '../group/request-info.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

const OMITTED = -2147483648

async function handle (ctx: RequestContext, request: ConsumerGroupDescribeRequest): Promise<ConsumerGroupDescribeResponse> {
  const groups = await coordinatorOf(ctx).consumerGroupDescribe([...new Set(request.groupIds)])
  return {
    groups: groups.map((g) => !allowed(ctx, ResourceType.GROUP, g.groupId, AclOperation.DESCRIBE)
      ? errorResponse({ ...request, groupIds: [g.groupId] }, ErrorCode.GROUP_AUTHORIZATION_FAILED).groups[0] as typeof g
      : { ...g, authorizedOperations: g.errorCode === 0 ? operationsIfAsked(ctx, request.includeAuthorizedOperations, ResourceType.GROUP, g.groupId) : OMITTED })
  }
}

function errorResponse (request: ConsumerGroupDescribeRequest, code: number): ConsumerGroupDescribeResponse {
  return {
    groups: request.groupIds.map((groupId) => ({
      errorCode: code, errorMessage: null, groupId, groupState: '', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [], authorizedOperations: OMITTED
    }))
  }
}

export default defineHandler(consumerGroupDescribeApi, { min: 0, max: 1 }, handle, errorResponse)
