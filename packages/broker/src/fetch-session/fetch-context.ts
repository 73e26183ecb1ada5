// What one Fetch request means for its session (Kafka's FetchManager.newContext), decided before
// any read, synchronously, so two requests racing on one session epoch cannot both pass:
//   epoch -1 (FINAL; also every request before v7): no session; a named session is closed.
//   epoch 0 (INITIAL): a full fetch; a named session is closed and a new one is created from this
//                request's partitions when the response is built (session id 0 if no slot).
//   epoch > 0:   an incremental fetch on session `sessionId`: FETCH_SESSION_ID_NOT_FOUND if it is
//                unknown, INVALID_FETCH_SESSION_EPOCH if the epoch is not the expected one,
//                FETCH_SESSION_TOPIC_ID_ERROR if it was made by a request of the other kind
//                (topic ids from v13, names before). The request's partitions are added or
//                updated, forgotten ones removed, and every partition of the session is fetched;
//                the response carries only partitions with news. A session left empty is closed
//                and the fetch answered without one.
import { ErrorCode, type FetchRequest, type FetchRequestTopic, type FetchResponse } from '@brook/protocol'
import { type CachedPartition, type FetchSession, nextEpoch, partitionKey } from './fetch-session.js'
import { type FetchSessionCache, INVALID_SESSION_ID } from './fetch-session-cache.js'

const FINAL_EPOCH = -1
const INITIAL_EPOCH = 0
const TOPIC_IDS_FROM_VERSION = 13

export interface FetchContext {
  /** NONE, or the error the whole fetch is answered with (and nothing else). */
  readonly errorCode: number
  /** The partitions to read, in order, in the request's own shape. */
  readonly topics: readonly FetchRequestTopic[]
  /** Sets the session id and, for an incremental fetch, keeps only partitions with news. */
  respond: (response: FetchResponse) => FetchResponse
}

export function newFetchContext (cache: FetchSessionCache, request: FetchRequest, version: number): FetchContext {
  const sessionId = request.sessionId ?? INVALID_SESSION_ID
  const epoch = request.sessionEpoch ?? FINAL_EPOCH
  const usesTopicIds = version >= TOPIC_IDS_FROM_VERSION
  if (epoch === FINAL_EPOCH || epoch === INITIAL_EPOCH) {
    // Any session named in a full fetch is closed.
    if (sessionId !== INVALID_SESSION_ID) cache.remove(sessionId)
    if (epoch === FINAL_EPOCH) return sessionless(request.topics)
    return fullContext(cache, request, usesTopicIds)
  }
  const session = cache.get(sessionId)
  if (session === undefined) return failed(ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
  if (session.epoch !== epoch) return failed(ErrorCode.INVALID_FETCH_SESSION_EPOCH)
  if (session.usesTopicIds !== usesTopicIds) return failed(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR)
  const forgotten = (request.forgottenTopicsData ?? []).flatMap((t) =>
    t.partitions.map((p) => partitionKey(usesTopicIds, t.topic, t.topicId, p)))
  session.update(cachedPartitions(request.topics), forgotten)
  if (session.size === 0) {
    cache.remove(session.id)
    return sessionless(request.topics)
  }
  cache.touch(session, cache.now())
  session.epoch = nextEpoch(session.epoch)
  return incrementalContext(session)
}

function failed (errorCode: number): FetchContext {
  return {
    errorCode,
    topics: [],
    respond: () => ({ errorCode, sessionId: INVALID_SESSION_ID, responses: [] })
  }
}

function sessionless (topics: readonly FetchRequestTopic[]): FetchContext {
  return { errorCode: ErrorCode.NONE, topics, respond: (response) => ({ ...response, sessionId: INVALID_SESSION_ID }) }
}

function cachedPartitions (topics: readonly FetchRequestTopic[]): CachedPartition[] {
  return topics.flatMap((t) => t.partitions.map((p) => ({
    topic: t.topic, topicId: t.topicId, partition: p.partition, request: p, highWatermark: -1n, logStartOffset: -1n
  })))
}

function fullContext (cache: FetchSessionCache, request: FetchRequest, usesTopicIds: boolean): FetchContext {
  const replicaId = request.replicaState?.replicaId ?? request.replicaId ?? -1
  return {
    errorCode: ErrorCode.NONE,
    topics: request.topics,
    respond: (response) => {
      const parts = new Map<string, CachedPartition>()
      for (const part of cachedPartitions(request.topics)) parts.set(partitionKey(usesTopicIds, part.topic, part.topicId, part.partition), part)
      // What the response tells the client becomes the session's baseline.
      for (const t of response.responses) {
        for (const p of t.partitions) {
          const cached = parts.get(partitionKey(usesTopicIds, t.topic, t.topicId, p.partitionIndex))
          if (cached === undefined) continue
          cached.highWatermark = p.errorCode === ErrorCode.NONE ? p.highWatermark : -1n
          cached.logStartOffset = p.logStartOffset ?? -1n
        }
      }
      const session = cache.create(usesTopicIds, replicaId >= 0, parts.size, (s) => {
        for (const [key, part] of parts) s.partitions.set(key, part)
      })
      return { ...response, sessionId: session?.id ?? INVALID_SESSION_ID }
    }
  }
}

function incrementalContext (session: FetchSession): FetchContext {
  // Consecutive partitions of one topic go in one topic entry, in session order.
  const topics: FetchRequestTopic[] = []
  let last: FetchRequestTopic | undefined
  for (const part of session.partitions.values()) {
    if (last === undefined || last.topic !== part.topic || last.topicId !== part.topicId) {
      last = { topic: part.topic, topicId: part.topicId, partitions: [] }
      topics.push(last)
    }
    last.partitions.push(part.request)
  }
  return {
    errorCode: ErrorCode.NONE,
    topics,
    respond: (response) => ({
      ...response,
      sessionId: session.id,
      responses: response.responses
        .map((t) => ({
          ...t,
          partitions: t.partitions.filter((p) => session.mustRespond(partitionKey(session.usesTopicIds, t.topic, t.topicId, p.partitionIndex), p))
        }))
        .filter((t) => t.partitions.length > 0)
    })
  }
}
