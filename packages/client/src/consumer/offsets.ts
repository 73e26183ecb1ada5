// Offset look-ups shared by the consumer and the admin: ListOffsets (earliest, latest, by
// timestamp) against partition leaders, and a group's committed offsets (OffsetFetch) and
// commits (OffsetCommit) through its coordinator.
import { ErrorCode, listOffsetsApi, offsetCommitApi, offsetFetchApi } from '@brook/protocol'
import { type Cluster, CoordinatorType } from '../cluster/cluster.js'
import { kafkaError } from '../errors/kafka-errors.js'
import { withRetry } from '../errors/retry.js'

export interface TopicPartition { topic: string, partition: number }
export interface TopicPartitionOffset extends TopicPartition { offset: bigint }

export const EARLIEST = -2n
export const LATEST = -1n

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`

/** Offsets for timestamps (EARLIEST, LATEST or ms): the first offset with a timestamp >= it, or the end offset. */
export async function listOffsets (
  cluster: Cluster, wanted: Array<TopicPartition & { timestamp: bigint }>, isolationLevel = 0
): Promise<Map<string, bigint>> {
  return await withRetry(async () => {
    const meta = await cluster.metadataFor(new Set(wanted.map((w) => w.topic)))
    const byLeader = new Map<number, typeof wanted>()
    for (const w of wanted) {
      const leader = meta.leaderOf(w.topic, w.partition)
      if (leader < 0) throw kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `${w.topic}-${w.partition}`)
      let list = byLeader.get(leader)
      if (list === undefined) { list = []; byLeader.set(leader, list) }
      list.push(w)
    }
    const out = new Map<string, bigint>()
    await Promise.all([...byLeader].map(async ([leader, list]) => {
      const topics = new Map<string, Array<{ partitionIndex: number, timestamp: bigint, currentLeaderEpoch: number }>>()
      for (const w of list) {
        let t = topics.get(w.topic)
        if (t === undefined) { t = []; topics.set(w.topic, t) }
        t.push({ partitionIndex: w.partition, timestamp: w.timestamp, currentLeaderEpoch: -1 })
      }
      const connection = await cluster.broker(leader)
      const r = await connection.request(listOffsetsApi, {
        replicaId: -1, isolationLevel, topics: [...topics].map(([name, partitions]) => ({ name, partitions }))
      })
      for (const t of r.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE) throw kafkaError(p.errorCode, `ListOffsets ${t.name}-${p.partitionIndex}`)
          out.set(tpKey(t.name, p.partitionIndex), p.offset ?? -1n)
        }
      }
    }))
    return out
  }, { ...cluster.retry, beforeRetry: async () => { await cluster.refreshMetadata() } })
}

/** Committed offsets of a group (-1n where none is committed). */
export async function fetchCommitted (cluster: Cluster, groupId: string, partitions: TopicPartition[] | null, requireStable = false): Promise<Map<string, TopicPartitionOffset & { metadata: string | null }>> {
  const byTopic = new Map<string, number[]>()
  for (const tp of partitions ?? []) {
    let list = byTopic.get(tp.topic)
    if (list === undefined) { list = []; byTopic.set(tp.topic, list) }
    list.push(tp.partition)
  }
  const topics = partitions === null ? null : [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }))
  const out = new Map<string, TopicPartitionOffset & { metadata: string | null }>()
  await cluster.toCoordinator(groupId, CoordinatorType.Group, offsetFetchApi,
    (version) => version >= 8
      ? { groups: [{ groupId, topics }], requireStable }
      : { groupId, topics, requireStable },
    (r) => {
      out.clear()
      const group = r.groups?.[0]
      const errorCode = group?.errorCode ?? r.errorCode ?? 0
      if (errorCode !== ErrorCode.NONE) throw kafkaError(errorCode, `OffsetFetch ${groupId}`)
      for (const t of group?.topics ?? r.topics ?? []) {
        // Versions up to 9 (the client's max) name topics; 10+ would carry topic ids instead.
        const name = t.name ?? ''
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE) throw kafkaError(p.errorCode, `OffsetFetch ${name}-${p.partitionIndex}`)
          out.set(tpKey(name, p.partitionIndex), { topic: name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.metadata ?? null })
        }
      }
    })
  return out
}

export async function commitOffsets (
  cluster: Cluster, groupId: string, offsets: TopicPartitionOffset[], generation: { generationId: number, memberId: string, groupInstanceId: string | null }
): Promise<void> {
  if (offsets.length === 0) return
  const byTopic = new Map<string, Array<{ partitionIndex: number, committedOffset: bigint, committedLeaderEpoch: number, committedMetadata: string | null }>>()
  for (const o of offsets) {
    let list = byTopic.get(o.topic)
    if (list === undefined) { list = []; byTopic.set(o.topic, list) }
    list.push({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: -1, committedMetadata: '' })
    // '' as the Java client's OffsetAndMetadata sends by default (librdkafka too).
  }
  await cluster.toCoordinator(groupId, CoordinatorType.Group, offsetCommitApi,
    () => ({
      groupId,
      generationIdOrMemberEpoch: generation.generationId,
      memberId: generation.memberId,
      groupInstanceId: generation.groupInstanceId,
      retentionTimeMs: -1n,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions }))
    }),
    (r) => {
      for (const t of r.topics) for (const p of t.partitions) if (p.errorCode !== ErrorCode.NONE) throw kafkaError(p.errorCode, `OffsetCommit ${t.name}-${p.partitionIndex}`)
    })
}

export { tpKey }
