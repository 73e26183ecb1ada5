// The Kafka reads the console's endpoints share, made straight from the cluster's metadata so
// that one request per broker answers for every partition (a topic of 10,000 partitions costs
// one ListOffsets per leader, not one per partition): offsets, log sizes, and raw record reads.
import type { Admin } from '@brook/client'
import {
  decodeBatch, describeLogDirsApi, ErrorCode, fetchApi, isControlBatch, iterateBatches, listOffsetsApi, readBatchHeader, type RecordHeader
} from '@brook/protocol'
import type { Logger } from '@brook/common'

/** A metadata snapshot as the client's cluster answers it. */
export type ClusterMetadata = Awaited<ReturnType<Admin['cluster']['refreshMetadata']>>

/** The last Fetch version that names topics (13 replaced names with topic ids): reads name them. */
const LAST_NAMED_FETCH = 12

export const EARLIEST = -2n
export const LATEST = -1n

export const tp = (topic: string, partition: number): string => `${topic}\u0000${partition}`

/** Every topic's metadata (internal ones included), one Metadata request. */
export async function allMetadata (admin: Admin): Promise<ClusterMetadata> {
  return await admin.cluster.refreshMetadata({ all: true })
}

/**
 * Offsets at `timestamp` (EARLIEST, LATEST or milliseconds) of the given partitions, by their
 * leaders in `meta`: one ListOffsets per leader. A partition without a leader or whose broker
 * answers an error is left out (the caller shows it as unknown).
 */
export async function offsetsAt (admin: Admin, meta: ClusterMetadata, partitions: ReadonlyArray<{ topic: string, partition: number }>, timestamp: bigint, logger: Logger): Promise<Map<string, bigint>> {
  const byLeader = new Map<number, Map<string, Array<{ partitionIndex: number, timestamp: bigint, currentLeaderEpoch: number }>>>()
  for (const p of partitions) {
    const leader = meta.topics.get(p.topic)?.partitions[p.partition]?.leader ?? -1
    if (leader < 0) continue
    let topics = byLeader.get(leader)
    if (topics === undefined) { topics = new Map(); byLeader.set(leader, topics) }
    let list = topics.get(p.topic)
    if (list === undefined) { list = []; topics.set(p.topic, list) }
    list.push({ partitionIndex: p.partition, timestamp, currentLeaderEpoch: -1 })
  }
  const out = new Map<string, bigint>()
  await Promise.all([...byLeader].map(async ([leader, topics]) => {
    try {
      const connection = await admin.cluster.broker(leader)
      const r = await connection.request(listOffsetsApi, { replicaId: -1, isolationLevel: 0, topics: [...topics].map(([name, ps]) => ({ name, partitions: ps })) })
      for (const t of r.topics) {
        for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE && (p.offset ?? -1n) >= 0n) out.set(tp(t.name, p.partitionIndex), p.offset ?? -1n)
      }
    } catch (err) {
      // One broker down must not blank the whole page: its partitions show as unknown.
      logger.warn({ broker: leader, err: (err as Error).message }, 'console: ListOffsets failed')
    }
  }))
  return out
}

export interface LogDirUsage {
  /** Bytes of each partition's largest replica (what one copy of the data weighs). */
  partitions: Map<string, number>
  /** Bytes of every replica on every broker (null when no broker told), and per broker. */
  total: number | null
  byBroker: Map<number, number>
}

/**
 * DescribeLogDirs on every broker, for every partition: asking for a topic's partitions by number
 * costs more (a request listing 10,000 of them) than the whole answer does. A broker that fails
 * or does not serve it is left out.
 */
export async function logDirUsage (admin: Admin, meta: ClusterMetadata, logger: Logger): Promise<LogDirUsage> {
  const usage: LogDirUsage = { partitions: new Map(), total: null, byBroker: new Map() }
  await Promise.all([...meta.brokers.keys()].map(async (nodeId) => {
    try {
      const connection = await admin.cluster.broker(nodeId)
      const r = await connection.request(describeLogDirsApi, { topics: null })
      // Refused (CLUSTER_AUTHORIZATION_FAILED for a user without DESCRIBE on the cluster): sizes unknown.
      if ((r.errorCode ?? ErrorCode.NONE) !== ErrorCode.NONE) {
        logger.debug({ broker: nodeId, errorCode: r.errorCode }, 'console: DescribeLogDirs refused')
        return
      }
      let bytes = 0
      for (const dir of r.results) {
        if (dir.errorCode !== ErrorCode.NONE) continue
        for (const t of dir.topics) {
          for (const p of t.partitions) {
            if (p.isFutureKey) continue
            const size = Number(p.partitionSize)
            bytes += size
            const key = tp(t.name, p.partitionIndex)
            usage.partitions.set(key, Math.max(usage.partitions.get(key) ?? 0, size))
          }
        }
      }
      usage.byBroker.set(nodeId, bytes)
      usage.total = (usage.total ?? 0) + bytes
    } catch (err) {
      logger.warn({ broker: nodeId, err: (err as Error).message }, 'console: DescribeLogDirs failed')
    }
  }))
  return usage
}

export interface RawRecord {
  partition: number
  offset: bigint
  timestamp: bigint
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

export interface ReadRange { partition: number, from: bigint, until: bigint }

/**
 * The records of some partitions of a topic, each from `from` up to (not including) `until` and
 * at most `max` per partition, read with plain Fetch requests: one request per leader for all
 * its partitions per round (read_uncommitted: the console shows what is in the log; control
 * batches are skipped). A partition stops at the high watermark or its range's end.
 */
export async function readRanges (admin: Admin, meta: ClusterMetadata, topic: string, ranges: readonly ReadRange[], max: number, partitionMaxBytes = 1024 * 1024): Promise<RawRecord[]> {
  const out: RawRecord[] = []
  const byLeader = new Map<number, Array<ReadRange & { at: bigint, count: number }>>()
  for (const r of ranges) {
    if (r.from >= r.until) continue
    const leader = meta.topics.get(topic)?.partitions[r.partition]?.leader ?? -1
    if (leader < 0) continue
    let list = byLeader.get(leader)
    if (list === undefined) { list = []; byLeader.set(leader, list) }
    list.push({ ...r, at: r.from, count: 0 })
  }
  await Promise.all([...byLeader].map(async ([leader, list]) => {
    const connection = await admin.cluster.broker(leader)
    const maxBytes = 16 * 1024 * 1024
    let open = list
    while (open.length > 0) {
      const r = await connection.request(fetchApi, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic, partitions: open.map((p) => ({ partition: p.partition, currentLeaderEpoch: -1, fetchOffset: p.at, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes })) }],
        forgottenTopicsData: [],
        rackId: ''
      }, { version: Math.min(connection.versionFor(fetchApi), LAST_NAMED_FETCH) })
      const moved = new Set<number>()
      let bytes = 0
      for (const data of r.responses[0]?.partitions ?? []) {
        const range = open.find((p) => p.partition === data.partitionIndex)
        if (range === undefined || data.errorCode !== ErrorCode.NONE) continue
        const blob = Array.isArray(data.records) ? Buffer.concat(data.records) : (data.records ?? Buffer.alloc(0))
        bytes += blob.length
        let next = range.at
        for (const raw of iterateBatches(blob)) {
          const header = readBatchHeader(raw, 0)
          const last = header.baseOffset + BigInt(header.lastOffsetDelta)
          if (last < range.at) continue
          next = last + 1n
          if (isControlBatch(raw, 0)) continue
          const batch = await decodeBatch(raw)
          for (const rec of batch.records) {
            if (rec.offset < range.at || rec.offset >= range.until || range.count >= max) continue
            range.count++
            out.push({ partition: range.partition, offset: rec.offset, timestamp: rec.timestamp, key: rec.key, value: rec.value, headers: rec.headers })
          }
        }
        if (next > range.at) { range.at = next; moved.add(range.partition) }
      }
      // A partition is done when its range is read, it has enough records, or it answered nothing
      // (at the high watermark) while the response had room: an answer near maxBytes may have
      // left partitions out, which are asked again as long as some partition moves.
      const full = bytes >= maxBytes / 2 && moved.size > 0
      open = open.filter((p) => p.at < p.until && p.count < max && (moved.has(p.partition) || full))
    }
  }))
  return out
}
