// Fetch requests and their decoding: one Fetch per leader for the partitions it leads, records
// decoded (and decompressed) batch by batch. Control batches are skipped; with read_committed,
// records of aborted transactions are dropped using the response's abortedTransactions list
// (an aborted producer's records are skipped from its firstOffset until its ABORT marker).
import {
  ControlType, decodeBatch, ErrorCode, fetchApi, type FetchResponse, isControlBatch, iterateBatches,
  readBatchHeader, readControlMarker, type RecordHeader
} from '@brook/protocol'
import type { Cluster } from '../cluster/cluster.js'
import { ZERO_UUID } from '../cluster/metadata.js'
import { kafkaError } from '../errors/kafka-errors.js'
import { FetchSession, type SessionPartition } from './fetch-session.js'

export interface ConsumerMessage {
  topic: string
  partition: number
  offset: bigint
  timestamp: bigint
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

export interface ConsumerBatch {
  topic: string
  partition: number
  messages: ConsumerMessage[]
  highWatermark: bigint
  /** Where this partition's next fetch starts (past control batches and aborted records too). */
  nextOffset: bigint
}

export interface FetchPosition { topic: string, partition: number, offset: bigint }

export interface FetchOptions {
  maxWaitMs: number
  minBytes: number
  maxBytes: number
  maxPartitionBytes: number
  isolationLevel: 0 | 1
}

export interface PartitionFetchResult {
  topic: string
  partition: number
  fetchedAt: bigint
  fetched: FetchedPartition | null
  error: Error | null
}

/**
 * One partition's share of a Fetch response, scanned but not yet decoded: where the next fetch
 * starts is known from the batch headers alone, and records are decoded a chunk at a time as the
 * reader asks for them. A large fetch (max.partition.fetch.bytes of several MB) decoded at once
 * keeps every record object alive until the reader is done with all of them, which pushes them
 * out of the young generation and makes garbage collection the consumer's main cost.
 */
export interface FetchedPartition {
  topic: string
  partition: number
  highWatermark: bigint
  /** Where this partition's next fetch starts (past control batches and aborted records too). */
  nextOffset: bigint
  /** True when no record of the response is for the reader (all before the fetch offset, control or aborted). */
  empty: boolean
  /** The records in consecutive batches of at most about DECODE_CHUNK_BYTES of wire bytes each. */
  chunks: () => AsyncGenerator<ConsumerBatch>
}

/** How many bytes of record batches are decoded into messages at a time. */
const DECODE_CHUNK_BYTES = 256 * 1024

type PartitionData = FetchResponse['responses'][number]['partitions'][number]

interface DataBatch { raw: Buffer, lastOffset: bigint }

function scanPartition (topic: string, data: PartitionData, fetchOffset: bigint, readCommitted: boolean): FetchedPartition {
  const blob = Array.isArray(data.records) ? Buffer.concat(data.records) : (data.records ?? Buffer.alloc(0))
  const aborted = readCommitted ? [...(data.abortedTransactions ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1)) : []
  const activeAborted = new Set<bigint>()
  let abortedIndex = 0
  const wanted: DataBatch[] = []
  let nextOffset = fetchOffset
  for (const raw of iterateBatches(blob)) {
    const header = readBatchHeader(raw, 0)
    const lastOffset = header.baseOffset + BigInt(header.lastOffsetDelta)
    if (lastOffset < fetchOffset) continue
    while (abortedIndex < aborted.length && aborted[abortedIndex]!.firstOffset <= lastOffset) activeAborted.add(aborted[abortedIndex++]!.producerId)
    nextOffset = lastOffset + 1n
    if (isControlBatch(raw, 0)) {
      const marker = readControlMarker(raw)
      if (marker !== null && marker.type === ControlType.Abort) activeAborted.delete(marker.producerId)
      continue
    }
    if (readCommitted && (header.attributes & 0x10) !== 0 && activeAborted.has(header.producerId)) continue
    wanted.push({ raw, lastOffset })
  }
  const partition = data.partitionIndex
  const end = nextOffset
  return {
    topic,
    partition,
    highWatermark: data.highWatermark,
    nextOffset: end,
    empty: wanted.length === 0,
    chunks: async function * () {
      let i = 0
      while (i < wanted.length) {
        const messages: ConsumerMessage[] = []
        let bytes = 0
        let chunkEnd = end
        while (i < wanted.length && (bytes === 0 || bytes + wanted[i]!.raw.length <= DECODE_CHUNK_BYTES)) {
          const { raw, lastOffset } = wanted[i++]!
          bytes += raw.length
          const batch = await decodeBatch(raw)
          for (const r of batch.records) {
            if (r.offset < fetchOffset) continue
            messages.push({ topic, partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers })
          }
          chunkEnd = i < wanted.length ? lastOffset + 1n : end
        }
        if (messages.length > 0) yield { topic, partition, messages, highWatermark: data.highWatermark, nextOffset: chunkEnd }
      }
    }
  }
}

/** The last Fetch version that names topics (13 replaced names with topic ids). */
const LAST_NAMED_FETCH = 12

function fetchVersion (negotiated: number, idsKnown: boolean): number {
  return idsKnown ? negotiated : Math.min(negotiated, LAST_NAMED_FETCH)
}

/**
 * Fetches every position from its leader (one request per leader, in parallel). With `sessions`
 * (one per broker, kept by the caller), requests are incremental fetch sessions: partitions whose
 * offset did not move are not sent, and a result only comes back for partitions with news.
 */
export async function fetchOnce (cluster: Cluster, positions: FetchPosition[], options: FetchOptions, sessions?: Map<number, FetchSession>): Promise<PartitionFetchResult[]> {
  const meta = await cluster.metadataFor(new Set(positions.map((p) => p.topic)))
  const byLeader = new Map<number, FetchPosition[]>()
  const results: PartitionFetchResult[] = []
  for (const p of positions) {
    const leader = meta.leaderOf(p.topic, p.partition)
    if (leader < 0) {
      results.push({ topic: p.topic, partition: p.partition, fetchedAt: p.offset, fetched: null, error: kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `${p.topic}-${p.partition}`) })
      continue
    }
    let list = byLeader.get(leader)
    if (list === undefined) { list = []; byLeader.set(leader, list) }
    list.push(p)
  }
  await Promise.all([...byLeader].map(async ([leader, list]) => {
    const offsets = new Map(list.map((p) => [`${p.topic}\u0000${p.partition}`, p.offset]))
    let session = sessions?.get(leader)
    if (sessions !== undefined && session === undefined) { session = new FetchSession(); sessions.set(leader, session) }
    const wanted = list.map((p) => ({ topic: p.topic, partition: p.partition, fetchOffset: p.offset, maxBytes: options.maxPartitionBytes }))
    // Without a session: a sessionless full fetch (epoch -1).
    const request = session?.build(wanted) ?? { sessionId: 0, sessionEpoch: -1, send: wanted, forgotten: [], full: true }
    try {
      const topics = new Map<string, SessionPartition[]>()
      for (const p of request.send) {
        let t = topics.get(p.topic)
        if (t === undefined) { t = []; topics.set(p.topic, t) }
        t.push(p)
      }
      const connection = await cluster.broker(leader)
      // Fetch 13+ names topics by id (KIP-516); names are sent, at 12 at most, when the broker
      // offers no more or metadata has no id for a topic of the request.
      // Every topic of this leader's positions: an incremental answer may name any of them.
      const named = new Set([...list.map((p) => p.topic), ...request.forgotten.map((f) => f.topic)])
      const ids = meta.topicIds(named)
      const version = fetchVersion(connection.versionFor(fetchApi), ids !== null)
      const idOf = (topic: string): string => ids?.get(topic) ?? ZERO_UUID
      const response = await connection.request(fetchApi, {
        replicaId: -1,
        maxWaitMs: options.maxWaitMs,
        minBytes: options.minBytes,
        maxBytes: options.maxBytes,
        isolationLevel: options.isolationLevel,
        sessionId: request.sessionId,
        sessionEpoch: request.sessionEpoch,
        topics: [...topics].map(([topic, ps]) => ({
          topic,
          topicId: idOf(topic),
          partitions: ps.map((p) => ({ partition: p.partition, currentLeaderEpoch: -1, fetchOffset: p.fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: p.maxBytes }))
        })),
        forgottenTopicsData: request.forgotten.map((f) => ({ ...f, topicId: idOf(f.topic) })),
        rackId: ''
      }, { timeoutMs: options.maxWaitMs + 30_000, version })
      // A refused session is no partition's error: the next fetch starts a new one.
      if (session !== undefined && !session.answered(request, response.errorCode ?? 0, response.sessionId ?? 0)) return
      if ((response.errorCode ?? 0) !== ErrorCode.NONE) throw kafkaError(response.errorCode!, 'Fetch')
      const nameOf = new Map([...(ids ?? [])].map(([name, id]) => [id, name]))
      for (const t of response.responses) {
        const topic = (t.topicId !== undefined ? nameOf.get(t.topicId) : undefined) ?? t.topic ?? ''
        for (const data of t.partitions) {
          const fetchedAt = offsets.get(`${topic}\u0000${data.partitionIndex}`) ?? 0n
          if (data.errorCode !== ErrorCode.NONE) {
            results.push({ topic, partition: data.partitionIndex, fetchedAt, fetched: null, error: kafkaError(data.errorCode, `Fetch ${topic}-${data.partitionIndex} at ${fetchedAt}`) })
            continue
          }
          results.push({ topic, partition: data.partitionIndex, fetchedAt, fetched: scanPartition(topic, data, fetchedAt, options.isolationLevel === 1), error: null })
        }
      }
    } catch (err) {
      // Whether the broker saw the request is unknown: the session starts again with a full fetch.
      session?.reset()
      for (const p of list) results.push({ topic: p.topic, partition: p.partition, fetchedAt: p.offset, fetched: null, error: err instanceof Error ? err : new Error(String(err)) })
    }
  }))
  return results
}
