// InitProducerId (22): v0-5.
// Behaviour: without a transactional id every call gets a new producer id (unique across
// restarts, txn/producer-ids.ts) with epoch 0, as Kafka does when transactional_id is null (also
// for an epoch bump request, v3+). With one, the transaction coordinator (txn/) answers: the id's
// producer id with its epoch bumped, fencing any older producer of that id. The first one waits
// while __transaction_state is created and loaded (txn/start.ts).
// Versions: v2 flexible; v3 producer id/epoch for epoch bumps; v4 PRODUCER_FENCED (older versions
// get INVALID_PRODUCER_EPOCH); v5 same.
// Authorization: WRITE on the transactional id; without one, IDEMPOTENT_WRITE on the cluster or
// WRITE on some topic (CLUSTER_AUTHORIZATION_FAILED).
import { ErrorCode, initProducerIdApi, type InitProducerIdRequest, type InitProducerIdResponse } from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import { fencedForVersion } from '../txn/versions.js'
import { defineHandler } from './handler.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed, allowedAny } from '../security/authorizer/request-access.js'
import { CLUSTER_NAME } from '../security/authorizer/authorized-operations.js'
import { onTransactionalId, Op } from '../security/authorizer/requirements.js'

function failed (errorCode: number): InitProducerIdResponse {
  return { errorCode, producerId: -1n, producerEpoch: -1 }
}

async function handle (ctx: RequestContext, request: InitProducerIdRequest): Promise<InitProducerIdResponse> {
  if (request.transactionalId !== null && request.transactionalId !== undefined) {
    const txn = ctx.broker.txn
    if (txn === undefined) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    // The first transactional request creates and loads __transaction_state; answer after it.
    await txn.ready()
    const expected = (request.producerId ?? -1n) >= 0n ? { producerId: request.producerId ?? -1n, producerEpoch: request.producerEpoch ?? -1 } : null
    const result = await txn.initProducerId(request.transactionalId, request.transactionTimeoutMs, expected)
    return { ...result, errorCode: fencedForVersion(result.errorCode, ctx.apiVersion, 4) }
  }
  // Kafka: an idempotent producer needs IDEMPOTENT_WRITE on the cluster or WRITE on some topic.
  if (!allowed(ctx, ResourceType.CLUSTER, CLUSTER_NAME, AclOperation.IDEMPOTENT_WRITE) && !allowedAny(ctx, ResourceType.TOPIC, AclOperation.WRITE)) {
    return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
  }
  const producerId = await ctx.broker.producerIds.allocate()
  return { errorCode: ErrorCode.NONE, producerId: BigInt(producerId), producerEpoch: 0 }
}

export default defineHandler(initProducerIdApi, { min: 0, max: 5 }, handle, (_request, code) => failed(code), {
  requires: (r) => r.transactionalId === null || r.transactionalId === undefined ? [] : [onTransactionalId(r.transactionalId, Op.WRITE)]
})
