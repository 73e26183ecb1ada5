// Reading a Fetch's partitions within its byte limits, as Kafka's ReplicaManager.readFromLog:
// partitions are read in request order; each read is capped by its partition_max_bytes and by
// what is left of the response's max_bytes; the first partition that has data returns at least
// one whole batch even when that batch is larger than both limits (so a consumer can always make
// progress). Reads stop at the high watermark (READ_UNCOMMITTED) or the last stable offset
// (READ_COMMITTED), both capped by a delivery.delay.ms topic's visibility bound. A fetch offset inside a batch returns that whole batch.
import { ErrorCode, batchLastOffset, batchSize } from '@brook/protocol'
import type { ReadResult } from '@brook/storage'
import type { Logger, Lease } from '@brook/common'
import { mapError } from '../errors.js'
import type { Partition } from './partition.js'
import { earlyAnswer } from './read-ahead.js'

export interface FetchTarget {
  /** undefined when the topic or partition does not exist: `errorCode` says why. */
  partition: Partition | undefined
  errorCode: number
  fetchOffset: number
  partitionMaxBytes: number
}

export interface FetchedPartition {
  errorCode: number
  highWatermark: number
  lastStableOffset: number
  logStartOffset: number
  records: Buffer[]
  bytes: number
  /** READ_COMMITTED: the aborted transactions overlapping the returned batches (else null). */
  abortedTransactions: Array<{ producerId: bigint, firstOffset: bigint }> | null
}

export interface FetchLimits {
  responseMaxBytes: number
  readCommitted: boolean
  /** The request's pooled buffers for bytes read from files (given back after the response). */
  lease?: () => Lease
}

const NOTHING = { highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: [], bytes: 0, abortedTransactions: null }

/** One past the last offset of the last whole batch in the chunks (the fetch's upper bound). */
function endOffsetOf (chunks: readonly Buffer[]): number {
  let end = -1
  for (const chunk of chunks) {
    for (let pos = 0; pos + 61 <= chunk.length; pos += batchSize(chunk, pos)) {
      if (pos + batchSize(chunk, pos) > chunk.length) break
      end = batchLastOffset(chunk, pos) + 1
    }
  }
  return end
}

async function readOne (target: FetchTarget, maxBytes: number, minOneBatch: boolean, limits: FetchLimits,
  logger: Logger): Promise<FetchedPartition> {
  const { partition } = target
  if (partition === undefined || target.errorCode !== ErrorCode.NONE) {
    return { errorCode: target.errorCode === ErrorCode.NONE ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : target.errorCode, ...NOTHING }
  }
  // Offsets first: the read must not return data past the high watermark it reports.
  // delivery.delay.ms: the bound is known once the log's tail was scanned (ordinary topics: no wait).
  if (partition.deliveryDelay !== null) await partition.deliveryDelay.ready
  const offsets = partition.consumerOffsets()
  const maxOffset = limits.readCommitted ? offsets.lastStableOffset : offsets.highWatermark
  const lease = limits.lease?.()
  try {
    let read: ReadResult | null = null
    const early = partition.readAhead.claim(target.fetchOffset, maxBytes, limits.readCommitted)
    if (early !== null) {
      const answer = earlyAnswer(await early.result, maxBytes, minOneBatch)
      if (answer === null || target.fetchOffset < partition.log.logStartOffset) {
        early.lease.release()
      } else if (answer.bytes > 0) {
        read = answer
        // Its buffers are now this response's: they come back once it is written.
        if (lease !== undefined) lease.adopt(early.lease)
      } else {
        // One batch over a limit this fetch keeps: nothing from this partition this time; the
        // read waits for a fetch where this partition comes first.
        read = answer
        if (!early.putBack()) early.lease.release()
      }
    }
    read ??= await partition.read(target.fetchOffset, {
      maxBytes,
      maxOffset,
      minOneBatch,
      ...(lease === undefined ? {} : { allocate: lease.allocate })
    })
    const end = read.bytes > 0 ? endOffsetOf(read.chunks) : -1
    if (lease !== undefined && read.bytes > 0) {
      partition.readAhead.answered(target.fetchOffset, end, maxOffset, maxBytes, limits.readCommitted, lease.spawn())
    }
    // READ_COMMITTED: the consumer drops records of these aborted transactions (Kafka's
    // collectAbortedTransactions over the fetched range).
    const aborted = limits.readCommitted && end > target.fetchOffset ? await partition.log.abortedTransactions(target.fetchOffset, end) : []
    return {
      errorCode: ErrorCode.NONE,
      highWatermark: offsets.highWatermark,
      lastStableOffset: offsets.lastStableOffset,
      logStartOffset: offsets.logStartOffset,
      records: read.chunks,
      bytes: read.bytes,
      abortedTransactions: limits.readCommitted ? aborted.map((t) => ({ producerId: t.producerId, firstOffset: BigInt(t.firstOffset) })) : null
    }
  } catch (err) {
    const { code } = mapError(err, logger, { topic: partition.topic, partition: partition.index })
    return { errorCode: code, ...NOTHING }
  }
}

export async function readPartitions (targets: readonly FetchTarget[], limits: FetchLimits,
  logger: Logger): Promise<{ results: FetchedPartition[], bytes: number }> {
  const results: FetchedPartition[] = []
  let bytes = 0
  for (const target of targets) {
    const left = Math.max(0, limits.responseMaxBytes - bytes)
    const result = await readOne(target, Math.min(target.partitionMaxBytes, left), bytes === 0, limits, logger)
    bytes += result.bytes
    results.push(result)
  }
  return { results, bytes }
}

/** High watermarks of the targets, to notice an append that raced with a read. */
export function watermarks (targets: readonly FetchTarget[]): number[] {
  return targets.map((t) => t.partition?.consumerHighWatermark() ?? -1)
}
