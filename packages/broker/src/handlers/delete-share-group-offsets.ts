// DeleteShareGroupOffsets (92): v0, KIP-932.
// Behaviour: share/admin.ts: forgets a group's share-partition state for whole topics (the group
// must have no members: NON_EMPTY_GROUP otherwise).
import { deleteShareGroupOffsetsApi, type DeleteShareGroupOffsetsRequest, type DeleteShareGroupOffsetsResponse } from '@brook/protocol'
import { deleteShareGroupOffsets } from '../share/admin.js'
import { shareOf } from '../share/request.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { onGroup, Op } from '../security/authorizer/requirements.js'

async function handle (ctx: RequestContext, request: DeleteShareGroupOffsetsRequest): Promise<DeleteShareGroupOffsetsResponse> {
  return { ...await deleteShareGroupOffsets(shareOf(ctx), request) }
}

function errorResponse (_request: DeleteShareGroupOffsetsRequest, code: number): DeleteShareGroupOffsetsResponse {
  return { errorCode: code, errorMessage: null, responses: [] }
}

export default defineHandler(deleteShareGroupOffsetsApi, { min: 0, max: 0 }, handle, errorResponse, { requires: (r) => [onGroup(r.groupId, Op.READ)] })
