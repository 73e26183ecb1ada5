// The authorized-operations bit sets of Metadata, DescribeCluster, DescribeTopicPartitions,
// DescribeGroups and ConsumerGroupDescribe (KIP-430): bit 1 << code for each operation the
// resource type supports that the requester may perform. Without an authorizer every supported
// operation is set.
import { AclOperation as Op, ResourceType } from '@brook/metadata'
import type { RequestContext } from '../../server/request-context.js'
import { allowedEach } from './request-access.js'

/** What the response carries when the client did not ask (Kafka: Integer.MIN_VALUE). */
export const OPERATIONS_NOT_REQUESTED = -2147483648

/** Kafka's supported operations per resource type (AclEntry.supportedOperations). */
const SUPPORTED: ReadonlyMap<number, readonly number[]> = new Map([
  [ResourceType.TOPIC, [Op.READ, Op.WRITE, Op.CREATE, Op.DESCRIBE, Op.DELETE, Op.ALTER, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS]],
  [ResourceType.GROUP, [Op.READ, Op.DESCRIBE, Op.DELETE]],
  [ResourceType.CLUSTER, [Op.CREATE, Op.CLUSTER_ACTION, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS, Op.IDEMPOTENT_WRITE, Op.ALTER, Op.DESCRIBE]],
  [ResourceType.TRANSACTIONAL_ID, [Op.DESCRIBE, Op.WRITE]]
])

export const CLUSTER_NAME = 'kafka-cluster'

/** The bit set of operations the requester may perform on this resource. */
export function authorizedOperations (ctx: RequestContext, resourceType: number, resourceName: string): number {
  const ops = SUPPORTED.get(resourceType) ?? []
  const answers = allowedEach(ctx, ops.map((operation) => ({ resourceType, resourceName, operation })))
  return ops.reduce((bits, op, i) => answers[i] === true ? bits | (1 << op) : bits, 0)
}

/** The field's value: the bit set when asked, else OPERATIONS_NOT_REQUESTED. */
export function operationsIfAsked (ctx: RequestContext, asked: boolean | undefined, resourceType: number, resourceName: string): number {
  return asked === true ? authorizedOperations(ctx, resourceType, resourceName) : OPERATIONS_NOT_REQUESTED
}
