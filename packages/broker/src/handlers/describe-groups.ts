// DescribeGroups (15): v0-6.
// Behaviour: group/shard.ts describe(). Member metadata and assignments are filled only when the
// group is Stable (as Kafka); an unknown group is described as Dead, with no error up to v5 and
// GROUP_ID_NOT_FOUND plus a message from v6 (KIP-1043).
// Versions: v1 throttle; v3 authorized operations (READ, DELETE, DESCRIBE: Brook has no
// authorizer); v4 group.instance.id per member; v5 flexible; v6 per-group error message.
import { describeGroupsApi, ErrorCode, type DescribeGroupsRequest, type DescribeGroupsResponse } from '@brook/protocol'
import { AclOperation, ResourceType } from '@brook/metadata'
import { AUTHORIZED_OPERATIONS_OMITTED } from '../group/shard.js'
import { operationsIfAsked } from '../security/authorizer/authorized-operations.js'
import { allowed } from '../security/authorizer/request-access.js'
import { coordinatorOf } from '../group/request-info.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

async function handle (ctx: RequestContext, request: DescribeGroupsRequest): Promise<DescribeGroupsResponse> {
  const groups = await coordinatorOf(ctx).describeGroups(request.groups)
  return {
    groups: groups.map((g) => {
      if (!allowed(ctx, ResourceType.GROUP, g.groupId, AclOperation.DESCRIBE)) return errorResponse({ ...request, groups: [g.groupId] }, ErrorCode.GROUP_AUTHORIZATION_FAILED).groups[0] as typeof g
      const operations = operationsIfAsked(ctx, request.includeAuthorizedOperations, ResourceType.GROUP, g.groupId)
      const described = { ...g, errorMessage: null, authorizedOperations: g.errorCode === 0 ? operations : AUTHORIZED_OPERATIONS_OMITTED }
      return ctx.apiVersion >= 6 && g.errorCode === ErrorCode.NONE && g.groupState === 'Dead'
        ? { ...described, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${g.groupId} not found.`, authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED }
        : described
    })
  }
}

function errorResponse (request: DescribeGroupsRequest, code: number): DescribeGroupsResponse {
  return {
    groups: request.groups.map((groupId) => ({
      errorCode: code, errorMessage: null, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED
    }))
  }
}

export default defineHandler(describeGroupsApi, { min: 0, max: 6 }, handle, errorResponse)
