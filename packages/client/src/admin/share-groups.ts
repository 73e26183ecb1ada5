// Share groups (KIP-932) through the admin API: ShareGroupDescribe, and the share-partitions'
// start offsets with DescribeShareGroupOffsets, AlterShareGroupOffsets (the group must have no
// members) and DeleteShareGroupOffsets. Every request goes to the group's coordinator; a share
// group itself is deleted with DeleteGroups, as any group.
import { alterShareGroupOffsetsApi, deleteShareGroupOffsetsApi, describeShareGroupOffsetsApi, ErrorCode, shareGroupDescribeApi } from '@brook/protocol'
import { type Cluster, CoordinatorType } from '../cluster/cluster.js'
import { kafkaError } from '../errors/kafka-errors.js'
import type { TopicPartitions } from '../consumer/assignors.js'

export interface ShareGroupDescription {
  groupId: string
  state: string
  groupEpoch: number
  assignmentEpoch: number
  assignor: string
  members: Array<{ memberId: string, memberEpoch: number, clientId: string, clientHost: string, rackId: string | null, topics: string[], assignment: TopicPartitions[] }>
}

export interface ShareGroupOffset {
  topic: string
  partition: number
  /** The share-partition start offset: records before it are done for this group. */
  startOffset: bigint
  leaderEpoch: number
  /** Records from the start offset to the log end not yet acknowledged (null before v1). */
  lag: bigint | null
}

export async function describeShareGroups (cluster: Cluster, groupIds: readonly string[]): Promise<ShareGroupDescription[]> {
  const out: ShareGroupDescription[] = []
  for (const groupId of groupIds) {
    const r = await cluster.toCoordinator(groupId, CoordinatorType.Group, shareGroupDescribeApi,
      () => ({ groupIds: [groupId], includeAuthorizedOperations: false }),
      (res) => { const g = res.groups[0]; if (g !== undefined && g.errorCode !== ErrorCode.NONE) throw kafkaError(g.errorCode, g.errorMessage ?? `describe share group ${groupId}`) })
    const g = r.groups[0]
    if (g === undefined) throw kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `ShareGroupDescribe answered no group for ${groupId}`)
    out.push({
      groupId: g.groupId,
      state: g.groupState,
      groupEpoch: g.groupEpoch,
      assignmentEpoch: g.assignmentEpoch,
      assignor: g.assignorName,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        memberEpoch: m.memberEpoch,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rackId: m.rackId ?? null,
        topics: m.subscribedTopicNames,
        assignment: m.assignment.topicPartitions.map((t) => ({ topic: t.topicName, partitions: t.partitions }))
      }))
    })
  }
  return out
}

/** The group's share-partitions (all of them, or those of `topics`), sorted by topic and partition. */
export async function describeShareGroupOffsets (cluster: Cluster, groupId: string, topics?: ReadonlyArray<{ topic: string, partitions: number[] }>): Promise<ShareGroupOffset[]> {
  const r = await cluster.toCoordinator(groupId, CoordinatorType.Group, describeShareGroupOffsetsApi,
    () => ({ groups: [{ groupId, topics: topics === undefined ? null : topics.map((t) => ({ topicName: t.topic, partitions: t.partitions })) }] }),
    (res) => { const g = res.groups[0]; if (g !== undefined && g.errorCode !== ErrorCode.NONE) throw kafkaError(g.errorCode, g.errorMessage ?? `describe share group offsets of ${groupId}`) })
  const out: ShareGroupOffset[] = []
  for (const t of r.groups[0]?.topics ?? []) {
    for (const p of t.partitions) {
      if (p.errorCode !== ErrorCode.NONE) throw kafkaError(p.errorCode, p.errorMessage ?? `share group offsets of ${groupId} on ${t.topicName}-${p.partitionIndex}`)
      out.push({ topic: t.topicName, partition: p.partitionIndex, startOffset: p.startOffset, leaderEpoch: p.leaderEpoch, lag: p.lag ?? null })
    }
  }
  return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
}

/** Sets share-partition start offsets; the group must have no members (NON_EMPTY_GROUP otherwise). */
export async function alterShareGroupOffsets (cluster: Cluster, groupId: string, offsets: ReadonlyArray<{ topic: string, partition: number, offset: bigint }>): Promise<void> {
  const byTopic = new Map<string, Array<{ partitionIndex: number, startOffset: bigint }>>()
  for (const o of offsets) {
    const list = byTopic.get(o.topic) ?? []
    list.push({ partitionIndex: o.partition, startOffset: o.offset })
    byTopic.set(o.topic, list)
  }
  await cluster.toCoordinator(groupId, CoordinatorType.Group, alterShareGroupOffsetsApi,
    () => ({ groupId, topics: [...byTopic].map(([topicName, partitions]) => ({ topicName, partitions })) }),
    (res) => {
      if (res.errorCode !== ErrorCode.NONE) throw kafkaError(res.errorCode, res.errorMessage ?? `alter share group offsets of ${groupId}`)
      for (const t of res.responses) {
        for (const p of t.partitions) if (p.errorCode !== ErrorCode.NONE) throw kafkaError(p.errorCode, p.errorMessage ?? `alter share group offsets of ${groupId} on ${t.topicName}-${p.partitionIndex}`)
      }
    })
}

/** Drops the group's share state for whole topics; the group must have no members. */
export async function deleteShareGroupOffsets (cluster: Cluster, groupId: string, topics: readonly string[]): Promise<void> {
  await cluster.toCoordinator(groupId, CoordinatorType.Group, deleteShareGroupOffsetsApi,
    () => ({ groupId, topics: topics.map((topicName) => ({ topicName })) }),
    (res) => {
      if (res.errorCode !== ErrorCode.NONE) throw kafkaError(res.errorCode, res.errorMessage ?? `delete share group offsets of ${groupId}`)
      for (const t of res.responses) if (t.errorCode !== ErrorCode.NONE) throw kafkaError(t.errorCode, t.errorMessage ?? `delete share group offsets of ${groupId} on ${t.topicName}`)
    })
}
