// AddOffsetsToTxn (25): v0-3.
// Behaviour: adds the group's `__consumer_offsets` partition to the transaction, so that the
// transaction's marker reaches the group's pending offsets (TxnOffsetCommit); answered like
// AddPartitionsToTxn for that one partition.
// Versions: v1 same as v0; v2 PRODUCER_FENCED (older versions get INVALID_PRODUCER_EPOCH); v3
// flexible. v4 (transaction protocol v2) is not served.
import { type AddOffsetsToTxnRequest, type AddOffsetsToTxnResponse, ErrorCode, addOffsetsToTxnApi } from '@brook/protocol'
import { OFFSETS_TOPIC } from '../group/config.js'
import type { RequestContext } from '../server/request-context.js'
import { fencedForVersion } from '../txn/versions.js'
import { defineHandler } from './handler.js'
import { onGroup, onTransactionalId, Op } from '../security/authorizer/requirements.js'

async function handle (ctx: RequestContext, request: AddOffsetsToTxnRequest): Promise<AddOffsetsToTxnResponse> {
  const txn = ctx.broker.txn
  const groups = ctx.broker.groups
  if (txn === undefined || groups === undefined) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
  const partition = groups.runtime.partitionFor(request.groupId)
  const code = await txn.addPartitions(request.transactionalId, request.producerId, request.producerEpoch, [{ topic: OFFSETS_TOPIC, partition }])
  return { errorCode: fencedForVersion(code, ctx.apiVersion, 2) }
}

export default defineHandler(addOffsetsToTxnApi, { min: 0, max: 3 }, handle, (_request, code) => ({ errorCode: code }), { requires: (r) => [onTransactionalId(r.transactionalId, Op.WRITE), onGroup(r.groupId, Op.READ)] })
