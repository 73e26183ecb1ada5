// The online upgrade of a classic group to a consumer group (Kafka's convertToConsumerGroup),
// done when the first KIP-848 member joins a classic group that still has members. Allowed only
// when group.consumer.migration.policy permits upgrades, for a Stable classic group of protocol type "consumer" whose members' subscriptions and
// assignments decode (anything else is GROUP_ID_NOT_FOUND, as Kafka answers when it will not
// upgrade). Every classic member becomes a member of the consumer group that keeps speaking the
// classic protocol (./classic-members.ts): its subscription, its assignment as current and
// target assignment, the generation as member epoch, group epoch and target epoch. The classic
// GroupMetadata is tombstoned; committed offsets stay.
import { upgradeEnabled } from '../config.js'
import { GroupError } from '../errors.js'
import type { Group } from '../classic/group.js'
import { decodeAssignment, decodeSubscription } from '../consumer-protocol.js'
import { groupRecord, type GroupRecord } from '../records.js'
import type { ShardContext } from '../shard-context.js'
import { type Assignment, add, emptyAssignment, toWire } from './assignment.js'
import { ConsumerGroup } from './group.js'
import { ConsumerMember, MemberState, currentToRecord } from './member.js'
import type { ConsumerMembership } from './membership.js'
import { HeartbeatError } from './membership.js'
import type { MemberMetadata } from './records.js'
import { resolveGroupTopics } from './subscriptions.js'
import type { TopicResolver } from './topics.js'

export function assignmentByIds (topics: TopicResolver, named: ReadonlyArray<{ topic: string, partitions: number[] }>): Assignment {
  const out = emptyAssignment()
  for (const tp of named) {
    const t = topics.byName(tp.topic)
    if (t === undefined) continue
    for (const p of tp.partitions) if (p >= 0 && p < t.partitions) add(out, t.id, p)
  }
  return out
}

/** Builds the consumer group the classic group becomes, and appends the records that make it so. */
export function upgradeClassicGroup (s: ShardContext, membership: ConsumerMembership, classic: Group, records: GroupRecord[]): ConsumerGroup {
  const refuse = (why: string): HeartbeatError => {
    s.logger.info(`group ${classic.groupId}: not upgraded to a consumer group: ${why}`)
    return new HeartbeatError(GroupError.GROUP_ID_NOT_FOUND, `Group ${classic.groupId} is not a consumer group (${why}).`)
  }
  if (!upgradeEnabled(s.config.consumerMigrationPolicy)) throw refuse(`the online upgrade is disabled (group.consumer.migration.policy=${s.config.consumerMigrationPolicy})`)
  if (!classic.usesConsumerProtocol()) throw refuse('its protocol type is not consumer')
  if (!classic.is('Stable')) throw refuse(`it is ${classic.state}, not Stable`)
  if (classic.size >= s.config.consumerMaxSize) throw refuse('it is full')
  const group = new ConsumerGroup(classic.groupId)
  const epoch = classic.generationId
  for (const m of classic.members.values()) {
    const subscription = decodeSubscription(m.metadata(classic.protocolName))
    const assignment = m.assignment.length === 0 ? { assignedPartitions: [] } : decodeAssignment(m.assignment)
    if (subscription === null || assignment === null) throw refuse(`member ${m.memberId} has undecodable consumer protocol bytes`)
    const metadata: MemberMetadata = {
      instanceId: m.groupInstanceId,
      rackId: subscription.rackId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: subscription.topics,
      subscribedTopicRegex: null,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      serverAssignor: null,
      classic: { sessionTimeoutMs: m.sessionTimeoutMs, supportedProtocols: m.protocols.map((p) => ({ name: p.name, metadata: p.metadata })) }
    }
    const assigned = assignmentByIds(s.topics, assignment.assignedPartitions)
    group.members.set(m.memberId, new ConsumerMember(m.memberId, metadata, {
      memberEpoch: epoch, previousMemberEpoch: epoch - 1, state: MemberState.STABLE, assigned, pendingRevocation: emptyAssignment()
    }))
    group.target.set(m.memberId, assigned)
  }
  group.groupEpoch = epoch
  group.assignmentEpoch = epoch
  group.topics = resolveGroupTopics(group.members.values(), s.topics)

  records.push(groupRecord(classic.groupId, null))
  records.push({ type: 'cg-epoch', groupId: group.groupId, value: { epoch } })
  records.push({ type: 'cg-topics', groupId: group.groupId, value: group.topics })
  for (const m of group.members.values()) {
    records.push({ type: 'cg-member', groupId: group.groupId, memberId: m.memberId, value: m.metadata })
    records.push({ type: 'cg-target', groupId: group.groupId, memberId: m.memberId, value: toWire(m.current.assigned) })
    records.push({ type: 'cg-current', groupId: group.groupId, memberId: m.memberId, value: currentToRecord(m.current) })
    membership.scheduleSession(group.groupId, m.memberId, m.metadata.classic?.sessionTimeoutMs)
  }
  records.push({ type: 'cg-target-epoch', groupId: group.groupId, value: { assignmentEpoch: epoch } })
  s.logger.info(`group ${classic.groupId}: upgraded from classic to consumer group with ${group.members.size} classic member(s) at epoch ${epoch}`)
  return group
}
