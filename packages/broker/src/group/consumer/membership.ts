// ConsumerGroupHeartbeat (KIP-848) as Kafka's GroupMetadataManager.consumerGroupHeartbeat, in
// three steps run inside the group's serial queue:
//
//  1. The member is created or updated (MemberMetadata record). A new member, a changed
//     subscription, or a change in the subscribed topics (created, deleted, more partitions, new
//     regex matches) bumps the group epoch (GroupEpoch and PartitionMetadata records).
//  2. When the group epoch is ahead of the target assignment's, the group's assignor computes a
//     new target for every member (TargetAssignment records for the members whose target
//     changed, then the target epoch).
//  3. The member is reconciled towards its target (./reconcile.ts); a changed current assignment
//     is written (CurrentMemberAssignment record) and returned.
// The response carries the assignment when the member joined, reported its partitions, or its
// assignment changed. Other members learn about a new target on their next heartbeat.
//
// Timers: every heartbeat re-arms the member's session timeout (the group's
// consumer.session.timeout.ms, else group.consumer.session.timeout.ms);
// a member that keeps partitions it must revoke past its rebalance timeout is fenced. Fencing
// and leaving (epoch -1) remove the member and bump the group epoch; a static member leaving
// with epoch -2 keeps its place and partitions until its session times out or it rejoins with
// the same group.instance.id.
//
// One deliberate difference: a known dynamic member heartbeating with epoch 0 (it was fenced and
// has released everything) rejoins under its id with an empty assignment, where Kafka answers
// FENCED_MEMBER_EPOCH until the session of the old incarnation expires.
import { randomUUID } from 'node:crypto'
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '@brook/protocol'
import { GroupError } from '../errors.js'
import { type OpResult, result } from '../op.js'
import { groupRecord, type GroupRecord } from '../records.js'
import type { ShardContext } from '../shard-context.js'
import type { RequestInfo } from '../types.js'
import { type Assignment, copyAssignment, emptyAssignment, equalAssignments, fromWire, isSubset, toWire } from './assignment.js'
import { ASSIGNORS, type Assignor } from './assignors.js'
import { ConsumerGroup } from './group.js'
import {
  ConsumerMember, LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH, MemberState, currentToRecord, initialCurrent,
  sameCurrent, sameMetadata, sameTopics
} from './member.js'
import { type ConsumerGroupRecord, memberTombstones, type MemberMetadata, type TopicMetadata } from './records.js'
import { reconcile } from './reconcile.js'
import { InvalidRegexError, compileWholeNameRegex } from '../../regex/whole-name.js'
import { memberTopicIds, nextGroupEpoch } from './subscriptions.js'
import { upgradeClassicGroup } from './upgrade.js'
import { downgradeRecords } from './downgrade.js'

export type HeartbeatResponse = Omit<ConsumerGroupHeartbeatResponse, 'throttleTimeMs'>

/** A heartbeat refused with a Kafka error code and message. */
export class HeartbeatError extends Error {
  readonly code: number
  constructor (code: number, message: string) {
    super(message)
    this.name = 'HeartbeatError'
    this.code = code
  }
}

export function heartbeatError (code: number, message: string | null = null): HeartbeatResponse {
  return { errorCode: code, errorMessage: message, memberId: null, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null }
}

export const sessionKey = (groupId: string, memberId: string): string => `cg-session:${groupId}:${memberId}`
export const revocationKey = (groupId: string, memberId: string): string => `cg-revoke:${groupId}:${memberId}`

const DEFAULT_REBALANCE_TIMEOUT_MS = 300_000

export class ConsumerMembership {
  readonly #s: ShardContext

  constructor (context: ShardContext) {
    this.#s = context
  }

  heartbeat (info: RequestInfo, req: ConsumerGroupHeartbeatRequest): OpResult<HeartbeatResponse> {
    try {
      validate(req, info.apiVersion, this.#s.config.consumerAssignors)
      if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) return this.#leave(req)
      return this.#heartbeat(info, req)
    } catch (err) {
      if (err instanceof HeartbeatError) return result(heartbeatError(err.code, err.message))
      throw err
    }
  }

  // ---------------------------------------------------------------- join / update

  #heartbeat (info: RequestInfo, req: ConsumerGroupHeartbeatRequest): OpResult<HeartbeatResponse> {
    const records: GroupRecord[] = []
    const joining = req.memberEpoch === 0
    const group = this.#groupFor(req.groupId, joining, records)
    const memberId = req.memberId === '' ? randomUUID() : req.memberId
    if (group.members.size >= this.#s.config.consumerMaxSize && !group.members.has(memberId) &&
      (req.instanceId == null || group.staticMember(req.instanceId) === undefined)) {
      throw new HeartbeatError(GroupError.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${this.#s.config.consumerMaxSize} members.`)
    }
    const owned = req.topicPartitions == null ? null : fromWire(req.topicPartitions)

    // The member as it stands (a copy: the group changes only by replay), and who it replaces.
    let member: ConsumerMember
    let replaced: ConsumerMember | null = null
    const instanceId = req.instanceId ?? null
    const existingStatic = instanceId === null ? undefined : group.staticMember(instanceId)
    if (instanceId !== null && joining && existingStatic !== undefined && existingStatic.memberId !== memberId) {
      if (existingStatic.current.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
        throw new HeartbeatError(GroupError.UNRELEASED_INSTANCE_ID,
          `Static member ${memberId} with instance id ${instanceId} cannot join the group because the instance id is owned by ${existingStatic.memberId} member.`)
      }
      // The static member comes back under a new id: it takes over the old one's partitions.
      replaced = existingStatic
      member = new ConsumerMember(memberId, existingStatic.metadata, {
        ...initialCurrent(), assigned: copyAssignment(existingStatic.current.assigned)
      })
    } else if (instanceId !== null && !joining) {
      if (existingStatic === undefined) throw new HeartbeatError(GroupError.UNKNOWN_MEMBER_ID, `Instance id ${instanceId} is unknown.`)
      if (existingStatic.memberId !== memberId) {
        throw new HeartbeatError(GroupError.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} was fenced by member ${existingStatic.memberId}.`)
      }
      member = existingStatic.copy()
      checkEpoch(member, req.memberEpoch, owned)
    } else {
      const known = group.members.get(memberId)
      if (known === undefined) {
        if (!joining) throw new HeartbeatError(GroupError.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${req.groupId}.`)
        member = new ConsumerMember(memberId, emptyMetadata())
      } else if (joining) {
        // Rejoin after being fenced: everything was released (see the header).
        member = known.copy()
        member.current = initialCurrent()
      } else {
        member = known.copy()
        checkEpoch(member, req.memberEpoch, owned)
      }
    }
    const before = group.members.get(memberId)

    // 1. Member metadata and the group epoch.
    const metadata: MemberMetadata = {
      instanceId: instanceId ?? member.metadata.instanceId,
      rackId: req.rackId ?? member.metadata.rackId,
      clientId: info.clientId,
      clientHost: info.clientHost,
      subscribedTopicNames: req.subscribedTopicNames ?? member.metadata.subscribedTopicNames,
      subscribedTopicRegex: req.subscribedTopicRegex ?? member.metadata.subscribedTopicRegex,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : (member.metadata.rebalanceTimeoutMs > 0 ? member.metadata.rebalanceTimeoutMs : DEFAULT_REBALANCE_TIMEOUT_MS),
      serverAssignor: req.serverAssignor ?? member.metadata.serverAssignor
    }
    let bump = before === undefined || replaced !== null
    if (before === undefined || !sameMetadata(before.metadata, metadata)) {
      records.push({ type: 'cg-member', groupId: group.groupId, memberId, value: metadata })
      if (before !== undefined && (!sameTopics(before.metadata.subscribedTopicNames, metadata.subscribedTopicNames) ||
        before.metadata.subscribedTopicRegex !== metadata.subscribedTopicRegex)) bump = true
    }
    member.metadata = metadata
    const members = new Map(group.members)
    if (replaced !== null) {
      members.delete(replaced.memberId)
      records.push(...memberTombstones(group.groupId, replaced.memberId))
      this.#cancelTimers(group.groupId, replaced.memberId)
    }
    members.set(memberId, member)
    const { topics, groupEpoch } = nextGroupEpoch(group, members.values(), this.#s.topics, bump, records)

    // 2. The target assignment.
    let targetEpoch = group.assignmentEpoch
    let target = group.targetOf(memberId)
    if (groupEpoch > targetEpoch || replaced !== null) {
      const previous = new Map(group.target)
      if (replaced !== null) previous.set(memberId, group.targetOf(replaced.memberId))
      const computed = this.computeTarget(group.groupId, members, topics, previous, groupEpoch)
      records.push(...computed.records)
      target = computed.target.get(memberId) ?? emptyAssignment()
      targetEpoch = groupEpoch
    }

    // 3. Reconciliation.
    const owners = group.owners()
    const next = reconcile({
      current: member.current,
      targetEpoch,
      target,
      owned,
      ownedByOther: (t, p) => {
        const owner = owners.get(`${t}:${p}`)
        return owner !== undefined && owner !== memberId && owner !== replaced?.memberId
      }
    })
    const currentChanged = before === undefined || replaced !== null || joining || !sameCurrent(before.current, next)
    if (currentChanged) records.push({ type: 'cg-current', groupId: group.groupId, memberId, value: currentToRecord(next) })

    this.scheduleSession(group.groupId, memberId)
    if (next.state === MemberState.UNREVOKED_PARTITIONS) {
      if (member.current.state !== MemberState.UNREVOKED_PARTITIONS) this.#scheduleRevocation(group.groupId, memberId, metadata.rebalanceTimeoutMs, next.memberEpoch)
    } else {
      this.#s.scheduler.cancel(revocationKey(group.groupId, memberId))
    }

    const assignmentChanged = before === undefined || !equalAssignments(before.current.assigned, next.assigned)
    const response: HeartbeatResponse = {
      errorCode: GroupError.NONE,
      errorMessage: null,
      memberId,
      memberEpoch: next.memberEpoch,
      heartbeatIntervalMs: this.#s.groupConfigs.heartbeatIntervalMs(group.groupId),
      assignment: owned !== null || joining || assignmentChanged ? { topicPartitions: toWire(next.assigned) } : null
    }
    return result(response, records)
  }

  /** The consumer group, created (or converted from an empty classic group) when a member joins. */
  #groupFor (groupId: string, create: boolean, records: GroupRecord[]): ConsumerGroup {
    const existing = this.#s.consumerGroups.get(groupId)
    if (existing !== undefined) return existing
    if (!create) throw new HeartbeatError(GroupError.UNKNOWN_MEMBER_ID, `Group ${groupId} has no member with this id.`)
    const classic = this.#s.groups.get(groupId)
    if (classic !== undefined) {
      if (!classic.is('Empty') || classic.size > 0) return upgradeClassicGroup(this.#s, this, classic, records)
      // An empty classic group becomes a consumer group (its offsets stay): as Kafka, its
      // GroupMetadata is deleted.
      records.push(groupRecord(groupId, null))
    }
    const group = new ConsumerGroup(groupId)
    records.push({ type: 'cg-epoch', groupId, value: { epoch: 0 } })
    return group
  }

  computeTarget (
    groupId: string, members: ReadonlyMap<string, ConsumerMember>, topics: readonly TopicMetadata[],
    previous: ReadonlyMap<string, Assignment>, epoch: number
  ): { records: GroupRecord[], target: Map<string, Assignment> } {
    const assignor = this.#assignorFor(members.values())
    const target = assignor.assign({
      members: [...members.values()].sort((a, b) => (a.memberId < b.memberId ? -1 : 1)).map((m) => ({ memberId: m.memberId, topics: memberTopicIds(m, topics) })),
      topics: new Map(topics.map((t) => [t.topicId, t.numPartitions])),
      previous
    })
    const records: ConsumerGroupRecord[] = []
    for (const [memberId, assignment] of target) {
      const before = previous.get(memberId)
      if (before === undefined || !equalAssignments(before, assignment) || !this.#s.consumerGroups.get(groupId)?.target.has(memberId)) {
        records.push({ type: 'cg-target', groupId, memberId, value: toWire(assignment) })
      }
    }
    records.push({ type: 'cg-target-epoch', groupId, value: { assignmentEpoch: epoch } })
    return { records, target }
  }

  /** The assignor most members ask for, else the first of group.consumer.assignors. */
  #assignorFor (members: Iterable<ConsumerMember>): Assignor {
    const votes = new Map<string, number>()
    for (const m of members) {
      const name = m.metadata.serverAssignor
      if (name !== null && ASSIGNORS.has(name)) votes.set(name, (votes.get(name) ?? 0) + 1)
    }
    let best: string | undefined
    for (const [name, n] of votes) if (best === undefined || n > (votes.get(best) ?? 0)) best = name
    const name = best ?? this.#s.config.consumerAssignors[0] ?? 'uniform'
    return ASSIGNORS.get(name) ?? (ASSIGNORS.get('uniform') as Assignor)
  }

  // ---------------------------------------------------------------- leaving, fencing, timers

  #leave (req: ConsumerGroupHeartbeatRequest): OpResult<HeartbeatResponse> {
    const group = this.#s.consumerGroups.get(req.groupId)
    if (group === undefined) throw new HeartbeatError(GroupError.UNKNOWN_MEMBER_ID, `Group ${req.groupId} not found.`)
    const instanceId = req.instanceId ?? null
    const member = instanceId === null ? group.members.get(req.memberId) : group.staticMember(instanceId)
    if (member === undefined) throw new HeartbeatError(GroupError.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${req.groupId}.`)
    if (member.memberId !== req.memberId) {
      throw new HeartbeatError(GroupError.FENCED_INSTANCE_ID, `Static member ${req.memberId} with instance id ${String(instanceId)} was fenced by member ${member.memberId}.`)
    }
    const response: HeartbeatResponse = {
      errorCode: GroupError.NONE, errorMessage: null, memberId: member.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs: 0, assignment: null
    }
    if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      // Keeps its partitions for its session: a restart with the same instance id takes them over.
      const current = { ...member.current, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH }
      this.scheduleSession(group.groupId, member.memberId)
      return result(response, [{ type: 'cg-current', groupId: group.groupId, memberId: member.memberId, value: currentToRecord(current) }])
    }
    return result(response, this.removeMemberRecords(group, member.memberId))
  }

  /** Removes a member: its tombstones, the group's topics recomputed, a new group epoch. */
  removeMemberRecords (group: ConsumerGroup, memberId: string): GroupRecord[] {
    this.#cancelTimers(group.groupId, memberId)
    if (group.members.get(memberId)?.metadata.classic == null) {
      const downgrade = downgradeRecords(this.#s, group, memberId)
      if (downgrade !== null) {
        for (const id of group.members.keys()) this.#cancelTimers(group.groupId, id)
        return downgrade
      }
    }
    const records: GroupRecord[] = memberTombstones(group.groupId, memberId)
    const remaining = [...group.members.values()].filter((m) => m.memberId !== memberId)
    nextGroupEpoch(group, remaining, this.#s.topics, true, records)
    return records
  }

  #cancelTimers (groupId: string, memberId: string): void {
    this.#s.scheduler.cancel(sessionKey(groupId, memberId))
    this.#s.scheduler.cancel(revocationKey(groupId, memberId))
  }

  /** Arms the member's session timeout: a classic member's own, else group.consumer.session.timeout.ms. */
  scheduleSession (groupId: string, memberId: string, classicSessionTimeoutMs?: number): void {
    const timeout = classicSessionTimeoutMs ?? this.#s.groupConfigs.sessionTimeoutMs(groupId)
    this.#s.scheduler.schedule(sessionKey(groupId, memberId), groupId, timeout, () => this.#fence(groupId, memberId, 'session timeout'))
  }

  #scheduleRevocation (groupId: string, memberId: string, timeoutMs: number, epoch: number): void {
    this.#s.scheduler.schedule(revocationKey(groupId, memberId), groupId, timeoutMs, () => {
      const member = this.#s.consumerGroups.get(groupId)?.members.get(memberId)
      if (member === undefined || member.current.state !== MemberState.UNREVOKED_PARTITIONS || member.current.memberEpoch !== epoch) return result(undefined)
      return this.#fence(groupId, memberId, 'did not revoke its partitions within its rebalance timeout')
    })
  }

  #fence (groupId: string, memberId: string, why: string): OpResult<undefined> {
    const group = this.#s.consumerGroups.get(groupId)
    if (group === undefined || !group.members.has(memberId)) return result(undefined)
    this.#s.logger.info(`consumer group ${groupId}: member ${memberId} removed (${why})`)
    return result(undefined, this.removeMemberRecords(group, memberId))
  }

  /** After load: every member must heartbeat within its session timeout. */
  scheduleLoadedMembers (group: ConsumerGroup): void {
    for (const memberId of group.members.keys()) this.scheduleSession(group.groupId, memberId)
  }
}

function emptyMetadata (): MemberMetadata {
  return { instanceId: null, rackId: null, clientId: '', clientHost: '', subscribedTopicNames: [], subscribedTopicRegex: null, rebalanceTimeoutMs: -1, serverAssignor: null }
}

/** Kafka's request validation (throwIfConsumerGroupHeartbeatRequestIsInvalid). */
function validate (req: ConsumerGroupHeartbeatRequest, apiVersion: number, assignors: readonly string[]): void {
  const invalid = (message: string): HeartbeatError => new HeartbeatError(GroupError.INVALID_REQUEST, message)
  if (req.groupId === '') throw new HeartbeatError(GroupError.INVALID_GROUP_ID, 'GroupId can\'t be empty.')
  if (req.instanceId === '') throw invalid('InstanceId can\'t be empty.')
  if (req.rackId === '') throw invalid('RackId can\'t be empty.')
  if (apiVersion >= 1 && req.memberId === '') throw invalid('MemberId can\'t be empty.')
  if (req.memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) throw invalid(`MemberEpoch ${req.memberEpoch} is invalid.`)
  if (req.memberEpoch !== 0 && req.memberId === '') throw invalid('MemberId can\'t be empty.')
  if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH && req.instanceId == null) throw invalid('InstanceId can\'t be null.')
  if (req.memberEpoch === 0) {
    if (req.rebalanceTimeoutMs === -1) throw invalid('RebalanceTimeoutMs must be provided in first request.')
    if (req.topicPartitions != null && req.topicPartitions.some((t) => t.partitions.length > 0)) throw invalid('TopicPartitions must be empty when (re-)joining.')
    if (req.subscribedTopicNames == null && req.subscribedTopicRegex == null) throw invalid('SubscribedTopicNames or SubscribedTopicRegex must be set in first request.')
  }
  if (req.serverAssignor != null && !assignors.includes(req.serverAssignor)) {
    throw new HeartbeatError(GroupError.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${assignors.join(', ')}.`)
  }
  if (req.subscribedTopicRegex != null && req.subscribedTopicRegex !== '') {
    try {
      compileWholeNameRegex(req.subscribedTopicRegex)
    } catch (err) {
      if (err instanceof InvalidRegexError) throw new HeartbeatError(GroupError.INVALID_REGULAR_EXPRESSION, err.message)
      throw err
    }
  }
}

/** Kafka's member epoch check: ahead is fenced; behind only with the previous epoch and a subset of the partitions. */
function checkEpoch (member: ConsumerMember, received: number, owned: Assignment | null): void {
  const known = member.current.memberEpoch
  if (received > known) {
    throw new HeartbeatError(GroupError.FENCED_MEMBER_EPOCH,
      `The consumer group member has a greater member epoch (${received}) than the one known by the group coordinator (${known}). The member must abandon all its partitions and rejoin.`)
  }
  if (received < known && (received !== member.current.previousMemberEpoch || (owned !== null && !isSubset(owned, member.current.assigned)))) {
    throw new HeartbeatError(GroupError.FENCED_MEMBER_EPOCH,
      `The consumer group member has a smaller member epoch (${received}) than the one known by the group coordinator (${known}). The member must abandon all its partitions and rejoin.`)
  }
}
