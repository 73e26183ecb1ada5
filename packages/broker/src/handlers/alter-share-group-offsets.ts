// AlterShareGroupOffsets (91): v0, KIP-932.
// Behaviour: share/admin.ts: resets share-partitions' start offsets of a group without members
// (NON_EMPTY_GROUP otherwise); their in-flight state starts afresh.
import { alterShareGroupOffsetsApi, type AlterShareGroupOffsetsRequest, type AlterShareGroupOffsetsResponse } from '@brook/protocol'
import { alterShareGroupOffsets } from '../share/admin.js'
import { shareOf } from '../share/request.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { onGroup, Op } from '../security/authorizer/requirements.js'

async function handle (ctx: RequestContext, request: AlterShareGroupOffsetsRequest): Promise<AlterShareGroupOffsetsResponse> {
  return { ...await alterShareGroupOffsets(shareOf(ctx), request) }
}

function errorResponse (_request: AlterShareGroupOffsetsRequest, code: number): AlterShareGroupOffsetsResponse {
  return { errorCode: code, errorMessage: null, responses: [] }
}

export default defineHandler(alterShareGroupOffsetsApi, { min: 0, max: 0 }, handle, errorResponse, { requires: (r) => [onGroup(r.groupId, Op.READ)] })
