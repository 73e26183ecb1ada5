// Builders for the whole-request requirements handlers declare (Handler.requires), each with the
// error code Kafka answers when it is refused.
import { ErrorCode } from '@brook/protocol'
import { AclOperation, ResourceType } from '@brook/metadata'
import type { Requirement } from './request-access.js'
import { CLUSTER_NAME } from './authorized-operations.js'

export { AclOperation as Op }

export function onCluster (operation: number): Requirement {
  return { resourceType: ResourceType.CLUSTER, resourceName: CLUSTER_NAME, operation, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED }
}

export function onGroup (groupId: string, operation: number): Requirement {
  return { resourceType: ResourceType.GROUP, resourceName: groupId, operation, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }
}

export function onTransactionalId (transactionalId: string, operation: number): Requirement {
  return { resourceType: ResourceType.TRANSACTIONAL_ID, resourceName: transactionalId, operation, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED }
}
