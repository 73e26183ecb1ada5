// Members of a consumer group that speak the classic protocol (Kafka's classicGroup*ToConsumerGroup):
// the members a classic group had when it was upgraded online, and classic consumers joining
// later. The broker still computes their assignment; the classic APIs carry it:
//
//  - JoinGroup updates the member's subscription (from its consumer protocol metadata) and
//    reconciles it at once with the partitions it says it still owns (none for an eager client,
//    which gave everything up before rejoining). The answer has the member epoch as generation
//    and no leader: every classic member is a follower.
//  - SyncGroup (generation = member epoch) returns the member's current assignment.
//  - Heartbeat (generation = member epoch) keeps the session; REBALANCE_IN_PROGRESS when the group
//    epoch moved past the member's epoch or the member still waits for partitions, so it rejoins.
//  - LeaveGroup removes the member like a consumer-protocol leave.
import { GroupError } from '../errors.js'
import { joinError, syncError } from '../classic/membership.js'
import { decodeSubscription, encodeAssignment } from '../consumer-protocol.js'
import { type OpResult, result } from '../op.js'
import type { GroupRecord } from '../records.js'
import type { ShardContext } from '../shard-context.js'
import type {
  HeartbeatInput, JoinGroupInput, JoinGroupResult, LeaveGroupResult, LeaveMemberInput, RequestInfo, SyncGroupInput, SyncGroupResult
} from '../types.js'
import { type Assignment, emptyAssignment, toWire } from './assignment.js'
import type { ConsumerGroup } from './group.js'
import { ConsumerMember, MemberState, currentToRecord, initialCurrent, sameCurrent, sameMetadata, sameTopics } from './member.js'
import type { ConsumerMembership } from './membership.js'
import type { MemberMetadata } from './records.js'
import { reconcile } from './reconcile.js'
import { nextGroupEpoch } from './subscriptions.js'
import { assignmentByIds } from './upgrade.js'
import { randomUUID } from 'node:crypto'

const CONSUMER_PROTOCOL_TYPE = 'consumer'

export class ClassicMembers {
  readonly #s: ShardContext
  readonly #membership: ConsumerMembership

  constructor (context: ShardContext, membership: ConsumerMembership) {
    this.#s = context
    this.#membership = membership
  }

  join (info: RequestInfo, group: ConsumerGroup, req: JoinGroupInput): OpResult<JoinGroupResult> {
    if (req.protocolType !== CONSUMER_PROTOCOL_TYPE || req.protocols.length === 0) {
      return result(joinError(req.memberId, GroupError.INCONSISTENT_GROUP_PROTOCOL))
    }
    const protocol = req.protocols[0]!
    const subscription = decodeSubscription(protocol.metadata)
    if (subscription === null) return result(joinError(req.memberId, GroupError.INCONSISTENT_GROUP_PROTOCOL))
    if (req.sessionTimeoutMs < this.#s.config.minSessionTimeoutMs || req.sessionTimeoutMs > this.#s.config.maxSessionTimeoutMs) {
      return result(joinError(req.memberId, GroupError.INVALID_SESSION_TIMEOUT))
    }
    let memberId = req.memberId
    if (memberId === '') {
      memberId = `${info.clientId}-${randomUUID()}`
      // JoinGroup v4+: the member must come back with the id it is given.
      if (info.apiVersion >= 4) return result(joinError(memberId, GroupError.MEMBER_ID_REQUIRED))
    }
    const known = group.members.get(memberId)
    if (known === undefined && group.members.size >= this.#s.config.consumerMaxSize) return result(joinError(memberId, GroupError.GROUP_MAX_SIZE_REACHED))
    if (known !== undefined && known.metadata.classic == null) return result(joinError(memberId, GroupError.INCONSISTENT_GROUP_PROTOCOL))
    const member = known?.copy() ?? new ConsumerMember(memberId, {
      instanceId: req.groupInstanceId, rackId: null, clientId: '', clientHost: '', subscribedTopicNames: [], subscribedTopicRegex: null, rebalanceTimeoutMs: -1, serverAssignor: null
    }, initialCurrent())
    const records: GroupRecord[] = []
    const metadata: MemberMetadata = {
      instanceId: req.groupInstanceId,
      rackId: subscription.rackId,
      clientId: info.clientId,
      clientHost: info.clientHost,
      subscribedTopicNames: subscription.topics,
      subscribedTopicRegex: null,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      serverAssignor: null,
      classic: { sessionTimeoutMs: req.sessionTimeoutMs, supportedProtocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })) }
    }
    let bump = known === undefined
    if (known === undefined || !sameMetadata(known.metadata, metadata)) {
      records.push({ type: 'cg-member', groupId: group.groupId, memberId, value: metadata })
      if (known !== undefined && !sameTopics(known.metadata.subscribedTopicNames, metadata.subscribedTopicNames)) bump = true
    }
    member.metadata = metadata
    const members = new Map(group.members)
    members.set(memberId, member)
    const { topics, groupEpoch } = nextGroupEpoch(group, members.values(), this.#s.topics, bump, records)
    let targetEpoch = group.assignmentEpoch
    let target: Assignment = group.targetOf(memberId)
    if (groupEpoch > targetEpoch) {
      const computed = this.#membership.computeTarget(group.groupId, members, topics, new Map(group.target), groupEpoch)
      records.push(...computed.records)
      target = computed.target.get(memberId) ?? emptyAssignment()
      targetEpoch = groupEpoch
    }
    // What the client still owns: its subscription's owned partitions (none for eager clients).
    const owned = assignmentByIds(this.#s.topics, subscription.ownedPartitions)
    const owners = group.owners()
    const ownedByOther = (t: string, p: number): boolean => {
      const owner = owners.get(`${t}:${p}`)
      return owner !== undefined && owner !== memberId
    }
    let next = reconcile({ current: member.current, targetEpoch, target, owned, ownedByOther })
    // Rejoining is the classic client's acknowledgement: what it no longer owns is revoked now.
    if (next.state === MemberState.UNREVOKED_PARTITIONS) next = reconcile({ current: next, targetEpoch, target, owned, ownedByOther })
    if (known === undefined || !sameCurrent(known.current, next)) {
      records.push({ type: 'cg-current', groupId: group.groupId, memberId, value: currentToRecord(next) })
    }
    this.#membership.scheduleSession(group.groupId, memberId, req.sessionTimeoutMs)
    return result({
      errorCode: GroupError.NONE,
      generationId: next.memberEpoch,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocolName: protocol.name,
      leader: '',
      skipAssignment: false,
      memberId,
      members: []
    }, records)
  }

  sync (group: ConsumerGroup, req: SyncGroupInput): OpResult<SyncGroupResult> {
    const member = group.members.get(req.memberId)
    if (member === undefined) return result(syncError(GroupError.UNKNOWN_MEMBER_ID))
    if (req.generationId !== member.current.memberEpoch) return result(syncError(GroupError.ILLEGAL_GENERATION))
    if ((req.protocolType !== null && req.protocolType !== CONSUMER_PROTOCOL_TYPE)) return result(syncError(GroupError.INCONSISTENT_GROUP_PROTOCOL))
    const protocolName = req.protocolName ?? member.metadata.classic?.supportedProtocols[0]?.name ?? null
    this.#membership.scheduleSession(group.groupId, member.memberId, member.metadata.classic?.sessionTimeoutMs)
    const assignedPartitions = toWire(member.current.assigned).flatMap((t) => {
      const name = this.#s.topics.byId(t.topicId)?.name
      return name === undefined ? [] : [{ topic: name, partitions: t.partitions }]
    })
    return result({ errorCode: GroupError.NONE, protocolType: CONSUMER_PROTOCOL_TYPE, protocolName, assignment: encodeAssignment({ assignedPartitions }) })
  }

  heartbeat (group: ConsumerGroup, req: HeartbeatInput): OpResult<number> {
    const member = group.members.get(req.memberId)
    if (member === undefined) return result(GroupError.UNKNOWN_MEMBER_ID)
    if (req.generationId !== member.current.memberEpoch) return result(GroupError.ILLEGAL_GENERATION)
    this.#membership.scheduleSession(group.groupId, member.memberId, member.metadata.classic?.sessionTimeoutMs)
    const reconciled = member.current.state === MemberState.STABLE && member.current.memberEpoch === group.groupEpoch
    return result(reconciled ? GroupError.NONE : GroupError.REBALANCE_IN_PROGRESS)
  }

  leave (group: ConsumerGroup, members: LeaveMemberInput[]): OpResult<LeaveGroupResult> {
    const records: GroupRecord[] = []
    const answers = members.map((m) => {
      const member = m.groupInstanceId === null ? group.members.get(m.memberId) : group.staticMember(m.groupInstanceId)
      if (member === undefined) return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: GroupError.UNKNOWN_MEMBER_ID }
      if (m.groupInstanceId !== null && m.memberId !== '' && member.memberId !== m.memberId) {
        return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: GroupError.FENCED_INSTANCE_ID }
      }
      records.push(...this.#membership.removeMemberRecords(group, member.memberId))
      return { memberId: member.memberId, groupInstanceId: m.groupInstanceId, errorCode: GroupError.NONE }
    })
    // Several members leaving at once: one group epoch bump is enough (the last record wins).
    return result({ errorCode: GroupError.NONE, members: answers }, records)
  }
}
