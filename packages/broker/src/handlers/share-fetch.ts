// ShareFetch (78): v1-2, KIP-932.
// Behaviour: share/fetch.ts: share sessions, piggy-backed acknowledgements, acquisition of records
// with their delivery counts, long poll up to MaxWaitMs.
// Versions: v1 MaxRecords, BatchSize, AcquisitionLockTimeoutMs; v2 ShareAcquireMode (batch
// optimized only) and IsRenewAck (RENEW acknowledgements; such a request acquires nothing).
import { shareFetchApi, type ShareFetchRequest, type ShareFetchResponse } from '@brook/protocol'
import { shareFetch } from '../share/fetch.js'
import { shareOf } from '../share/request.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { DENIED, NO_LEADER, splitReadable } from '../share/authorize.js'
import { onGroup, Op } from '../security/authorizer/requirements.js'

async function handle (ctx: RequestContext, request: ShareFetchRequest): Promise<ShareFetchResponse> {
  const share = shareOf(ctx)
  const { readable, denied } = splitReadable(ctx, share, request.topics)
  const answer = await shareFetch(share, { ...request, topics: readable }, ctx.broker.nodeId, () => ctx.broker.stopping)
  const refused = denied.map((t) => ({
    topicId: t.topicId,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, ...DENIED, acknowledgeErrorCode: 0, acknowledgeErrorMessage: null, currentLeader: NO_LEADER, records: null, acquiredRecords: [] }))
  }))
  return { ...answer, responses: [...answer.responses, ...refused] }
}

function errorResponse (_request: ShareFetchRequest, code: number): ShareFetchResponse {
  return { errorCode: code, errorMessage: null, acquisitionLockTimeoutMs: 0, responses: [], nodeEndpoints: [] }
}

export default defineHandler(shareFetchApi, { min: 1, max: 2 }, handle, errorResponse, { requires: (r) => [onGroup(r.groupId ?? '', Op.READ)] })
