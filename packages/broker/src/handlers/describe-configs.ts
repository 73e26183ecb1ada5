// DescribeConfigs (32): v0-4.
// Behaviour: topics, this broker, groups (KIP-848 per-group configs: group/group-configs.ts) and
// client metrics subscriptions (KIP-714: telemetry/subscriptions.ts; an unknown one lists the
// defaults, as Kafka). A topic lists every topic config, each with its value,
// source (topic override, dynamic or static broker setting, default) and synonyms.
// The broker (resource name = its node id) lists every broker config with its effective value,
// the dynamic ones (config/dynamic-configs.ts) not read-only; the cluster-default resource (empty
// name) lists the dynamic cluster defaults only, as Kafka. configuration_keys filters (null or
// empty: all). Synonyms follow Kafka's rule (config/synonyms.ts).
// Versions: v1 config source + synonyms (when include_synonyms); v3 config type + documentation
// (Brook's own strings, config/documentation.ts, when include_documentation); v4 flexible. v0
// reports is_default instead of a source.
import { describeConfigsApi, type DescribeConfigsRequest, type DescribeConfigsRequestResource, type DescribeConfigsResponse,
  type DescribeConfigsResponseResult, ErrorCode } from '@brook/protocol'
import { type DescribedConfig, describeBrokerConfigs, describeDefaultBrokerConfigs, describeTopicConfigs, ResourceType } from '../config/describe.js'
import { invalidTopicNameReason } from '../cluster/topic-name.js'
import { describeGroupConfigs } from '../group/group-configs.js'
import { describeClientMetrics } from '../telemetry/subscriptions.js'
import { coordinatorOf } from '../group/request-info.js'
import { mapError } from '../errors.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { AclOperation } from '@brook/metadata'
import { configRefusal } from '../security/authorizer/config-access.js'

function failed (resource: DescribeConfigsRequestResource, errorCode: number, errorMessage: string | null = null): DescribeConfigsResponseResult {
  return { errorCode, errorMessage, resourceType: resource.resourceType, resourceName: resource.resourceName, configs: [] }
}

function configsOf (ctx: RequestContext, resource: DescribeConfigsRequestResource): DescribedConfig[] | DescribeConfigsResponseResult {
  const { broker } = ctx
  const name = resource.resourceName
  if (resource.resourceType === ResourceType.TOPIC) {
    const reason = invalidTopicNameReason(name)
    if (reason !== null) return failed(resource, ErrorCode.INVALID_TOPIC_EXCEPTION, reason)
    const topic = broker.replicas.topic(name)
    if (topic === undefined) return failed(resource, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`)
    return describeTopicConfigs(topic.info.configs, broker.config)
  }
  if (resource.resourceType === ResourceType.BROKER) {
    // Throws INVALID_REQUEST for another broker's id (answered by describe()).
    return broker.dynamicConfigs.layerOf(name) === 'default' ? describeDefaultBrokerConfigs(broker.config) : describeBrokerConfigs(broker.config)
  }
  if (resource.resourceType === ResourceType.GROUP) {
    if (name === '') return failed(resource, ErrorCode.INVALID_REQUEST, 'Group name must not be empty.')
    return describeGroupConfigs(coordinatorOf(ctx).runtime.groupConfigs, name)
  }
  if (resource.resourceType === ResourceType.CLIENT_METRICS) {
    if (name === '') return failed(resource, ErrorCode.INVALID_REQUEST, 'Client metrics subscription name must not be empty.')
    return describeClientMetrics(broker.clientMetricsSubscriptions, name)
  }
  return failed(resource, ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resource.resourceType}`)
}

function describe (ctx: RequestContext, request: DescribeConfigsRequest, resource: DescribeConfigsRequestResource): DescribeConfigsResponseResult {
  const refused = configRefusal(ctx, resource.resourceType, resource.resourceName, AclOperation.DESCRIBE_CONFIGS)
  if (refused !== null) return failed(resource, refused, 'Authorization failed.')
  try {
    const configs = configsOf(ctx, resource)
    if (!Array.isArray(configs)) return configs
    // Null or empty configuration_keys both mean every config (Kafka's ConfigHelper).
    const keys = resource.configurationKeys
    const wanted = keys === null || keys === undefined || keys.length === 0 ? configs : configs.filter((c) => keys.includes(c.name))
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      resourceType: resource.resourceType,
      resourceName: resource.resourceName,
      configs: wanted.map((c) => ({
        ...c,
        synonyms: request.includeSynonyms === true ? c.synonyms : [],
        documentation: request.includeDocumentation === true ? c.documentation : null
      }))
    }
  } catch (err) {
    const { code, message } = mapError(err, ctx.logger, { resource: resource.resourceName })
    return failed(resource, code, message)
  }
}

function handle (ctx: RequestContext, request: DescribeConfigsRequest): DescribeConfigsResponse {
  return { results: request.resources.map((r) => describe(ctx, request, r)) }
}

export default defineHandler(describeConfigsApi, { min: 0, max: 4 }, handle, (request, code) => ({
  results: request.resources.map((r) => failed(r, code))
}))
