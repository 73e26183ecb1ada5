// The leader's side of a follower's Fetch (replica id >= 0): only the leader answers, at the
// follower's leader epoch (older: FENCED_LEADER_EPOCH, newer: UNKNOWN_LEADER_EPOCH); the fetch
// offset is the follower's log end offset, recorded before reading (it may move the high
// watermark and let the follower join the ISR); reads go up to the log end, not the high
// watermark. With nothing to send, the fetch waits up to max_wait_ms for an append.
// Leader-side throttle (replication-quota.ts): a follower outside the ISR of a partition whose
// topic lists this leader's replica in leader.replication.throttled.replicas gets no records
// while leader.replication.throttled.rate is used up; what it gets counts against the rate.
import { ErrorCode, type FetchRequest, type FetchResponse, type FetchResponsePartitionData } from '@brook/protocol'
import type { Logger } from '@brook/common'
import { mapError } from '../errors.js'
import type { Partition } from '../partition/partition.js'
import type { RequestContext } from '../server/request-context.js'
import { replicationQuotas, throttledReplica } from './replication-quota.js'

interface Target {
  topic: string | undefined
  topicId: string | undefined
  index: number
  partition: Partition | undefined
  errorCode: number
  fetchOffset: number
  maxBytes: number
  /** Counted against the leader's replication throttle. */
  throttled: boolean
}

function epochError (partition: Partition, current: number | undefined): number {
  if (current === undefined || current < 0) return ErrorCode.NONE
  if (current < partition.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH
  if (current > partition.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH
  return ErrorCode.NONE
}

function failedData (index: number, errorCode: number): FetchResponsePartitionData {
  return { partitionIndex: index, errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, abortedTransactions: null, preferredReadReplica: -1, records: null }
}

async function readTarget (t: Target, logger: Logger, holdBack: boolean): Promise<{ data: FetchResponsePartitionData, bytes: number }> {
  const partition = t.partition
  if (partition === undefined || t.errorCode !== ErrorCode.NONE) return { data: failedData(t.index, t.errorCode), bytes: 0 }
  const log = partition.log
  try {
    if (t.fetchOffset < log.logStartOffset || t.fetchOffset > log.logEndOffset) return { data: failedData(t.index, ErrorCode.OFFSET_OUT_OF_RANGE), bytes: 0 }
    const read = t.fetchOffset === log.logEndOffset || (t.throttled && holdBack)
      ? { chunks: [], bytes: 0 }
      : await log.read(t.fetchOffset, { maxBytes: t.maxBytes, maxOffset: log.logEndOffset, minOneBatch: true })
    return {
      data: {
        partitionIndex: t.index,
        errorCode: ErrorCode.NONE,
        highWatermark: BigInt(log.highWatermark),
        lastStableOffset: BigInt(log.lastStableOffset),
        logStartOffset: BigInt(log.logStartOffset),
        abortedTransactions: null,
        preferredReadReplica: -1,
        records: read.chunks
      },
      bytes: read.bytes
    }
  } catch (err) {
    const { code } = mapError(err, logger, { topic: partition.topic, partition: partition.index })
    return { data: failedData(t.index, code), bytes: 0 }
  }
}

export async function followerFetch (ctx: RequestContext, request: FetchRequest, replicaId: number): Promise<FetchResponse> {
  const { replicas } = ctx.broker
  const byId = ctx.apiVersion >= 13
  const now = Date.now()
  const targets: Target[] = []
  for (const topic of request.topics) {
    const state = byId ? replicas.topicById(topic.topicId ?? '') : replicas.topic(topic.topic ?? '')
    for (const p of topic.partitions) {
      const partition = state?.partitions[p.partition]
      let errorCode: number = ErrorCode.NONE
      if (state === undefined) errorCode = byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      else if (partition === undefined || !partition.replicated || !partition.isLeader) errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER
      else errorCode = epochError(partition, p.currentLeaderEpoch)
      const fetchOffset = Number(p.fetchOffset)
      if (errorCode === ErrorCode.NONE) partition?.replication?.recordFetch(replicaId, fetchOffset, now)
      const throttled = errorCode === ErrorCode.NONE && partition?.replication?.isr.includes(replicaId) === false &&
        throttledReplica(state?.info.configs['leader.replication.throttled.replicas'], p.partition, ctx.broker.nodeId)
      targets.push({ topic: topic.topic, topicId: topic.topicId, index: p.partition, partition, errorCode, fetchOffset, maxBytes: Math.max(0, p.partitionMaxBytes), throttled })
    }
  }
  const quota = replicationQuotas(ctx.broker.config).leader
  const read = async (): Promise<Array<{ data: FetchResponsePartitionData, bytes: number }>> => {
    const holdBack = quota.exceeded()
    const out = await Promise.all(targets.map(async (t) => await readTarget(t, ctx.logger, holdBack)))
    quota.record(out.reduce((sum, r, j) => sum + (targets[j]?.throttled === true ? r.bytes : 0), 0))
    return out
  }
  let results = await read()
  const total = (): number => results.reduce((sum, r) => sum + r.bytes, 0)
  const errored = results.some((r) => r.data.errorCode !== ErrorCode.NONE)
  if (total() < request.minBytes && !errored && request.maxWaitMs > 0 && !ctx.broker.stopping) {
    const keys = targets.flatMap((t) => t.partition === undefined ? [] : [t.partition.key])
    // An append that completed since the read would not wake the wait: re-check the log ends.
    const grew = targets.some((t) => t.partition !== undefined && t.partition.log.logEndOffset > t.fetchOffset)
    if (!grew) await ctx.broker.fetchPurgatory.wait(keys, request.maxWaitMs)
    results = await read()
  }
  const responses: FetchResponse['responses'] = []
  let i = 0
  for (const topic of request.topics) {
    responses.push({
      topic: topic.topic,
      topicId: topic.topicId,
      partitions: topic.partitions.map(() => (results[i++] as { data: FetchResponsePartitionData }).data)
    })
  }
  return { errorCode: ErrorCode.NONE, sessionId: 0, responses }
}
