// v3 clusters and brokers (and broker configs).
import type { FastifyInstance } from 'fastify'
import type { HttpContext } from '../context.js'
import { intParam } from '../body.js'
import { notFound } from '../errors.js'
import { linksFor, list, related, resource, type Links } from './resources.js'
import type { ClusterParams, ClusterResolver } from './index.js'
import { configResource } from './configs.js'

function cluster (links: Links, controllerId: number): unknown {
  const c = links.cluster
  return {
    ...resource(links, 'Cluster', '', ''),
    controller: related(`${c}/brokers/${controllerId}`),
    acls: related(`${c}/acls`),
    brokers: related(`${c}/brokers`),
    broker_configs: related(`${c}/broker-configs`),
    consumer_groups: related(`${c}/consumer-groups`),
    topics: related(`${c}/topics`),
    partition_reassignments: related(`${c}/topics/-/partitions/-/reassignment`)
  }
}

function broker (links: Links, b: { nodeId: number, host: string, port: number, rack: string | null }): unknown {
  const path = `/brokers/${b.nodeId}`
  return {
    ...resource(links, 'Broker', path, `/broker=${b.nodeId}`),
    broker_id: b.nodeId,
    host: b.host,
    port: b.port,
    rack: b.rack,
    configs: related(`${links.cluster}${path}/configs`),
    partition_replicas: related(`${links.cluster}${path}/partition-replicas`)
  }
}

export function registerClusters (app: FastifyInstance, _ctx: HttpContext, resolve: ClusterResolver): void {
  app.get('/v3/clusters', async (request) => {
    const described = await request.kafka.admin.describeCluster()
    const links = linksFor(request, described.clusterId ?? '')
    const self = `${request.protocol}://${request.headers.host ?? request.hostname}/v3/clusters`
    return list('Cluster', self, [cluster(links, described.controllerId)])
  })

  app.get<{ Params: ClusterParams }>('/v3/clusters/:cluster', async (request) => {
    const links = await resolve(request)
    const described = await request.kafka.admin.describeCluster()
    return cluster(links, described.controllerId)
  })

  app.get<{ Params: ClusterParams }>('/v3/clusters/:cluster/brokers', async (request) => {
    const links = await resolve(request)
    const described = await request.kafka.admin.describeCluster()
    return list('Broker', `${links.cluster}/brokers`, described.brokers.sort((a, b) => a.nodeId - b.nodeId).map((b) => broker(links, b)))
  })

  app.get<{ Params: ClusterParams & { broker: string } }>('/v3/clusters/:cluster/brokers/:broker', async (request) => {
    const links = await resolve(request)
    const id = intParam(request.params.broker, 'broker_id')
    const found = (await request.kafka.admin.describeCluster()).brokers.find((b) => b.nodeId === id)
    if (found === undefined) throw notFound(`Broker ${id} cannot be found.`)
    return broker(links, found)
  })

  app.get<{ Params: ClusterParams & { broker: string } }>('/v3/clusters/:cluster/brokers/:broker/configs', async (request) => {
    const links = await resolve(request)
    const id = intParam(request.params.broker, 'broker_id')
    const entries = await request.kafka.admin.describeConfigs({ type: 4, name: String(id) })
    const path = `/brokers/${id}/configs`
    return list('BrokerConfig', `${links.cluster}${path}`, entries.map((e) => ({
      ...configResource(links, 'BrokerConfig', `${path}/${e.name}`, `/broker=${id}/config=${e.name}`, e),
      broker_id: id
    })))
  })
}
