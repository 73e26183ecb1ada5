// AlterConfigs (33): v0-2.
// Behaviour: a topic's overrides, or a dynamic broker layer (resource name "" for the cluster
// default, the node id for this broker; config/dynamic-configs.ts), are replaced by the given set
// (Kafka's non-incremental semantics) after validation; validate_only checks without applying.
// Read-only broker configs get INVALID_REQUEST, other resource types too.
// Versions: v1 same as v0; v2 flexible.
import { alterConfigsApi, type AlterConfigsRequest, type AlterConfigsRequestResource, type AlterConfigsResponse,
  type AlterConfigsResponseResourceResponse, ErrorCode } from '@brook/protocol'
import { replaceOverrides } from '../config/alter.js'
import { ResourceType } from '../config/describe.js'
import { KafkaError, mapError } from '../errors.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { AclOperation } from '@brook/metadata'
import { configRefusal } from '../security/authorizer/config-access.js'

function result (resource: AlterConfigsRequestResource, errorCode: number, errorMessage: string | null = null): AlterConfigsResponseResourceResponse {
  return { errorCode, errorMessage, resourceType: resource.resourceType, resourceName: resource.resourceName }
}

async function alter (ctx: RequestContext, resource: AlterConfigsRequestResource, validateOnly: boolean): Promise<AlterConfigsResponseResourceResponse> {
  try {
    const refused = configRefusal(ctx, resource.resourceType, resource.resourceName, AclOperation.ALTER_CONFIGS)
    if (refused !== null) throw new KafkaError(refused, 'Authorization failed.')
    if (resource.resourceType === ResourceType.BROKER) {
      const dynamic = ctx.broker.dynamicConfigs
      const next = replaceOverrides(resource.configs)
      await dynamic.alter(dynamic.layerOf(resource.resourceName), () => next, validateOnly)
      return result(resource, ErrorCode.NONE)
    }
    if (resource.resourceType !== ResourceType.TOPIC) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resource.resourceType}`)
    }
    await ctx.broker.replicas.setTopicConfigs(resource.resourceName, replaceOverrides(resource.configs), validateOnly)
    return result(resource, ErrorCode.NONE)
  } catch (err) {
    const { code, message } = mapError(err, ctx.logger, { resource: resource.resourceName })
    return result(resource, code, message)
  }
}

async function handle (ctx: RequestContext, request: AlterConfigsRequest): Promise<AlterConfigsResponse> {
  return { responses: await Promise.all(request.resources.map(async (r) => await alter(ctx, r, request.validateOnly))) }
}

export default defineHandler(alterConfigsApi, { min: 0, max: 2 }, handle, (request, code) => ({
  responses: request.resources.map((r) => result(r, code))
}))
