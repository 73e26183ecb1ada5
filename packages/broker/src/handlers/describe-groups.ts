// DescribeGroups (15): v0-5.
// Behaviour: group/shard.ts describe(). Member metadata and assignments are filled only when the
// group is Stable (as Kafka); an unknown group is described as Dead with no error.
// Versions: v1 throttle; v3 authorized operations (READ, DELETE, DESCRIBE: Brook has no
// authorizer); v4 group.instance.id per member; v5 flexible.
import { describeGroupsApi, type DescribeGroupsRequest, type DescribeGroupsResponse } from '@brook/protocol'
import { AUTHORIZED_OPERATIONS_OMITTED, GROUP_AUTHORIZED_OPERATIONS } from '../group/shard.js'
import { coordinatorOf } from '../group/request-info.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

async function handle (ctx: RequestContext, request: DescribeGroupsRequest): Promise<DescribeGroupsResponse> {
  const groups = await coordinatorOf(ctx).describeGroups(request.groups)
  const operations = request.includeAuthorizedOperations === true ? GROUP_AUTHORIZED_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED
  return {
    throttleTimeMs: 0,
    groups: groups.map((g) => ({ ...g, authorizedOperations: g.errorCode === 0 ? operations : AUTHORIZED_OPERATIONS_OMITTED }))
  }
}

function errorResponse (request: DescribeGroupsRequest, code: number): DescribeGroupsResponse {
  return {
    throttleTimeMs: 0,
    groups: request.groups.map((groupId) => ({
      errorCode: code, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED
    }))
  }
}

export default defineHandler(describeGroupsApi, { min: 0, max: 5 }, handle, errorResponse)
