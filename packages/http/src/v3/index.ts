// The REST Proxy v3 API: /v3/clusters/{cluster_id}/... for the cluster, brokers, topics,
// partitions, configs, consumer groups (with lag) and produce (records). The cluster id in the path must be this
// cluster's (404 otherwise).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { HttpContext } from '../context.js'
import { notFound } from '../errors.js'
import { type Links, linksFor } from './resources.js'
import { registerClusters } from './clusters.js'
import { registerTopics } from './topics.js'
import { registerGroups } from './groups.js'
import { registerRecords } from './records.js'

export type ClusterParams = { cluster: string }

/** Links for a request under /v3/clusters/{cluster}: checks that the id is the cluster's. */
export type ClusterResolver = (request: FastifyRequest<{ Params: ClusterParams }>) => Promise<Links>

export function registerV3 (app: FastifyInstance, ctx: HttpContext): void {
  const resolve: ClusterResolver = async (request) => {
    const { clusterId } = await request.kafka.admin.describeCluster()
    const id = clusterId ?? ''
    if (request.params.cluster !== id) throw notFound(`Cluster ${request.params.cluster} cannot be found.`)
    return linksFor(request, id)
  }
  registerClusters(app, ctx, resolve)
  registerTopics(app, ctx, resolve)
  registerGroups(app, ctx, resolve)
  registerRecords(app, ctx, resolve)
}
