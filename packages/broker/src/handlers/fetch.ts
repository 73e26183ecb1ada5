// Fetch (1): v4-18.
// Behaviour: fetch sessions (KIP-227, fetch-session/): a full fetch at epoch 0 opens a session,
// incremental fetches name only changed partitions and get back only partitions with news;
// session errors answer the whole fetch. When fewer than min_bytes are ready the
// fetch waits up to max_wait_ms and is woken by appends to its partitions
// (purgatory/delayed-fetch.ts). Limits, minimum-one-batch and watermarks: partition/fetch-reader.ts.
// Offsets outside [log start, log end] get OFFSET_OUT_OF_RANGE (with -1 watermarks, as Kafka).
// Versions: v4 isolation level, LSO, aborted transactions; v5 log start offset; v7 sessions;
// v9 current leader epoch; v11 rack / preferred replica; v12 flexible, diverging epoch;
// v13 topic ids instead of names; v15 replica state; v17 replica directory id and v18 replica high
// watermark (KIP-853, KIP-1166: tagged fields of follower fetches, ignored).
// Cluster mode: a fetch with a replica id (v<15) or replica state (v15+) is a follower's
// (replication/follower-fetch.ts). A consumer fetch v11+ (client metadata) is served by any
// replica up to its high watermark, and a leader with replica.selector.class set may send the
// consumer to a replica in its rack (preferred_read_replica, no records: KIP-392,
// replication/read-replica.ts); an older consumer fetch from a broker that does not lead the
// partition, or any from a broker in controlled shutdown, gets NOT_LEADER_OR_FOLLOWER, with the
// current leader (v12+) and its endpoint (v16+).
// Authorization: a follower's fetch needs CLUSTER_ACTION on the cluster; a consumer's, READ on
// each topic (else its partitions get TOPIC_AUTHORIZATION_FAILED).
import { ErrorCode, fetchApi, type FetchRequest, type FetchRequestTopic, type FetchResponse, type FetchResponsePartitionData } from '@brook/protocol'
import { newFetchContext } from '../fetch-session/fetch-context.js'
import { leaderEpochError } from '../partition/leader-epoch.js'
import { type FetchedPartition, type FetchTarget, readPartitions, watermarks } from '../partition/fetch-reader.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { followerFetch } from '../replication/follower-fetch.js'
import { leaderEndpoints, leaderHint } from '../cluster/leader-hints.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'
import { onCluster, Op } from '../security/authorizer/requirements.js'
import { FOLLOWER_READS_MIN_VERSION, preferredReadReplica, rackAwareSelection } from '../replication/read-replica.js'
import type { Partition } from '../partition/partition.js'

const READ_COMMITTED = 1

function targetsOf (ctx: RequestContext, topic: FetchRequestTopic): FetchTarget[] {
  const { replicas } = ctx.broker
  const byId = ctx.apiVersion >= 13
  const state = byId ? replicas.topicById(topic.topicId ?? '') : replicas.topic(topic.topic ?? '')
  const name = state?.info.name ?? topic.topic ?? ''
  if ((state !== undefined || !byId) && !allowed(ctx, ResourceType.TOPIC, name, AclOperation.READ)) {
    return topic.partitions.map((p) => ({ partition: undefined, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, fetchOffset: Number(p.fetchOffset), partitionMaxBytes: 0 }))
  }
  return topic.partitions.map((p) => {
    const partition = state?.partitions[p.partition]
    const missing = byId && state === undefined
      ? ErrorCode.UNKNOWN_TOPIC_ID
      : state === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : replicas.partitionError(state.info.name, p.partition)
    // A broker in controlled shutdown serves no follower reads: its clients must move on.
    const notLed = partition !== undefined && partition.replicated && !partition.isLeader &&
      (ctx.apiVersion < FOLLOWER_READS_MIN_VERSION || ctx.broker.cluster?.draining === true)
    if (partition !== undefined && partition.replicated && !partition.isLeader && !notLed) followerServes(ctx, partition)
    return {
      partition,
      errorCode: partition === undefined ? missing : notLed ? ErrorCode.NOT_LEADER_OR_FOLLOWER : leaderEpochError(partition, p.currentLeaderEpoch),
      fetchOffset: Number(p.fetchOffset),
      partitionMaxBytes: Math.max(0, p.partitionMaxBytes)
    }
  })
}

/** Logged once per partition and broker: a follower serving consumers (the rack-aware path at work). */
const followerReadsLogged = new WeakSet<Partition>()
function followerServes (ctx: RequestContext, partition: Partition): void {
  if (followerReadsLogged.has(partition)) return
  followerReadsLogged.add(partition)
  ctx.logger.info({ partition: partition.key, client: ctx.clientId, highWatermark: partition.log.highWatermark }, 'follower serving consumer fetches (fetch from the closest replica)')
}

/** Partitions (by index in the targets) whose consumer is sent to another replica in its rack. */
function readReplicas (ctx: RequestContext, request: FetchRequest, targets: readonly FetchTarget[]): Map<number, number> {
  const out = new Map<number, number>()
  const { broker } = ctx
  const rack = request.rackId ?? ''
  if (rack === '' || broker.cluster === undefined || ctx.apiVersion < FOLLOWER_READS_MIN_VERSION || !rackAwareSelection(broker.config)) return out
  const snapshot = broker.cluster.snapshot()
  const now = Date.now()
  targets.forEach((t, i) => {
    if (t.partition === undefined || t.errorCode !== ErrorCode.NONE || !t.partition.isLeader) return
    const id = preferredReadReplica(t.partition, snapshot, broker.config, broker.nodeId, rack, t.fetchOffset, now)
    if (id >= 0) out.set(i, id)
  })
  return out
}

/** The answer for a partition whose consumer should read elsewhere: offsets, no records. */
function redirected (target: FetchTarget): FetchedPartition {
  const offsets = target.partition?.consumerOffsets()
  return {
    errorCode: ErrorCode.NONE,
    highWatermark: offsets?.highWatermark ?? -1,
    lastStableOffset: offsets?.lastStableOffset ?? -1,
    logStartOffset: offsets?.logStartOffset ?? -1,
    records: [],
    bytes: 0,
    abortedTransactions: []
  }
}

function partitionData (index: number, result: FetchedPartition, readCommitted: boolean, preferredReadReplica = -1): FetchResponsePartitionData {
  return {
    partitionIndex: index,
    errorCode: result.errorCode,
    highWatermark: BigInt(result.highWatermark),
    lastStableOffset: BigInt(result.lastStableOffset),
    logStartOffset: BigInt(result.logStartOffset),
    abortedTransactions: readCommitted ? result.abortedTransactions ?? [] : null,
    preferredReadReplica,
    records: result.records
  }
}

/** Partitions refused with NOT_LEADER_OR_FOLLOWER name the current leader (v12+) and its endpoint (v16+). */
function withLeaderHints (ctx: RequestContext, response: FetchResponse): FetchResponse {
  if (ctx.broker.cluster === undefined || ctx.apiVersion < 12) return response
  const leaders: number[] = []
  for (const t of response.responses) {
    const name = t.topic ?? (t.topicId === undefined ? undefined : ctx.broker.replicas.topicById(t.topicId)?.info.name)
    if (name === undefined) continue
    t.partitions = t.partitions.map((p) => {
      if (p.errorCode !== ErrorCode.NOT_LEADER_OR_FOLLOWER) return p
      const hint = leaderHint(ctx, name, p.partitionIndex)
      if (hint === null) return p
      if (hint.leaderId >= 0) leaders.push(hint.leaderId)
      return { ...p, currentLeader: hint }
    })
  }
  if (ctx.apiVersion < 16 || leaders.length === 0) return response
  return { ...response, nodeEndpoints: leaderEndpoints(ctx, leaders) }
}

function replicaIdOf (ctx: RequestContext, request: FetchRequest): number {
  return (ctx.apiVersion >= 15 ? request.replicaState?.replicaId : request.replicaId) ?? -1
}

async function handle (ctx: RequestContext, request: FetchRequest): Promise<FetchResponse> {
  const replicaId = replicaIdOf(ctx, request)
  if (replicaId >= 0 && ctx.broker.cluster !== undefined) return await followerFetch(ctx, request, replicaId)
  return withLeaderHints(ctx, await consumerFetch(ctx, request))
}

async function consumerFetch (ctx: RequestContext, request: FetchRequest): Promise<FetchResponse> {
  const { broker } = ctx
  // Decided before any await: a second request on the same session epoch is refused.
  const session = newFetchContext(broker.fetchSessions, request, ctx.apiVersion)
  if (session.errorCode !== ErrorCode.NONE) return session.respond({ responses: [] })
  const readCommitted = request.isolationLevel === READ_COMMITTED
  const limits = {
    responseMaxBytes: Math.max(0, Math.min(request.maxBytes ?? 2147483647, broker.config.int('fetch.max.bytes'))),
    readCommitted,
    ...(ctx.readLease === undefined ? {} : { lease: ctx.readLease })
  }
  const deadline = Date.now() + request.maxWaitMs
  for (;;) {
    // Resolved each round: a topic deleted while the fetch waited answers UNKNOWN_TOPIC_OR_PARTITION.
    const targets = session.topics.flatMap((t) => targetsOf(ctx, t))
    const keys = targets.flatMap((t) => t.partition === undefined ? [] : [t.partition.key])
    const before = watermarks(targets)
    // A partition whose consumer is sent elsewhere is not read here, and answers at once.
    const elsewhere = readReplicas(ctx, request, targets)
    const read = await readPartitions(elsewhere.size === 0 ? targets : targets.map((t, i) => elsewhere.has(i) ? { ...t, partition: undefined } : t), limits, ctx.logger)
    for (const i of elsewhere.keys()) read.results[i] = redirected(targets[i] as FetchTarget)
    const errored = elsewhere.size > 0 || read.results.some((r) => r.errorCode !== ErrorCode.NONE)
    const remaining = deadline - Date.now()
    if (read.bytes >= request.minBytes || errored || remaining <= 0 || broker.stopping || keys.length === 0) {
      broker.metrics?.fetched(targets, read.results)
      let i = 0
      return session.respond({
        errorCode: ErrorCode.NONE,
        sessionId: 0,
        responses: session.topics.map((t) => ({
          topic: t.topic,
          topicId: t.topicId,
          partitions: t.partitions.map((p) => {
            const index = i++
            return partitionData(p.partition, read.results[index] as FetchedPartition, readCommitted, elsewhere.get(index) ?? -1)
          })
        }))
      })
    }
    // An append that completed during the read would not wake a wait that starts after it.
    const moved = watermarks(targets).some((hw, j) => hw !== before[j])
    // Woken or timed out, the next round re-reads; past the deadline it answers with what there is.
    if (!moved) await broker.fetchPurgatory.wait(keys, remaining)
  }
}

export default defineHandler(fetchApi, { min: 4, max: 18 }, handle, (request, code) => ({
  errorCode: code,
  sessionId: 0,
  responses: request.topics.map((t) => ({
    topic: t.topic,
    topicId: t.topicId,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: code, highWatermark: -1n, records: null }))
  }))
}), { requires: (request, ctx) => replicaIdOf(ctx, request) >= 0 ? [onCluster(Op.CLUSTER_ACTION)] : [] })
