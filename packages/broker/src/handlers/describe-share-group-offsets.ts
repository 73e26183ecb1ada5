// DescribeShareGroupOffsets (90): v0-1, KIP-932.
// Behaviour: share/admin.ts: each share-partition's start offset (-1 without state); null topics
// mean every share-partition the group has state for.
// Versions: v1 Lag.
import { AclOperation, ResourceType } from '@brook/metadata'
import { ErrorCode, describeShareGroupOffsetsApi, type DescribeShareGroupOffsetsRequest, type DescribeShareGroupOffsetsResponse } from '@brook/protocol'
import { describeShareGroupOffsets } from '../share/admin.js'
import { shareOf } from '../share/request.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { allowed } from '../security/authorizer/request-access.js'

async function handle (ctx: RequestContext, request: DescribeShareGroupOffsetsRequest): Promise<DescribeShareGroupOffsetsResponse> {
  const visible = request.groups.filter((g) => allowed(ctx, ResourceType.GROUP, g.groupId, AclOperation.DESCRIBE))
  const refused = errorResponse({ groups: request.groups.filter((g) => !visible.includes(g)) }, ErrorCode.GROUP_AUTHORIZATION_FAILED).groups
  const described = visible.length === 0 ? [] : await describeShareGroupOffsets(shareOf(ctx), { ...request, groups: visible })
  return { groups: [...described, ...refused] }
}

function errorResponse (request: DescribeShareGroupOffsetsRequest, code: number): DescribeShareGroupOffsetsResponse {
  return { groups: request.groups.map((g) => ({ groupId: g.groupId, topics: [], errorCode: code, errorMessage: null })) }
}

export default defineHandler(describeShareGroupOffsetsApi, { min: 0, max: 1 }, handle, errorResponse)
