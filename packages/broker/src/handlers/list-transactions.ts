// ListTransactions (66): v0-2.
// Behaviour: the transactional ids this coordinator holds, filtered by state names (unknown names
// are echoed in unknownStateFilters), producer ids and, from v1, a minimum running time in ms.
// From v2 a transactional id pattern (KIP-1152) keeps only the ids it matches whole; a pattern
// that is not a valid RE2 regular expression answers INVALID_REGULAR_EXPRESSION.
// Versions: v0 flexible; v1 durationFilter; v2 transactionalIdPattern.
import { ErrorCode, type ListTransactionsRequest, type ListTransactionsResponse, listTransactionsApi } from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'
import { compileWholeNameRegex, InvalidRegexError, type NameMatcher } from '../regex/whole-name.js'

/** null: no filter (null or empty pattern); undefined: not a valid regular expression. */
function idPattern (source: string | null): NameMatcher | null | undefined {
  if (source === null || source === '') return null
  try {
    return compileWholeNameRegex(source)
  } catch (err) {
    // An invalid pattern is the client's mistake, answered with an error code, not logged.
    if (err instanceof InvalidRegexError) return undefined
    throw err
  }
}

function handle (ctx: RequestContext, request: ListTransactionsRequest): ListTransactionsResponse {
  const txn = ctx.broker.txn
  if (txn === undefined) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, unknownStateFilters: [], transactionStates: [] }
  const pattern = idPattern(request.transactionalIdPattern ?? null)
  if (pattern === undefined) return { errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, unknownStateFilters: [], transactionStates: [] }
  const listed = txn.list(request.stateFilters, request.producerIdFilters, Number(request.durationFilter ?? -1n), pattern)
  // Kafka lists only the transactional ids the principal may describe.
  return { ...listed, transactionStates: listed.transactionStates.filter((t) => allowed(ctx, ResourceType.TRANSACTIONAL_ID, t.transactionalId, AclOperation.DESCRIBE)) }
}

export default defineHandler(listTransactionsApi, { min: 0, max: 2 }, handle, (_request, code) => ({
  errorCode: code, unknownStateFilters: [], transactionStates: []
}))
