// DeleteAcls (31): v0-3.
// Behaviour: needs ALTER on the cluster. Each filter (acl-filter.ts) is answered with the
// bindings it matched, all removed together and durably before the answer; a filter with an
// UNKNOWN field gets INVALID_REQUEST alone. Without an authorizer: SECURITY_DISABLED.
// Versions: v1 pattern type filter (v0: LITERAL); v2 flexible; v3 nothing new on the wire.
import { deleteAclsApi, type DeleteAclsRequest, type DeleteAclsRequestFilter, type DeleteAclsResponse, ErrorCode } from '@brook/protocol'
import { type AclBinding, aclKey } from '@brook/metadata'
import { mapError } from '../errors.js'
import { filterMatches, invalidFilterReason, type AclFilter } from '../security/authorizer/acl-filter.js'
import { onCluster, Op } from '../security/authorizer/requirements.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

function filterOf (f: DeleteAclsRequestFilter): AclFilter {
  return {
    resourceType: f.resourceTypeFilter,
    resourceName: f.resourceNameFilter ?? null,
    patternType: f.patternTypeFilter ?? 3,
    principal: f.principalFilter ?? null,
    host: f.hostFilter ?? null,
    operation: f.operation,
    permissionType: f.permissionType
  }
}

async function handle (ctx: RequestContext, request: DeleteAclsRequest): Promise<DeleteAclsResponse> {
  const store = ctx.broker.acls
  if (store === undefined) return errorResponse(request, ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.')
  const all = store.list()
  const matched = request.filters.map((f) => {
    const filter = filterOf(f)
    const invalid = invalidFilterReason(filter)
    return invalid === null ? { invalid, bindings: all.filter((b) => filterMatches(filter, b)) } : { invalid, bindings: [] }
  })
  const doomed = new Map<string, AclBinding>()
  for (const m of matched) for (const b of m.bindings) doomed.set(aclKey(b), b)
  let removed: Set<string>
  try {
    removed = new Set((await store.remove([...doomed.values()])).map(aclKey))
  } catch (err) {
    const { code, message } = mapError(err, ctx.logger, { api: 'DeleteAcls' })
    return errorResponse(request, code, message)
  }
  return {
    filterResults: matched.map((m) => m.invalid !== null
      ? { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: m.invalid, matchingAcls: [] }
      : {
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          // A binding another broker removed meanwhile is not reported as deleted here.
          matchingAcls: m.bindings.filter((b) => removed.has(aclKey(b))).map((b) => ({
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            resourceType: b.resourceType,
            resourceName: b.resourceName,
            patternType: b.patternType,
            principal: b.principal,
            host: b.host,
            operation: b.operation,
            permissionType: b.permissionType
          }))
        })
  }
}

function errorResponse (request: DeleteAclsRequest, code: number, message: string | null = null): DeleteAclsResponse {
  return { filterResults: request.filters.map(() => ({ errorCode: code, errorMessage: message, matchingAcls: [] })) }
}

export default defineHandler(deleteAclsApi, { min: 0, max: 3 }, handle, (request, code) => errorResponse(request, code),
  { requires: () => [onCluster(Op.ALTER)] })
