// DescribeTransactions (65): v0.
// Behaviour: each transactional id's state as the coordinator holds it: state name, producer id
// and epoch, timeout, start time and partitions. Unknown ids get TRANSACTIONAL_ID_NOT_FOUND, ""
// INVALID_REQUEST, a partition still loading COORDINATOR_LOAD_IN_PROGRESS.
// Versions: v0 flexible.
import { type DescribeTransactionsRequest, type DescribeTransactionsResponse, ErrorCode, describeTransactionsApi } from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'

function failed (transactionalId: string, errorCode: number): DescribeTransactionsResponse['transactionStates'][number] {
  return { errorCode, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [] }
}

function handle (ctx: RequestContext, request: DescribeTransactionsRequest): DescribeTransactionsResponse {
  const txn = ctx.broker.txn
  return {
    transactionStates: request.transactionalIds.map((id) => !allowed(ctx, ResourceType.TRANSACTIONAL_ID, id, AclOperation.DESCRIBE)
      ? failed(id, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
      : txn === undefined ? failed(id, ErrorCode.COORDINATOR_NOT_AVAILABLE) : txn.describe(id))
  }
}

export default defineHandler(describeTransactionsApi, { min: 0, max: 0 }, handle, (request, code) => ({
  transactionStates: request.transactionalIds.map((id) => failed(id, code))
}))
