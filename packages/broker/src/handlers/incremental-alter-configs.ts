// IncrementalAlterConfigs (44): v0-1.
// Behaviour: SET / DELETE / APPEND / SUBTRACT on a topic's overrides (config/alter.ts), validated
// as a whole before anything is applied; validate_only checks without applying. Broker
// resources get INVALID_REQUEST (no dynamic broker configs).
// Versions: v1 flexible.
import { ErrorCode, incrementalAlterConfigsApi, type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsRequestAlterConfigsResource, type IncrementalAlterConfigsResponse,
  type IncrementalAlterConfigsResponseAlterConfigsResourceResponse } from '@brook/protocol'
import { applyIncremental } from '../config/alter.js'
import { ResourceType } from '../config/describe.js'
import { KafkaError, mapError } from '../errors.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

type Resource = IncrementalAlterConfigsRequestAlterConfigsResource

function result (resource: Resource, errorCode: number, errorMessage: string | null = null): IncrementalAlterConfigsResponseAlterConfigsResourceResponse {
  return { errorCode, errorMessage, resourceType: resource.resourceType, resourceName: resource.resourceName }
}

async function alter (ctx: RequestContext, resource: Resource, validateOnly: boolean): Promise<IncrementalAlterConfigsResponseAlterConfigsResourceResponse> {
  try {
    if (resource.resourceType !== ResourceType.TOPIC) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Brook supports altering topic configs only (no dynamic broker configs)')
    }
    const { replicas, config } = ctx.broker
    const topic = replicas.topic(resource.resourceName)
    if (topic === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${resource.resourceName}' does not exist.`)
    const changes = resource.configs.map((c) => ({ name: c.name, value: c.value, op: c.configOperation }))
    await replicas.setTopicConfigs(resource.resourceName, applyIncremental(topic.info.configs, changes, config), validateOnly)
    return result(resource, ErrorCode.NONE)
  } catch (err) {
    const { code, message } = mapError(err, ctx.logger, { resource: resource.resourceName })
    return result(resource, code, message)
  }
}

async function handle (ctx: RequestContext, request: IncrementalAlterConfigsRequest): Promise<IncrementalAlterConfigsResponse> {
  return { throttleTimeMs: 0, responses: await Promise.all(request.resources.map(async (r) => await alter(ctx, r, request.validateOnly))) }
}

export default defineHandler(incrementalAlterConfigsApi, { min: 0, max: 1 }, handle, (request, code) => ({
  throttleTimeMs: 0,
  responses: request.resources.map((r) => result(r, code))
}))
