// AlterConfigs (33): v0-2.
// Behaviour: a topic's overrides are replaced by the given set (Kafka's non-incremental
// semantics) after validation; validate_only checks without applying. Brook has no dynamic
// broker configs: broker resources get INVALID_REQUEST.
// Versions: v1 same as v0; v2 flexible.
import { alterConfigsApi, type AlterConfigsRequest, type AlterConfigsRequestResource, type AlterConfigsResponse,
  type AlterConfigsResponseResourceResponse, ErrorCode } from '@brook/protocol'
import { replaceOverrides } from '../config/alter.js'
import { ResourceType } from '../config/describe.js'
import { KafkaError, mapError } from '../errors.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

function result (resource: AlterConfigsRequestResource, errorCode: number, errorMessage: string | null = null): AlterConfigsResponseResourceResponse {
  return { errorCode, errorMessage, resourceType: resource.resourceType, resourceName: resource.resourceName }
}

async function alter (ctx: RequestContext, resource: AlterConfigsRequestResource, validateOnly: boolean): Promise<AlterConfigsResponseResourceResponse> {
  try {
    if (resource.resourceType !== ResourceType.TOPIC) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Brook supports altering topic configs only (no dynamic broker configs)')
    }
    await ctx.broker.replicas.setTopicConfigs(resource.resourceName, replaceOverrides(resource.configs), validateOnly)
    return result(resource, ErrorCode.NONE)
  } catch (err) {
    const { code, message } = mapError(err, ctx.logger, { resource: resource.resourceName })
    return result(resource, code, message)
  }
}

async function handle (ctx: RequestContext, request: AlterConfigsRequest): Promise<AlterConfigsResponse> {
  return { throttleTimeMs: 0, responses: await Promise.all(request.resources.map(async (r) => await alter(ctx, r, request.validateOnly))) }
}

export default defineHandler(alterConfigsApi, { min: 0, max: 2 }, handle, (request, code) => ({
  throttleTimeMs: 0,
  responses: request.resources.map((r) => result(r, code))
}))
