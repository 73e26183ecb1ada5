// The way back (Kafka's convertToClassicGroup): when the last member speaking the consumer
// protocol leaves or is fenced and only classic members remain, the consumer group becomes a
// classic group again. Its records are tombstoned and a GroupMetadata snapshot written: the
// remaining members with their classic subscriptions and current assignments, a protocol every
// one of them supports, and generation = group epoch + 1, so that their next Heartbeat or
// OffsetCommit (still at their member epoch) answers ILLEGAL_GENERATION and they rejoin through
// an ordinary classic rebalance. group.consumer.migration.policy may forbid it: the group then
// stays a consumer group serving its classic members.
import { downgradeEnabled } from '../config.js'
import { encodeAssignment } from '../consumer-protocol.js'
import { groupRecord, type GroupRecord, type GroupSnapshot } from '../records.js'
import type { ShardContext } from '../shard-context.js'
import { toWire } from './assignment.js'
import type { ConsumerGroup } from './group.js'
import type { ConsumerMember } from './member.js'
import { groupTombstones, memberTombstones } from './records.js'

/** The records of the downgrade, or null when some remaining member speaks the consumer protocol (or none remain). */
export function downgradeRecords (s: ShardContext, group: ConsumerGroup, leavingMemberId: string): GroupRecord[] | null {
  const remaining = [...group.members.values()].filter((m) => m.memberId !== leavingMemberId)
  if (remaining.length === 0 || remaining.some((m) => m.metadata.classic == null)) return null
  if (!downgradeEnabled(s.config.consumerMigrationPolicy)) {
    s.logger.info(`group ${group.groupId}: not downgraded to a classic group: the online downgrade is disabled (group.consumer.migration.policy=${s.config.consumerMigrationPolicy})`)
    return null
  }
  const protocol = commonProtocol(remaining)
  if (protocol === null) return null
  const records: GroupRecord[] = [...memberTombstones(group.groupId, leavingMemberId)]
  for (const m of remaining) records.push(...memberTombstones(group.groupId, m.memberId))
  records.push(...groupTombstones(group.groupId))
  const snapshot: GroupSnapshot = {
    protocolType: 'consumer',
    generation: group.groupEpoch + 1,
    protocol,
    leader: remaining[0]?.memberId ?? null,
    currentStateTimestamp: s.clock.now(),
    members: remaining.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.metadata.instanceId,
      clientId: m.metadata.clientId,
      clientHost: m.metadata.clientHost,
      rebalanceTimeoutMs: m.metadata.rebalanceTimeoutMs,
      sessionTimeoutMs: m.metadata.classic?.sessionTimeoutMs ?? s.config.consumerSessionTimeoutMs,
      subscription: m.metadata.classic?.supportedProtocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0),
      assignment: encodeAssignment({
        assignedPartitions: toWire(m.current.assigned).flatMap((t) => {
          const name = s.topics.byId(t.topicId)?.name
          return name === undefined ? [] : [{ topic: name, partitions: t.partitions }]
        })
      })
    }))
  }
  records.push(groupRecord(group.groupId, snapshot))
  s.logger.info(`group ${group.groupId}: downgraded from consumer to classic group with ${remaining.length} classic member(s)`)
  return records
}

/** The first protocol of the first member that every member supports. */
function commonProtocol (members: readonly ConsumerMember[]): string | null {
  const first = members[0]?.metadata.classic?.supportedProtocols ?? []
  for (const p of first) {
    if (members.every((m) => m.metadata.classic?.supportedProtocols.some((q) => q.name === p.name) === true)) return p.name
  }
  return null
}
