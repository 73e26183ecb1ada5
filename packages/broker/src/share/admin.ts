// The share group offsets admin APIs (KIP-932): DescribeShareGroupOffsets lists each
// share-partition's start offset (and lag: records from the start offset to the high watermark
// not yet acknowledged or archived), AlterShareGroupOffsets resets start offsets (the in-flight
// state is dropped: everything from the new start is delivered afresh), DeleteShareGroupOffsets
// forgets a group's state for whole topics. Altering and deleting need a group without members
// (NON_EMPTY_GROUP otherwise), as in Kafka.
import type {
  AlterShareGroupOffsetsRequest, AlterShareGroupOffsetsResponse, DeleteShareGroupOffsetsRequest, DeleteShareGroupOffsetsResponse,
  DescribeShareGroupOffsetsRequest, DescribeShareGroupOffsetsResponse
} from '@brook/protocol'
import { ErrorCode } from '@brook/protocol'
import { RecordState } from './partition/in-flight.js'
import { DeliveryState, type ShareStateSnapshot } from './state/records.js'
import type { ShareService } from './service.js'

type DescribedGroup = DescribeShareGroupOffsetsResponse['groups'][number]
type DescribedTopic = DescribedGroup['topics'][number]

/** Start offset and finished records after it, from the live share-partition or the durable state. */
async function positionOf (share: ShareService, groupId: string, topicId: string, partition: number): Promise<{ start: number, finished: number } | null> {
  const live = (await share.partitions.ofGroup(groupId)).find((sp) => sp.key.topicId === topicId && sp.key.partition === partition)
  if (live !== undefined) {
    let finished = 0
    for (const e of live.records.entries.values()) if (e.state === RecordState.ACKNOWLEDGED || e.state === RecordState.ARCHIVED) finished++
    return { start: live.records.startOffset, finished }
  }
  const state: ShareStateSnapshot | null = await share.store.read({ groupId, topicId, partition })
  if (state === null) return null
  const finished = state.batches
    .filter((b) => b.deliveryState === DeliveryState.ACKNOWLEDGED || b.deliveryState === DeliveryState.ARCHIVED)
    .reduce((n, b) => n + b.lastOffset - b.firstOffset + 1, 0)
  return { start: state.startOffset, finished }
}

export async function describeShareGroupOffsets (share: ShareService, req: DescribeShareGroupOffsetsRequest): Promise<DescribedGroup[]> {
  return await Promise.all(req.groups.map(async (g): Promise<DescribedGroup> => {
    const known = share.store.partitionsOf(g.groupId)
    let wanted: Array<{ name: string, partitions: number[] }>
    if (g.topics == null) {
      const byTopic = new Map<string, number[]>()
      for (const k of known) {
        const name = share.replicas.topicById(k.topicId)?.info.name
        if (name === undefined) continue
        byTopic.set(name, [...(byTopic.get(name) ?? []), k.partition].sort((a, b) => a - b))
      }
      wanted = [...byTopic].map(([name, partitions]) => ({ name, partitions }))
    } else {
      wanted = g.topics.map((t) => ({ name: t.topicName, partitions: t.partitions }))
    }
    const topics = await Promise.all(wanted.map(async (t): Promise<DescribedTopic> => {
      const topic = share.replicas.topic(t.name)
      return {
        topicName: t.name,
        topicId: topic?.info.id ?? '00000000-0000-0000-0000-000000000000',
        partitions: await Promise.all(t.partitions.map(async (partition) => {
          const p = topic?.partitions[partition]
          if (topic === undefined || p === undefined) {
            return { partitionIndex: partition, startOffset: -1n, leaderEpoch: -1, lag: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' }
          }
          const pos = await positionOf(share, g.groupId, topic.info.id, partition)
          if (pos === null) return { partitionIndex: partition, startOffset: -1n, leaderEpoch: -1, lag: -1n, errorCode: 0, errorMessage: null }
          const lag = Math.max(0, p.offsets().highWatermark - pos.start - pos.finished)
          return { partitionIndex: partition, startOffset: BigInt(pos.start), leaderEpoch: p.leaderEpoch, lag: BigInt(lag), errorCode: 0, errorMessage: null }
        }))
      }
    }))
    return { groupId: g.groupId, topics, errorCode: 0, errorMessage: null }
  }))
}

export async function alterShareGroupOffsets (share: ShareService, req: AlterShareGroupOffsetsRequest): Promise<Omit<AlterShareGroupOffsetsResponse, 'throttleTimeMs'>> {
  if ((share.coordinator.groups.get(req.groupId)?.members.size ?? 0) > 0) {
    return { errorCode: ErrorCode.NON_EMPTY_GROUP, errorMessage: 'The group has members: stop them before altering its offsets.', responses: [] }
  }
  // The share-partitions reload from the new state on their next use.
  await share.partitions.dropGroup(req.groupId)
  const responses = await Promise.all(req.topics.map(async (t) => {
    const topic = share.replicas.topic(t.topicName)
    return {
      topicName: t.topicName,
      topicId: topic?.info.id ?? '00000000-0000-0000-0000-000000000000',
      partitions: await Promise.all(t.partitions.map(async (p) => {
        if (topic === undefined || topic.partitions[p.partitionIndex] === undefined) {
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' }
        }
        if (p.startOffset < 0n) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'The start offset must not be negative.' }
        await share.store.write({ groupId: req.groupId, topicId: topic.info.id, partition: p.partitionIndex }, { snapshotEpoch: 0, stateEpoch: 0, startOffset: Number(p.startOffset), batches: [] })
        return { partitionIndex: p.partitionIndex, errorCode: 0, errorMessage: null }
      }))
    }
  }))
  return { errorCode: 0, errorMessage: null, responses }
}

export async function deleteShareGroupOffsets (share: ShareService, req: DeleteShareGroupOffsetsRequest): Promise<Omit<DeleteShareGroupOffsetsResponse, 'throttleTimeMs'>> {
  if ((share.coordinator.groups.get(req.groupId)?.members.size ?? 0) > 0) {
    return { errorCode: ErrorCode.NON_EMPTY_GROUP, errorMessage: 'The group has members: stop them before deleting its offsets.', responses: [] }
  }
  await share.partitions.dropGroup(req.groupId)
  const known = share.store.partitionsOf(req.groupId)
  const responses = await Promise.all(req.topics.map(async (t) => {
    const topic = share.replicas.topic(t.topicName)
    if (topic === undefined) {
      return { topicName: t.topicName, topicId: '00000000-0000-0000-0000-000000000000', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'Unknown topic.' }
    }
    await Promise.all(known.filter((k) => k.topicId === topic.info.id).map(async (k) => { await share.store.delete(k) }))
    return { topicName: t.topicName, topicId: topic.info.id, errorCode: 0, errorMessage: null }
  }))
  return { errorCode: 0, errorMessage: null, responses }
}
