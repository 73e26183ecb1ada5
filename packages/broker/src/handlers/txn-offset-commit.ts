// TxnOffsetCommit (28): v0-5.
// Behaviour: the group coordinator appends the offsets to the group's `__consumer_offsets`
// partition as the producer's transactional batch and keeps them pending; they become the group's
// committed offsets when the transaction's COMMIT marker reaches that partition, and are dropped on
// ABORT (txn/group-offsets.ts, group/offsets.ts). Without a group coordinator every partition gets
// COORDINATOR_NOT_AVAILABLE.
// Versions: v1 same as v0; v2 committed leader epoch; v3 group membership fields (generation,
// member id, instance id: KIP-447) and flexible; v4 (KIP-890) only lets the coordinator answer
// TRANSACTION_ABORTABLE, which Brook has no cause to;
// v5 transaction protocol v2: the group's `__consumer_offsets` partition joins the transaction
// here, without AddOffsetsToTxn.
import {
  ErrorCode, type TxnOffsetCommitRequest, type TxnOffsetCommitResponse, type TxnOffsetCommitResponseTopic, txnOffsetCommitApi
} from '@brook/protocol'
import { errorCodeOf } from '../errors.js'
import type { RequestContext } from '../server/request-context.js'
import { OFFSETS_TOPIC } from '../group/config.js'
import { addToTransaction } from '../txn/implicit-add.js'
import { fencedForVersion } from '../txn/versions.js'
import { defineHandler } from './handler.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'
import { onGroup, onTransactionalId, Op } from '../security/authorizer/requirements.js'

function sameError (request: TxnOffsetCommitRequest, code: number): TxnOffsetCommitResponseTopic[] {
  return request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })) }))
}

async function handle (ctx: RequestContext, request: TxnOffsetCommitRequest): Promise<TxnOffsetCommitResponse> {
  const offsets = ctx.broker.txn?.offsets
  if (offsets === undefined) return { topics: sameError(request, ErrorCode.COORDINATOR_NOT_AVAILABLE) }
  if (ctx.apiVersion >= 5) {
    const groups = ctx.broker.groups
    const joined = groups === undefined
      ? ErrorCode.COORDINATOR_NOT_AVAILABLE
      : await addToTransaction(ctx, request.transactionalId, request.producerId, request.producerEpoch,
        [{ topic: OFFSETS_TOPIC, partition: groups.runtime.partitionFor(request.groupId) }])
    if (joined !== ErrorCode.NONE) return { topics: sameError(request, joined) }
  }
  // Kafka: READ on each topic; the refused ones answer TOPIC_AUTHORIZATION_FAILED, the rest commit.
  const readable = request.topics.filter((t) => allowed(ctx, ResourceType.TOPIC, t.name, AclOperation.READ))
  const refused = sameError({ ...request, topics: request.topics.filter((t) => !readable.includes(t)) }, ErrorCode.TOPIC_AUTHORIZATION_FAILED)
  let topics: TxnOffsetCommitResponseTopic[]
  try {
    topics = readable.length === 0 ? [] : await offsets.commitTransactionalOffsets({ ...request, topics: readable }, ctx.apiVersion)
  } catch (err) {
    topics = sameError({ ...request, topics: readable }, errorCodeOf(err, ctx.logger, { groupId: request.groupId }))
  }
  topics = [...topics, ...refused]
  return {
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: fencedForVersion(p.errorCode, ctx.apiVersion, 3) }))
    }))
  }
}

export default defineHandler(txnOffsetCommitApi, { min: 0, max: 5 }, handle, (request, code) => ({ topics: sameError(request, code) }), { requires: (r) => [onTransactionalId(r.transactionalId, Op.WRITE), onGroup(r.groupId, Op.READ)] })
