// The v3 API's resource shapes: every resource carries `kind`, `metadata.self` (its URL) and
// `related` links to its sub-resources; lists are `{ kind: ...List, metadata, data: [...] }`.
import type { FastifyRequest } from 'fastify'

export interface Links {
  /** http://host:port/v3/clusters/{id} as the client reached this server. */
  readonly cluster: string
  readonly clusterId: string
}

export function linksFor (request: FastifyRequest, clusterId: string): Links {
  const host = request.headers.host ?? request.hostname
  return { cluster: `${request.protocol}://${host}/v3/clusters/${encodeURIComponent(clusterId)}`, clusterId }
}

export const related = (url: string): { related: string } => ({ related: url })

export function list (kind: string, self: string, data: unknown[]): unknown {
  return { kind: `Kafka${kind}List`, metadata: { self, next: null }, data }
}

/** `path`: the resource's path under its cluster ('' for the cluster); `crn`: its resource name after the cluster's. */
export function resource (links: Links, kind: string, path: string, crn: string): { kind: string, metadata: { self: string, resource_name: string }, cluster_id: string } {
  return {
    kind: `Kafka${kind}`,
    metadata: { self: `${links.cluster}${path}`, resource_name: `crn:///kafka=${links.clusterId}${crn}` },
    cluster_id: links.clusterId
  }
}
