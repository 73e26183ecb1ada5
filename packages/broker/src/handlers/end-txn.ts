// EndTxn (26): v0-4.
// Behaviour: commits or aborts the open transaction: PrepareCommit/PrepareAbort is made durable,
// the markers are written to every partition of the transaction, then the transaction completes.
// Brook answers once the markers are written (Kafka answers after the Prepare record), so what
// was committed is visible to read_committed consumers as soon as the producer hears back.
// Versions: v1 same as v0; v2 PRODUCER_FENCED (older versions get INVALID_PRODUCER_EPOCH); v3
// flexible. v5 (transaction protocol v2, epoch bump per transaction) is not served.
import { type EndTxnRequest, type EndTxnResponse, ErrorCode, endTxnApi } from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import { fencedForVersion } from '../txn/versions.js'
import { defineHandler } from './handler.js'
import { onTransactionalId, Op } from '../security/authorizer/requirements.js'

async function handle (ctx: RequestContext, request: EndTxnRequest): Promise<EndTxnResponse> {
  const txn = ctx.broker.txn
  if (txn === undefined) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
  const code = await txn.endTxn(request.transactionalId, request.producerId, request.producerEpoch, request.committed)
  return { errorCode: fencedForVersion(code, ctx.apiVersion, 2) }
}

export default defineHandler(endTxnApi, { min: 0, max: 4 }, handle, (_request, code) => ({ errorCode: code }), { requires: (r) => [onTransactionalId(r.transactionalId, Op.WRITE)] })
