// What the group handlers take from the request context: the coordinator (absent until the broker
// has started it: COORDINATOR_NOT_AVAILABLE, which clients retry) and the caller's identity as
// Kafka records it in group metadata (client.id, and the host as Java prints an InetAddress: "/1.2.3.4").
import { KafkaError } from '../errors.js'
import type { RequestContext } from '../server/request-context.js'
import type { GroupCoordinator } from './coordinator.js'
import { GroupError } from './errors.js'
import type { RequestInfo } from './types.js'

export function coordinatorOf (ctx: RequestContext): GroupCoordinator {
  const groups = ctx.broker.groups
  if (groups === undefined) throw new KafkaError(GroupError.COORDINATOR_NOT_AVAILABLE, 'The group coordinator is not available.')
  return groups
}

export function requestInfo (ctx: RequestContext): RequestInfo {
  // A dual-stack listener reports IPv4 peers as IPv4-mapped IPv6; Java shows them as IPv4.
  const host = ctx.clientHost?.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1')
  return {
    clientId: ctx.clientId ?? '',
    clientHost: host === undefined || host === '' ? '' : `/${host}`,
    apiVersion: ctx.apiVersion
  }
}
