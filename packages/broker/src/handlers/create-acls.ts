// CreateAcls (30): v0-3.
// Behaviour: needs ALTER on the cluster. Each creation is checked (acl-binding.ts: concrete
// resource type, LITERAL or PREFIXED, a Type:name principal, a concrete operation and
// permission) and answered on its own: INVALID_REQUEST with Kafka's message for a bad one; the
// valid ones are stored together, durably, before the answer. Without an authorizer:
// SECURITY_DISABLED, as Kafka.
// Versions: v1 pattern type (v0: LITERAL); v2 flexible; v3 nothing new on the wire.
import { createAclsApi, type CreateAclsRequest, type CreateAclsResponse, ErrorCode } from '@brook/protocol'
import { type AclBinding, invalidBindingReason } from '@brook/metadata'
import { mapError } from '../errors.js'
import { onCluster, Op } from '../security/authorizer/requirements.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

async function handle (ctx: RequestContext, request: CreateAclsRequest): Promise<CreateAclsResponse> {
  const store = ctx.broker.acls
  if (store === undefined) return errorResponse(request, ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.')
  const bindings: AclBinding[] = request.creations.map((c) => ({
    resourceType: c.resourceType,
    resourceName: c.resourceName,
    patternType: c.resourcePatternType ?? 3,
    principal: c.principal,
    host: c.host,
    operation: c.operation,
    permissionType: c.permissionType
  }))
  const reasons = bindings.map(invalidBindingReason)
  try {
    await store.create(bindings.filter((_, i) => reasons[i] === null))
  } catch (err) {
    const { code, message } = mapError(err, ctx.logger, { api: 'CreateAcls' })
    return errorResponse(request, code, message)
  }
  return {
    results: reasons.map((reason) => reason === null
      ? { errorCode: ErrorCode.NONE, errorMessage: null }
      : { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: reason })
  }
}

function errorResponse (request: CreateAclsRequest, code: number, message: string | null = null): CreateAclsResponse {
  return { results: request.creations.map(() => ({ errorCode: code, errorMessage: message })) }
}

export default defineHandler(createAclsApi, { min: 0, max: 3 }, handle, (request, code) => errorResponse(request, code),
  { requires: () => [onCluster(Op.ALTER)] })
