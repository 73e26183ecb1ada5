// IncrementalAlterConfigs (44): v0-1.
// Behaviour: SET / DELETE / APPEND / SUBTRACT on a topic's overrides or on a dynamic broker
// layer (resource name "" for the cluster default, the node id for this broker;
// config/dynamic-configs.ts), on a group (GROUP, 32: group/group-configs.ts) or on a client
// metrics subscription (CLIENT_METRICS, 16: telemetry/subscriptions.ts), validated as a whole before anything is applied (config/alter.ts);
// validate_only checks without applying. Read-only broker configs get INVALID_REQUEST.
// Versions: v1 flexible.
import { ErrorCode, incrementalAlterConfigsApi, type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsRequestAlterConfigsResource, type IncrementalAlterConfigsResponse,
  type IncrementalAlterConfigsResponseAlterConfigsResourceResponse } from '@brook/protocol'
import { applyIncremental, topicConfigs } from '../config/alter.js'
import { ResourceType } from '../config/describe.js'
import { KafkaError, mapError } from '../errors.js'
import { InvalidGroupConfigError } from '../group/group-configs.js'
import { InvalidClientMetricsConfigError } from '../telemetry/subscriptions.js'
import { coordinatorOf } from '../group/request-info.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { AclOperation } from '@brook/metadata'
import { configRefusal } from '../security/authorizer/config-access.js'

type Resource = IncrementalAlterConfigsRequestAlterConfigsResource

function result (resource: Resource, errorCode: number, errorMessage: string | null = null): IncrementalAlterConfigsResponseAlterConfigsResourceResponse {
  return { errorCode, errorMessage, resourceType: resource.resourceType, resourceName: resource.resourceName }
}

async function alter (ctx: RequestContext, resource: Resource, validateOnly: boolean): Promise<IncrementalAlterConfigsResponseAlterConfigsResourceResponse> {
  try {
    const refused = configRefusal(ctx, resource.resourceType, resource.resourceName, AclOperation.ALTER_CONFIGS)
    if (refused !== null) throw new KafkaError(refused, 'Authorization failed.')
    const changes = resource.configs.map((c) => ({ name: c.name, value: c.value, op: c.configOperation }))
    if (resource.resourceType === ResourceType.BROKER) {
      const dynamic = ctx.broker.dynamicConfigs
      const layer = dynamic.layerOf(resource.resourceName)
      await dynamic.alter(layer, (current) => applyIncremental(current, changes, dynamic.alterable(layer)), validateOnly)
      return result(resource, ErrorCode.NONE)
    }
    if (resource.resourceType === ResourceType.GROUP) {
      if (resource.resourceName === '') throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Group name must not be empty.')
      try {
        await coordinatorOf(ctx).runtime.groupConfigs.alter(resource.resourceName, changes, validateOnly)
      } catch (err) {
        if (err instanceof InvalidGroupConfigError) throw new KafkaError(ErrorCode.INVALID_CONFIG, err.message)
        throw err
      }
      return result(resource, ErrorCode.NONE)
    }
    if (resource.resourceType === ResourceType.CLIENT_METRICS) {
      try {
        await ctx.broker.clientMetricsSubscriptions.alter(resource.resourceName, changes, validateOnly)
      } catch (err) {
        if (err instanceof InvalidClientMetricsConfigError) throw new KafkaError(ErrorCode.INVALID_CONFIG, err.message)
        throw err
      }
      return result(resource, ErrorCode.NONE)
    }
    if (resource.resourceType !== ResourceType.TOPIC) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resource.resourceType}`)
    }
    const { replicas, config } = ctx.broker
    const topic = replicas.topic(resource.resourceName)
    if (topic === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${resource.resourceName}' does not exist.`)
    await replicas.setTopicConfigs(resource.resourceName, applyIncremental(topic.info.configs, changes, topicConfigs(config)), validateOnly)
    return result(resource, ErrorCode.NONE)
  } catch (err) {
    const { code, message } = mapError(err, ctx.logger, { resource: resource.resourceName })
    return result(resource, code, message)
  }
}

async function handle (ctx: RequestContext, request: IncrementalAlterConfigsRequest): Promise<IncrementalAlterConfigsResponse> {
  return { responses: await Promise.all(request.resources.map(async (r) => await alter(ctx, r, request.validateOnly))) }
}

export default defineHandler(incrementalAlterConfigsApi, { min: 0, max: 1 }, handle, (request, code) => ({
  responses: request.resources.map((r) => result(r, code))
}))
