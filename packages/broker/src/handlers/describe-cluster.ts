// DescribeCluster (60): v0-2.
// Behaviour: single broker: this broker is the whole cluster and its controller. Cluster mode:
// every live broker and the elected controller (-1 while none is). Asking for controller
// endpoints (endpoint type 2) gets UNSUPPORTED_ENDPOINT_TYPE, as from a Kafka broker.
// Versions: v1 endpoint type; v2 fenced brokers (KIP-1073): this broker serves, so it is never
// fenced, and includeFencedBrokers changes nothing.
import { describeClusterApi, type DescribeClusterRequest, type DescribeClusterResponse, ErrorCode } from '@brook/protocol'
import { ResourceType } from '@brook/metadata'
import { CLUSTER_NAME, operationsIfAsked } from '../security/authorizer/authorized-operations.js'
import type { RequestContext } from '../server/request-context.js'
import { clusterBrokers } from './metadata.js'
import { defineHandler } from './handler.js'

const BROKERS = 1

function response (ctx: RequestContext, request: DescribeClusterRequest, errorCode: number, errorMessage: string | null = null): DescribeClusterResponse {
  const { broker } = ctx
  const snapshot = broker.cluster?.snapshot()
  const all = snapshot === undefined
    ? [{ brokerId: broker.nodeId, host: broker.advertised.host, port: broker.advertised.port, rack: broker.config.string('broker.rack'), isFenced: false }]
    : clusterBrokers(ctx, snapshot).map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack, isFenced: false }))
  return {
    errorCode,
    errorMessage,
    endpointType: request.endpointType ?? BROKERS,
    clusterId: broker.clusterId,
    controllerId: snapshot === undefined ? broker.nodeId : snapshot.controller?.brokerId ?? -1,
    brokers: errorCode !== ErrorCode.NONE ? [] : all,
    clusterAuthorizedOperations: operationsIfAsked(ctx, request.includeClusterAuthorizedOperations, ResourceType.CLUSTER, CLUSTER_NAME)
  }
}

function handle (ctx: RequestContext, request: DescribeClusterRequest): DescribeClusterResponse {
  if ((request.endpointType ?? BROKERS) !== BROKERS) {
    return response(ctx, request, ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER')
  }
  return response(ctx, request, ErrorCode.NONE)
}

export default defineHandler(describeClusterApi, { min: 0, max: 2 }, handle, (request, code, ctx) => response(ctx, request, code))
