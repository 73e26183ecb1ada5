// InitProducerId (22): v0-5, non-transactional producers only.
// Behaviour: every call gets a new producer id (unique across restarts, txn/producer-ids.ts) with
// epoch 0, as Kafka does when transactional_id is null (also for an epoch bump request, v3+).
// A transactional id is refused with INVALID_REQUEST until the transaction coordinator exists.
// Versions: v2 flexible; v3 producer id/epoch for epoch bumps; v4 PRODUCER_FENCED; v5 same.
import { ErrorCode, initProducerIdApi, type InitProducerIdRequest, type InitProducerIdResponse } from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

function failed (errorCode: number): InitProducerIdResponse {
  return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 }
}

async function handle (ctx: RequestContext, request: InitProducerIdRequest): Promise<InitProducerIdResponse> {
  if (request.transactionalId !== null && request.transactionalId !== undefined) {
    ctx.logger.warn({ transactionalId: request.transactionalId }, 'transactional producers are not supported yet')
    return failed(ErrorCode.INVALID_REQUEST)
  }
  const producerId = await ctx.broker.producerIds.allocate()
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: BigInt(producerId), producerEpoch: 0 }
}

export default defineHandler(initProducerIdApi, { min: 0, max: 5 }, handle, (_request, code) => failed(code))
