// ListTransactions (66): v0-1.
// Behaviour: the transactional ids this coordinator holds, filtered by state names (unknown names
// are echoed in unknownStateFilters), producer ids and, from v1, a minimum running time in ms.
// Versions: v0 flexible; v1 durationFilter.
import { ErrorCode, type ListTransactionsRequest, type ListTransactionsResponse, listTransactionsApi } from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

function handle (ctx: RequestContext, request: ListTransactionsRequest): ListTransactionsResponse {
  const txn = ctx.broker.txn
  if (txn === undefined) return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, unknownStateFilters: [], transactionStates: [] }
  return { throttleTimeMs: 0, ...txn.list(request.stateFilters, request.producerIdFilters, Number(request.durationFilter ?? -1n)) }
}

export default defineHandler(listTransactionsApi, { min: 0, max: 1 }, handle, (_request, code) => ({
  throttleTimeMs: 0, errorCode: code, unknownStateFilters: [], transactionStates: []
}))
