// ShareAcknowledge (79): v1-2, KIP-932.
// Behaviour: share/fetch.ts: acknowledgements in an open share session (epoch checked and
// incremented; -1 closes it and returns what the member still holds).
// Versions: v2 IsRenewAck and AcquisitionLockTimeoutMs.
import { shareAcknowledgeApi, type ShareAcknowledgeRequest, type ShareAcknowledgeResponse } from '@brook/protocol'
import { shareAcknowledge } from '../share/fetch.js'
import { shareOf } from '../share/request.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { DENIED, NO_LEADER, splitReadable } from '../share/authorize.js'
import { onGroup, Op } from '../security/authorizer/requirements.js'

async function handle (ctx: RequestContext, request: ShareAcknowledgeRequest): Promise<ShareAcknowledgeResponse> {
  const share = shareOf(ctx)
  const { readable, denied } = splitReadable(ctx, share, request.topics)
  const answer = await shareAcknowledge(share, { ...request, topics: readable }, ctx.broker.nodeId)
  const refused = denied.map((t) => ({ topicId: t.topicId, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, ...DENIED, currentLeader: NO_LEADER })) }))
  return { ...answer, responses: [...answer.responses, ...refused] }
}

function errorResponse (_request: ShareAcknowledgeRequest, code: number): ShareAcknowledgeResponse {
  return { errorCode: code, errorMessage: null, acquisitionLockTimeoutMs: 0, responses: [], nodeEndpoints: [] }
}

export default defineHandler(shareAcknowledgeApi, { min: 1, max: 2 }, handle, errorResponse, { requires: (r) => [onGroup(r.groupId ?? '', Op.READ)] })
