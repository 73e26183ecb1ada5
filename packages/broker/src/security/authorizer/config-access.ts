// Kafka's rule for the config APIs: a topic's configs need the operation on the topic, a group's
// on the group, a broker's (and its loggers') and a client metrics subscription's on the cluster; each refused resource answers its
// own error code. `resourceType` is the config APIs' ConfigResource type, not the ACL one.
import { ErrorCode } from '@brook/protocol'
import { ResourceType as Acl } from '@brook/metadata'
import type { RequestContext } from '../../server/request-context.js'
import { CLUSTER_NAME } from './authorized-operations.js'
import { allowed } from './request-access.js'

const CONFIG_TOPIC = 2
const CONFIG_BROKER = 4
const CONFIG_BROKER_LOGGER = 8
const CONFIG_CLIENT_METRICS = 16
const CONFIG_GROUP = 32

/** The error code when the requester may not do `operation` on this config resource, else null. */
export function configRefusal (ctx: RequestContext, resourceType: number, resourceName: string, operation: number): number | null {
  if (resourceType === CONFIG_TOPIC) return allowed(ctx, Acl.TOPIC, resourceName, operation) ? null : ErrorCode.TOPIC_AUTHORIZATION_FAILED
  if (resourceType === CONFIG_GROUP) return allowed(ctx, Acl.GROUP, resourceName, operation) ? null : ErrorCode.GROUP_AUTHORIZATION_FAILED
  if (resourceType === CONFIG_BROKER || resourceType === CONFIG_BROKER_LOGGER || resourceType === CONFIG_CLIENT_METRICS) {
    return allowed(ctx, Acl.CLUSTER, CLUSTER_NAME, operation) ? null : ErrorCode.CLUSTER_AUTHORIZATION_FAILED
  }
  return null
}
