// WriteTxnMarkers (27): v0-2.
// Behaviour: the inter-broker API a transaction coordinator uses to have partition leaders write
// COMMIT/ABORT markers. Brook's own coordinator writes its markers directly; this serves the
// request for tools and other coordinators through the same marker writer: each partition gets
// its control batch (or, for `__consumer_offsets`, the group coordinator applies it to its pending
// transactional offsets). Unknown partitions get UNKNOWN_TOPIC_OR_PARTITION; a marker older than
// the partition's producer state gets INVALID_PRODUCER_EPOCH or TRANSACTION_COORDINATOR_FENCED.
// A marker of transaction version 2 (WriteTxnMarkers v2, KIP-1228) comes with the epoch the
// coordinator bumped when the transaction ended, so it must be above the producer's epoch on the
// partition: an equal one is a late marker of an earlier transaction, INVALID_PRODUCER_EPOCH.
// Versions: v1 flexible; v2 transaction version.
import {
  ErrorCode, type WriteTxnMarkersRequest, type WriteTxnMarkersRequestWritableTxnMarker, type WriteTxnMarkersResponse,
  type WriteTxnMarkersResponseWritableTxnMarkerResult, writeTxnMarkersApi
} from '@brook/protocol'
import { OFFSETS_TOPIC } from '../group/config.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { onCluster, Op } from '../security/authorizer/requirements.js'

function sameError (marker: WriteTxnMarkersRequestWritableTxnMarker, code: number): WriteTxnMarkersResponseWritableTxnMarkerResult {
  return {
    producerId: marker.producerId,
    topics: marker.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: code })) }))
  }
}

/** Transaction version 2: the marker's epoch must be above the producer's epoch on the partition. */
function staleForVersion2 (ctx: RequestContext, marker: WriteTxnMarkersRequestWritableTxnMarker, topic: string, index: number): boolean {
  if (ctx.apiVersion < 2 || (marker.transactionVersion ?? 0) < 2 || topic === OFFSETS_TOPIC) return false
  const producer = ctx.broker.replicas.partition(topic, index)?.log.activeProducers().find((p) => p.producerId === marker.producerId)
  return producer !== undefined && marker.producerEpoch <= producer.producerEpoch
}

async function writeMarker (ctx: RequestContext, marker: WriteTxnMarkersRequestWritableTxnMarker): Promise<WriteTxnMarkersResponseWritableTxnMarkerResult> {
  const txn = ctx.broker.txn
  if (txn === undefined) return sameError(marker, ErrorCode.COORDINATOR_NOT_AVAILABLE)
  const written = { producerId: marker.producerId, producerEpoch: marker.producerEpoch, commit: marker.transactionResult, coordinatorEpoch: marker.coordinatorEpoch }
  return {
    producerId: marker.producerId,
    topics: await Promise.all(marker.topics.map(async (t) => ({
      name: t.name,
      partitions: await Promise.all(t.partitionIndexes.map(async (partitionIndex) => ({
        partitionIndex,
        errorCode: staleForVersion2(ctx, marker, t.name, partitionIndex)
          ? ErrorCode.INVALID_PRODUCER_EPOCH
          : await txn.markers.write({ topic: t.name, partition: partitionIndex }, written)
      })))
    })))
  }
}

async function handle (ctx: RequestContext, request: WriteTxnMarkersRequest): Promise<WriteTxnMarkersResponse> {
  return { markers: await Promise.all(request.markers.map(async (m) => await writeMarker(ctx, m))) }
}

export default defineHandler(writeTxnMarkersApi, { min: 0, max: 2 }, handle, (request, code) => ({ markers: request.markers.map((m) => sameError(m, code)) }), { requires: () => [onCluster(Op.CLUSTER_ACTION)] })
