// Transaction protocol v2 (KIP-890): from Produce v12 and TxnOffsetCommit v5 a producer no longer
// sends AddPartitionsToTxn / AddOffsetsToTxn; the broker receiving its transactional writes adds the
// partitions to the open transaction itself, through the coordinator, before writing.
import { ErrorCode } from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import type { TopicPartition } from './metadata.js'

// A coordinator that is moving or busy is a reason to retry; older producers may not retry these
// codes on a produce, so Kafka answers NOT_ENOUGH_REPLICAS, which they do retry.
const RETRY_AS_NOT_ENOUGH_REPLICAS = new Set<number>([
  ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.NETWORK_EXCEPTION, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR
])

/**
 * Adds `partitions` to the producer's open transaction (starting one if none is open). Resolves
 * with NONE, or the error every one of these partitions answers.
 */
export async function addToTransaction (ctx: RequestContext, transactionalId: string, producerId: bigint, producerEpoch: number,
  partitions: readonly TopicPartition[]): Promise<number> {
  if (partitions.length === 0) return ErrorCode.NONE
  const txn = ctx.broker.txn
  if (txn === undefined) return ErrorCode.COORDINATOR_NOT_AVAILABLE
  return await txn.addPartitions(transactionalId, producerId, producerEpoch, partitions)
}

/** What a produce answers for a failed implicit add (Kafka's translation for produce). */
export function produceAddError (code: number): number {
  return RETRY_AS_NOT_ENOUGH_REPLICAS.has(code) ? ErrorCode.NOT_ENOUGH_REPLICAS : code
}
