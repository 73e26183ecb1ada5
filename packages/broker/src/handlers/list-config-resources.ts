// ListConfigResources (74): v0-1 (ListClientMetricsResources before Kafka 4.1).
// Behaviour: the config resources that exist, by type (config/config-resources.ts). v0 lists
// client metrics subscriptions only (telemetry/subscriptions.ts);
// v1 takes resource types (empty = all of topic, broker, broker logger, client metrics, group:
// the groups with config overrides) and answers each resource's type. A type outside that set answers UNSUPPORTED_VERSION with no
// resources, as Kafka.
// Versions: v1 resource types in the request and the response.
import { ErrorCode, listConfigResourcesApi, type ListConfigResourcesRequest, type ListConfigResourcesResponse } from '@brook/protocol'
import { listConfigResources } from '../config/config-resources.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { onCluster, Op } from '../security/authorizer/requirements.js'

function handle (ctx: RequestContext, request: ListConfigResourcesRequest): ListConfigResourcesResponse {
  const { broker } = ctx
  const listed = listConfigResources(request.resourceTypes ?? [], ctx.apiVersion, {
    nodeId: broker.nodeId,
    topicNames: () => broker.replicas.topics().map((t) => t.info.name),
    clientMetricsNames: () => broker.clientMetricsSubscriptions.names(),
    groupConfigIds: () => broker.groups?.runtime.groupConfigs.groupIds() ?? []
  })
  if (listed === null) return { errorCode: ErrorCode.UNSUPPORTED_VERSION, configResources: [] }
  return { errorCode: ErrorCode.NONE, configResources: listed }
}

export default defineHandler(listConfigResourcesApi, { min: 0, max: 1 }, handle, (_request, code) => ({
  errorCode: code, configResources: []
}), { requires: () => [onCluster(Op.DESCRIBE_CONFIGS)] })
