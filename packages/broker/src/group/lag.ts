// Consumer lag, as kafka-consumer-groups --describe shows it: per partition, the group's committed
// offset against the partition's end (the high watermark, what ListOffsets "latest" returns), and
// which member owns the partition (from the consumer-protocol assignment in DescribeGroups).
// Pure: callers fetch the three inputs (OffsetFetch, ListOffsets, DescribeGroups) however they
// talk to the cluster. A partition with no commit has no lag ("-" in Kafka's tool); a commit past
// the end (after records were deleted) counts as lag 0.
import { decodeAssignment } from './consumer-protocol.js'

export interface TopicPartitionOffset {
  topic: string
  partition: number
  /** -1 (OffsetFetch) means "no committed offset". */
  offset: bigint
}

export interface LagMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  /** DescribeGroups' member_assignment (consumer protocol bytes; empty when not Stable). */
  memberAssignment: Buffer
}

export interface PartitionLag {
  topic: string
  partition: number
  committedOffset: bigint | null
  endOffset: bigint | null
  lag: bigint | null
  memberId: string | null
  clientId: string | null
  clientHost: string | null
}

export interface MemberLag {
  memberId: string
  clientId: string
  clientHost: string
  partitions: number
  lag: bigint
}

export interface GroupLag {
  partitions: PartitionLag[]
  members: MemberLag[]
  /** Sum of the known per-partition lags. */
  totalLag: bigint
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`

export function computeLag (input: {
  committed: readonly TopicPartitionOffset[]
  endOffsets: readonly TopicPartitionOffset[]
  members?: readonly LagMember[]
}): GroupLag {
  const committed = new Map(input.committed.filter((c) => c.offset >= 0n).map((c) => [key(c.topic, c.partition), c.offset]))
  const ends = new Map(input.endOffsets.map((e) => [key(e.topic, e.partition), e.offset]))
  const owners = new Map<string, LagMember>()
  for (const member of input.members ?? []) {
    for (const tp of decodeAssignment(member.memberAssignment)?.assignedPartitions ?? []) {
      for (const p of tp.partitions) owners.set(key(tp.topic, p), member)
    }
  }
  // Every partition the group committed to or owns, in topic/partition order.
  const all = new Map<string, { topic: string, partition: number }>()
  for (const c of input.committed) if (c.offset >= 0n) all.set(key(c.topic, c.partition), { topic: c.topic, partition: c.partition })
  for (const member of input.members ?? []) {
    for (const tp of decodeAssignment(member.memberAssignment)?.assignedPartitions ?? []) {
      for (const p of tp.partitions) all.set(key(tp.topic, p), { topic: tp.topic, partition: p })
    }
  }
  const partitions: PartitionLag[] = [...all.values()]
    .sort((a, b) => a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1)
    .map(({ topic, partition }) => {
      const k = key(topic, partition)
      const c = committed.get(k) ?? null
      const end = ends.get(k) ?? null
      const owner = owners.get(k)
      const lag = c === null || end === null ? null : (end > c ? end - c : 0n)
      return {
        topic,
        partition,
        committedOffset: c,
        endOffset: end,
        lag,
        memberId: owner?.memberId ?? null,
        clientId: owner?.clientId ?? null,
        clientHost: owner?.clientHost ?? null
      }
    })
  const members: MemberLag[] = (input.members ?? []).map((m) => {
    const mine = partitions.filter((p) => p.memberId === m.memberId)
    return {
      memberId: m.memberId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      partitions: mine.length,
      lag: mine.reduce((sum, p) => sum + (p.lag ?? 0n), 0n)
    }
  })
  return { partitions, members, totalLag: partitions.reduce((sum, p) => sum + (p.lag ?? 0n), 0n) }
}
