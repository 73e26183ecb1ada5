// FindCoordinator (10): v0-4.
// Behaviour: this single broker coordinates every group and every transactional id, so the
// answer is always this node's advertised address. The first group lookup creates and loads
// __consumer_offsets (as Kafka) before answering, the first transaction lookup
// __transaction_state. Key types other than GROUP (0) and TRANSACTION (1) get INVALID_REQUEST.
// Asking for a group coordinator before the group coordinator has started gets
// COORDINATOR_NOT_AVAILABLE (clients retry).
// Cluster mode: the coordinator of a key is the leader of its partition of the coordinator's topic
// (created in the cluster on the first lookup); COORDINATOR_NOT_AVAILABLE while it has no leader.
// Versions: v1 key type, error message; v3 flexible; v4 batched keys (coordinator_keys ->
// coordinators[], one entry per key, the top-level fields unused).
import {
  ErrorCode, findCoordinatorApi, type FindCoordinatorRequest, type FindCoordinatorResponse, type FindCoordinatorResponseCoordinator
} from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import { coordinatorLeader } from '../cluster/coordinator-location.js'
import { OFFSETS_TOPIC } from '../group/config.js'
import { TXN_TOPIC } from '../txn/config.js'
import { defineHandler } from './handler.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'

const GROUP = 0
const TRANSACTION = 1

function coordinatorFor (ctx: RequestContext, key: string, keyType: number): FindCoordinatorResponseCoordinator {
  const { nodeId, advertised } = ctx.broker
  let errorCode: number = ErrorCode.NONE
  if (keyType !== GROUP && keyType !== TRANSACTION) errorCode = ErrorCode.INVALID_REQUEST
  else if (keyType === GROUP && !allowed(ctx, ResourceType.GROUP, key, AclOperation.DESCRIBE)) errorCode = ErrorCode.GROUP_AUTHORIZATION_FAILED
  else if (keyType === TRANSACTION && !allowed(ctx, ResourceType.TRANSACTIONAL_ID, key, AclOperation.DESCRIBE)) errorCode = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
  else if (keyType === GROUP && ctx.broker.groups === undefined) errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE
  if (errorCode !== ErrorCode.NONE) return { key, nodeId: -1, host: '', port: -1, errorCode, errorMessage: null }
  if (ctx.broker.cluster !== undefined) {
    const runtime = keyType === GROUP ? ctx.broker.groups?.runtime : ctx.broker.txn?.runtime
    const leader = runtime === undefined ? null : coordinatorLeader(ctx, keyType === GROUP ? OFFSETS_TOPIC : TXN_TOPIC, runtime.partitionFor(key))
    if (leader === null) return { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null }
    return { key, ...leader, errorCode, errorMessage: null }
  }
  return { key, nodeId, host: advertised.host, port: advertised.port, errorCode, errorMessage: null }
}

async function handle (ctx: RequestContext, request: FindCoordinatorRequest): Promise<FindCoordinatorResponse> {
  const keyType = request.keyType ?? GROUP
  // As Kafka, the first lookup creates __consumer_offsets or __transaction_state; the answer
  // waits for the load.
  if (keyType === GROUP) await ctx.broker.groups?.ready()
  else if (keyType === TRANSACTION) await ctx.broker.txn?.ready()
  if (ctx.apiVersion >= 4) {
    return { coordinators: (request.coordinatorKeys ?? []).map((key) => coordinatorFor(ctx, key, keyType)) }
  }
  const c = coordinatorFor(ctx, request.key ?? '', keyType)
  return { errorCode: c.errorCode, errorMessage: null, nodeId: c.nodeId, host: c.host, port: c.port }
}

function errorResponse (request: FindCoordinatorRequest, code: number, ctx: RequestContext): FindCoordinatorResponse {
  if (ctx.apiVersion >= 4) {
    return {
      coordinators: (request.coordinatorKeys ?? []).map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode: code, errorMessage: null }))
    }
  }
  return { errorCode: code, errorMessage: null, nodeId: -1, host: '', port: -1 }
}

export default defineHandler(findCoordinatorApi, { min: 0, max: 4 }, handle, errorResponse)
