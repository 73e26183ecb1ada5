// DescribeAcls (29): v0-3.
// Behaviour: needs DESCRIBE on the cluster. The bindings the filter matches (acl-filter.ts:
// ANY/null fields match everything, MATCH selects the patterns that apply to a name), grouped by
// resource pattern. A filter with an UNKNOWN field: INVALID_REQUEST. Without an authorizer:
// SECURITY_DISABLED.
// Versions: v1 pattern type filter (v0: LITERAL); v2 flexible; v3 nothing new on the wire.
import { describeAclsApi, type DescribeAclsRequest, type DescribeAclsResponse, type DescribeAclsResponseResource, ErrorCode } from '@brook/protocol'
import { filterMatches, invalidFilterReason, type AclFilter } from '../security/authorizer/acl-filter.js'
import { onCluster, Op } from '../security/authorizer/requirements.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

function handle (ctx: RequestContext, request: DescribeAclsRequest): DescribeAclsResponse {
  const store = ctx.broker.acls
  if (store === undefined) return errorResponse(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.')
  const filter: AclFilter = {
    resourceType: request.resourceTypeFilter,
    resourceName: request.resourceNameFilter ?? null,
    patternType: request.patternTypeFilter ?? 3,
    principal: request.principalFilter ?? null,
    host: request.hostFilter ?? null,
    operation: request.operation,
    permissionType: request.permissionType
  }
  const invalid = invalidFilterReason(filter)
  if (invalid !== null) return errorResponse(ErrorCode.INVALID_REQUEST, invalid)
  const resources = new Map<string, DescribeAclsResponseResource>()
  for (const b of store.list()) {
    if (!filterMatches(filter, b)) continue
    const key = JSON.stringify([b.resourceType, b.patternType, b.resourceName])
    let resource = resources.get(key)
    if (resource === undefined) {
      resource = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] }
      resources.set(key, resource)
    }
    resource.acls.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType })
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null, resources: [...resources.values()] }
}

function errorResponse (code: number, message: string | null = null): DescribeAclsResponse {
  return { errorCode: code, errorMessage: message, resources: [] }
}

export default defineHandler(describeAclsApi, { min: 0, max: 3 }, handle, (_request, code) => errorResponse(code),
  { requires: () => [onCluster(Op.DESCRIBE)] })
