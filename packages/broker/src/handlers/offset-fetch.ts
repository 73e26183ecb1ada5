// OffsetFetch (9): v0-10.
// Behaviour: group/offsets.ts. Partitions without a committed offset (and unknown groups) get
// offset -1, metadata "", no error. A null topic list means every partition the group committed.
// require_stable (v7+): a partition with a pending transactional offset answers
// UNSTABLE_OFFSET_COMMIT (clients retry until the transaction ends); without it, pending offsets
// are simply not visible.
// Versions: v1 same as v0; v2 null topics = all, top-level error code; v3 throttle; v5 committed
// leader epoch; v6 flexible; v7 require_stable; v8 several groups per request (groups[]); v9
// member id / epoch for KIP-848 consumer groups (ignored for classic groups, as in Kafka); v10
// topics named by id: an id this broker does not have answers UNKNOWN_TOPIC_ID per partition, and
// "all topics" lists the committed topics that still exist, by id.
import {
  ErrorCode, offsetFetchApi, type OffsetFetchRequest, type OffsetFetchRequestGroup, type OffsetFetchResponse,
  type OffsetFetchResponseGroup, ZERO_UUID
} from '@brook/protocol'
import { coordinatorOf } from '../group/request-info.js'
import type { OffsetFetchGroupResult } from '../group/types.js'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { AclOperation, ResourceType } from '@brook/metadata'
import { allowed } from '../security/authorizer/request-access.js'
import { onGroup, Op } from '../security/authorizer/requirements.js'

interface NamedTopics<T> { topics: Array<T & { name?: string | null, partitions: Array<{ errorCode: number }> }> }

/**
 * Kafka's topic rule: a topic the principal may not DESCRIBE is left out of an all-topics answer,
 * and answers TOPIC_AUTHORIZATION_FAILED where it was asked for by name.
 */
function authorizeTopics<T, G extends NamedTopics<T>> (ctx: RequestContext, group: G, askedAll: boolean): G {
  const topics = group.topics.flatMap((t) => {
    if (t.name === '' || t.name === null || t.name === undefined || allowed(ctx, ResourceType.TOPIC, t.name, AclOperation.DESCRIBE)) return [t]
    return askedAll ? [] : [{ ...t, partitions: t.partitions.map((p) => ({ ...p, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })) }]
  })
  return { ...group, topics }
}

/** v8+: each group needs DESCRIBE (else GROUP_AUTHORIZATION_FAILED and no topics). */
function authorizeGroups (ctx: RequestContext, request: OffsetFetchRequest, groups: OffsetFetchResponseGroup[]): OffsetFetchResponseGroup[] {
  return groups.map((g, i) => !allowed(ctx, ResourceType.GROUP, g.groupId, AclOperation.DESCRIBE)
    ? { groupId: g.groupId, topics: [], errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }
    : authorizeTopics(ctx, g, (request.groups?.[i]?.topics ?? null) === null))
}

function single (result: OffsetFetchGroupResult, version: number): OffsetFetchResponse {
  // Before v2 there is no top-level error: a group-level failure goes into every partition.
  const partitionError = version < 2 ? result.errorCode : ErrorCode.NONE
  return {
    errorCode: result.errorCode,
    topics: result.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ ...p, errorCode: p.errorCode !== ErrorCode.NONE ? p.errorCode : partitionError }))
    }))
  }
}

function unknownTopicId (topicId: string, partitionIndexes: number[]): OffsetFetchResponseGroup['topics'][number] {
  return {
    name: '',
    topicId,
    partitions: partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNKNOWN_TOPIC_ID }))
  }
}

/** v10: asks the coordinator by name, answers by id, in request order. */
async function fetchByTopicId (ctx: RequestContext, groups: OffsetFetchRequestGroup[], requireStable: boolean): Promise<OffsetFetchResponseGroup[]> {
  const { replicas } = ctx.broker
  const inputs = groups.map((g) => ({
    groupId: g.groupId,
    requireStable,
    topics: g.topics === null || g.topics === undefined
      ? null
      : g.topics.flatMap((t) => {
        const name = replicas.topicById(t.topicId ?? ZERO_UUID)?.info.name
        return name === undefined ? [] : [{ name, partitionIndexes: t.partitionIndexes }]
      })
  }))
  // Topic rights are checked while the answer still names topics (ids replace the names below).
  const results = (await coordinatorOf(ctx).fetchOffsets(inputs)).map((r, i) => authorizeTopics(ctx, r, (groups[i]?.topics ?? null) === null))
  return results.map((result, i) => {
    const asked = groups[i]?.topics ?? null
    const byName = new Map(result.topics.map((t) => [t.name, t]))
    if (asked === null) {
      const topics = result.topics.flatMap((t) => {
        const id = replicas.topic(t.name)?.info.id
        return id === undefined ? [] : [{ ...t, name: '', topicId: id }]
      })
      return { ...result, topics }
    }
    return {
      ...result,
      topics: result.errorCode !== ErrorCode.NONE
        ? []
        : asked.map((t) => {
          const topicId = t.topicId ?? ZERO_UUID
          const found = byName.get(replicas.topicById(topicId)?.info.name ?? '\u0000')
          return found === undefined ? unknownTopicId(topicId, t.partitionIndexes) : { ...found, name: '', topicId }
        })
    }
  })
}

async function handle (ctx: RequestContext, request: OffsetFetchRequest): Promise<OffsetFetchResponse> {
  const coordinator = coordinatorOf(ctx)
  if (ctx.apiVersion >= 10) {
    return { groups: authorizeGroups(ctx, request, await fetchByTopicId(ctx, request.groups ?? [], request.requireStable === true)) }
  }
  if (ctx.apiVersion >= 8) {
    const requireStable = request.requireStable === true
    const groups = await coordinator.fetchOffsets((request.groups ?? []).map((g) => ({
      groupId: g.groupId,
      topics: g.topics === null || g.topics === undefined ? null : g.topics.map((t) => ({ name: t.name ?? '', partitionIndexes: t.partitionIndexes })),
      requireStable
    })))
    return { groups: authorizeGroups(ctx, request, groups) }
  }
  // v0-1 cannot ask for "all topics"; a null there is treated as an empty list.
  const topics = request.topics === undefined || (request.topics === null && ctx.apiVersion < 2) ? [] : request.topics
  const [result] = await coordinator.fetchOffsets([{ groupId: request.groupId ?? '', topics, requireStable: request.requireStable === true }])
  if (result === undefined) throw new Error('fetchOffsets answered no group')
  if (result.errorCode !== ErrorCode.NONE && topics !== null && result.topics.length === 0) {
    // Keep the requested partitions in the answer so that v0/v1 clients see the error per partition.
    result.topics = topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE }))
    }))
  }
  return single(authorizeTopics(ctx, result, topics === null), ctx.apiVersion)
}

function errorResponse (request: OffsetFetchRequest, code: number, ctx: RequestContext): OffsetFetchResponse {
  if (ctx.apiVersion >= 8) {
    return { groups: (request.groups ?? []).map((g) => ({ groupId: g.groupId, topics: [], errorCode: code })) }
  }
  const topics = (request.topics ?? []).map((t) => ({
    name: t.name,
    partitionIndexes: t.partitionIndexes
  }))
  return single({
    groupId: request.groupId ?? '',
    errorCode: code,
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE }))
    }))
  }, ctx.apiVersion)
}

export default defineHandler(offsetFetchApi, { min: 0, max: 10 }, handle, errorResponse, {
  requires: (r, ctx) => ctx.apiVersion < 8 ? [onGroup(r.groupId ?? '', Op.DESCRIBE)] : []
})
