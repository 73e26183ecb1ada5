// JoinGroup / SyncGroup / Heartbeat / LeaveGroup and the rebalance machinery of classic groups,
// with the semantics of Kafka's classic group coordinator (GroupMetadataManager.classicGroup*):
//
//  - A JoinGroup parks until the join phase completes: every known member rejoined, or the
//    rebalance timeout (largest of the members') fired; members that did not rejoin are dropped
//    (static members are kept). The first rebalance of an Empty group waits
//    group.initial.rebalance.delay.ms, extended while new members keep arriving, bounded by the
//    rebalance timeout.
//  - JoinGroup v4+ without a member id: the coordinator hands out `${client.id}-${uuid}` with
//    MEMBER_ID_REQUIRED and keeps it pending for a session timeout.
//  - Static members (group.instance.id) keep their place across restarts: a rejoin with an unknown
//    member id replaces the old id (which is fenced), and in Stable does not rebalance unless the
//    group's protocol would change.
//  - The leader's SyncGroup carries the assignment; the group becomes Stable and every parked
//    SyncGroup is answered only after the GroupMetadata record is durable.
//  - Session timeouts: every heartbeat (and commit, sync) pushes the member's deadline; a member
//    that misses it is removed and the group rebalances. Members that never send SyncGroup are
//    removed after the rebalance timeout.
//
// Everything here runs inside the group's serial queue, synchronously; deferred work goes through
// OpScheduler and comes back through the same queue.
import { GroupError } from '../errors.js'
import type { Group } from './group.js'
import { EMPTY_ASSIGNMENT, GroupMember, dedupeProtocols } from './member.js'
import { type OpResult, result, withRecordsOf } from '../op.js'
import { groupRecord, type GroupSnapshot } from '../records.js'
import type { ShardContext } from '../shard-context.js'
import type {
  HeartbeatInput, JoinGroupInput, JoinGroupResult, LeaveGroupResult, LeaveMemberInput,
  LeaveMemberResult, RequestInfo, SyncGroupInput, SyncGroupResult
} from '../types.js'

type Done = OpResult<void>
const NOTHING: Done = { records: [], response: undefined }

export function joinError (memberId: string, errorCode: number): JoinGroupResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId,
    members: []
  }
}

export function syncError (errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT }
}

export const heartbeatKey = (groupId: string, memberId: string): string => `heartbeat:${groupId}:${memberId}`
export const joinKey = (groupId: string): string => `join:${groupId}`
export const syncKey = (groupId: string): string => `sync:${groupId}`

/** The snapshot a GroupMetadata record carries, from the live group and the given assignments. */
function snapshotOf (group: Group, assignments: ReadonlyMap<string, Buffer>): GroupSnapshot {
  return {
    protocolType: group.protocolType ?? '',
    generation: group.generationId,
    protocol: group.protocolName,
    leader: group.leaderId,
    currentStateTimestamp: group.currentStateTimestamp ?? -1,
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.sessionTimeoutMs,
      subscription: m.metadata(group.protocolName),
      assignment: assignments.get(m.memberId) ?? EMPTY_ASSIGNMENT
    }))
  }
}

export class Membership {
  readonly #s: ShardContext

  constructor (context: ShardContext) {
    this.#s = context
  }

  // ---------------------------------------------------------------- JoinGroup

  join (info: RequestInfo, req: JoinGroupInput): OpResult<Promise<JoinGroupResult>> {
    const { config } = this.#s
    if (req.sessionTimeoutMs < config.minSessionTimeoutMs || req.sessionTimeoutMs > config.maxSessionTimeoutMs) {
      return result(Promise.resolve(joinError(req.memberId, GroupError.INVALID_SESSION_TIMEOUT)))
    }
    // A rebalance timeout of 0 or less (-1 from a careless client) would complete every join phase
    // at once; the session timeout is the sane floor (it is what v0 implies).
    const normalized: JoinGroupInput = {
      ...req,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
      protocols: dedupeProtocols(req.protocols)
    }
    const isUnknownMember = req.memberId === ''
    let group = this.#s.groups.get(req.groupId)
    let isNewGroup = false
    if (group === undefined) {
      if (!isUnknownMember) return result(Promise.resolve(joinError(req.memberId, GroupError.UNKNOWN_MEMBER_ID)))
      group = this.#s.createGroup(req.groupId)
      isNewGroup = true
    }

    let resolve!: (r: JoinGroupResult) => void
    const response = new Promise<JoinGroupResult>((res) => { resolve = res })
    let outcome: Done
    if (!this.#acceptJoiningMember(group, req.memberId)) {
      this.#removeMemberQuietly(group, req.memberId)
      resolve(joinError('', GroupError.GROUP_MAX_SIZE_REACHED))
      outcome = NOTHING
    } else if (isUnknownMember) {
      outcome = this.#joinNewMember(info, normalized, group, resolve)
    } else {
      outcome = this.#joinExistingMember(normalized, group, resolve, info)
    }

    if (isNewGroup && outcome.records.length === 0) {
      // A new group is made durable at once, so it survives a restart even before it stabilises.
      const created = group
      return withRecordsOf(result(response), {
        records: [groupRecord(created.groupId, snapshotOf(created, new Map()))],
        response: undefined,
        afterAppend: (error) => {
          if (error === null) return
          // The group was never persisted: forget it unless someone else is already in it.
          if (created.size === 0 && this.#s.groups.get(created.groupId) === created) this.#s.removeGroup(created.groupId)
        }
      })
    }
    return withRecordsOf(result(response), outcome)
  }

  #acceptJoiningMember (group: Group, memberId: string): boolean {
    const max = this.#s.config.maxSize
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true
      case 'PreparingRebalance':
        // Counting parked joins (not members) lets the group shed the last rejoiners when it is over size.
        return (group.member(memberId)?.isAwaitingJoin ?? false) || group.numAwaitingJoin() < max
      case 'CompletingRebalance':
      case 'Stable':
        return group.hasMember(memberId) || group.size < max
    }
  }

  #joinNewMember (info: RequestInfo, req: JoinGroupInput, group: Group, resolve: (r: JoinGroupResult) => void): Done {
    if (group.is('Dead')) {
      resolve(joinError('', GroupError.COORDINATOR_NOT_AVAILABLE))
      return NOTHING
    }
    if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name))) {
      resolve(joinError('', GroupError.INCONSISTENT_GROUP_PROTOCOL))
      return NOTHING
    }
    const newMemberId = group.generateMemberId(info.clientId, req.groupInstanceId)
    if (req.groupInstanceId !== null) {
      const existing = group.staticMemberId(req.groupInstanceId)
      if (existing !== undefined) return this.#updateStaticMember(info, req, group, existing, newMemberId, resolve)
      return this.#addMemberThenRebalanceOrCompleteJoin(info, req, group, newMemberId, resolve)
    }
    if (info.apiVersion >= 4) {
      group.addPendingMember(newMemberId)
      this.#s.scheduler.schedule(heartbeatKey(group.groupId, newMemberId), group.groupId, req.sessionTimeoutMs,
        () => this.expireMemberHeartbeat(group.groupId, newMemberId))
      resolve(joinError(newMemberId, GroupError.MEMBER_ID_REQUIRED))
      return NOTHING
    }
    return this.#addMemberThenRebalanceOrCompleteJoin(info, req, group, newMemberId, resolve)
  }

  #joinExistingMember (req: JoinGroupInput, group: Group, resolve: (r: JoinGroupResult) => void, info: RequestInfo): Done {
    const memberId = req.memberId
    if (group.is('Dead')) {
      resolve(joinError(memberId, GroupError.COORDINATOR_NOT_AVAILABLE))
      return NOTHING
    }
    if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name))) {
      resolve(joinError(memberId, GroupError.INCONSISTENT_GROUP_PROTOCOL))
      return NOTHING
    }
    if (group.isPendingMember(memberId)) {
      // Pending ids are only handed to dynamic members; a static join with one is a confused client.
      if (req.groupInstanceId !== null) {
        resolve(joinError(memberId, GroupError.UNKNOWN_MEMBER_ID))
        return NOTHING
      }
      return this.#addMemberThenRebalanceOrCompleteJoin(info, req, group, memberId, resolve)
    }
    const error = group.validateMember(memberId, req.groupInstanceId)
    if (error !== GroupError.NONE) {
      resolve(joinError(memberId, error))
      return NOTHING
    }
    const member = group.member(memberId) as GroupMember
    switch (group.state) {
      case 'PreparingRebalance':
        return this.#updateMemberThenRebalanceOrCompleteJoin(req, group, member, resolve)
      case 'CompletingRebalance':
        if (member.matches(req.protocols)) {
          // The member lost the join response; give it the same one again.
          resolve(this.#joinResponse(group, memberId, group.isLeader(memberId)))
          return NOTHING
        }
        return this.#updateMemberThenRebalanceOrCompleteJoin(req, group, member, resolve)
      case 'Stable':
        // The leader rejoining forces a rebalance: that is how it reacts to metadata changes
        // (new partitions) that do not change its subscription bytes.
        if (group.isLeader(memberId) || !member.matches(req.protocols)) {
          return this.#updateMemberThenRebalanceOrCompleteJoin(req, group, member, resolve)
        }
        resolve(this.#joinResponse(group, memberId, false))
        return NOTHING
      case 'Empty':
      case 'Dead':
        resolve(joinError(memberId, GroupError.UNKNOWN_MEMBER_ID))
        return NOTHING
    }
  }

  #joinResponse (group: Group, memberId: string, withMembers: boolean, skipAssignment = false, leader = group.leaderId): JoinGroupResult {
    return {
      errorCode: GroupError.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: leader ?? '',
      skipAssignment,
      memberId,
      members: withMembers ? group.currentMembersForJoin() : []
    }
  }

  #addMemberThenRebalanceOrCompleteJoin (
    info: RequestInfo, req: JoinGroupInput, group: Group, memberId: string, resolve: (r: JoinGroupResult) => void
  ): Done {
    const member = new GroupMember({
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: info.clientId,
      clientHost: info.clientHost,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      sessionTimeoutMs: req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols
    })
    member.isNew = true
    if (group.is('PreparingRebalance') && group.previousState === 'Empty') group.newMemberAdded = true
    group.add(member, resolve)
    // A new member cannot heartbeat while its join is parked, so only a (long) join timeout
    // guards against clients that gave up and retried with a fresh member.
    this.#rescheduleHeartbeat(group, member, this.#s.config.newMemberJoinTimeoutMs)
    return this.#maybePrepareRebalanceOrCompleteJoin(group, `adding member ${memberId}`)
  }

  #updateMemberThenRebalanceOrCompleteJoin (
    req: JoinGroupInput, group: Group, member: GroupMember, resolve: (r: JoinGroupResult) => void
  ): Done {
    // A second JoinGroup while one is parked replaces it; the first one's caller gets nothing more.
    member.awaitingJoin?.(joinError(member.memberId, GroupError.REBALANCE_IN_PROGRESS))
    group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, resolve)
    return this.#maybePrepareRebalanceOrCompleteJoin(group, `member ${member.memberId} rejoined with changed metadata, or is the leader`)
  }

  #updateStaticMember (
    info: RequestInfo, req: JoinGroupInput, group: Group, oldMemberId: string, newMemberId: string,
    resolve: (r: JoinGroupResult) => void
  ): Done {
    const instanceId = req.groupInstanceId as string
    const currentLeader = group.leaderId
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId)
    this.#s.scheduler.cancel(heartbeatKey(group.groupId, oldMemberId))
    this.#rescheduleHeartbeat(group, member)
    const old = { protocols: member.protocols, rebalanceTimeoutMs: member.rebalanceTimeoutMs, sessionTimeoutMs: member.sessionTimeoutMs }
    group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, resolve)

    switch (group.state) {
      case 'Stable': {
        if (group.protocolName !== group.selectProtocol()) return this.#maybePrepareRebalanceOrCompleteJoin(group, `static member ${instanceId} rejoined with protocols that change the group's protocol`)
        // Same protocol: no rebalance. Persist the new member id, then answer; a leader on v9+
        // gets the member list with skipAssignment (it must not compute a new assignment).
        const records = [groupRecord(group.groupId, snapshotOf(group, group.assignments()))]
        return result(undefined, records, (error) => {
          if (error !== null) {
            group.updateMember(member, old.protocols, old.rebalanceTimeoutMs, old.sessionTimeoutMs, null)
            const restored = group.replaceStaticMember(instanceId, newMemberId, oldMemberId)
            this.#s.scheduler.cancel(heartbeatKey(group.groupId, newMemberId))
            this.#rescheduleHeartbeat(group, restored)
            resolve({ ...this.#joinResponse(group, '', false, false, currentLeader), errorCode: GroupError.UNKNOWN_SERVER_ERROR })
            return
          }
          const isLeader = group.isLeader(newMemberId)
          if (info.apiVersion >= 9) {
            group.completeJoin(member, this.#joinResponse(group, newMemberId, isLeader, isLeader))
          } else {
            // Older leaders would run a pointless assignment the Stable group never broadcasts:
            // answer with the old leader id so the member does not see itself as leader.
            group.completeJoin(member, this.#joinResponse(group, newMemberId, false, false, currentLeader))
          }
        })
      }
      case 'CompletingRebalance':
        // The leader may already be assigning to the old id: start over.
        return this.#prepareRebalance(group, `static member ${instanceId} rejoined during CompletingRebalance`)
      case 'PreparingRebalance':
        return this.#maybeCompleteJoinPhase(group)
      case 'Empty':
      case 'Dead':
        // A static member cannot be known to a group in these states; treat as unknown.
        group.completeJoin(member, joinError(newMemberId, GroupError.UNKNOWN_MEMBER_ID))
        return NOTHING
    }
  }

  #maybePrepareRebalanceOrCompleteJoin (group: Group, reason: string): Done {
    return group.canRebalance() ? this.#prepareRebalance(group, reason) : this.#maybeCompleteJoinPhase(group)
  }

  /** Completes the join phase when everyone is in, except during the initial delayed rebalance. */
  #maybeCompleteJoinPhase (group: Group): Done {
    if (group.is('PreparingRebalance') && group.hasAllMembersJoined() && group.previousState !== 'Empty') {
      return this.completeJoinPhase(group.groupId)
    }
    return NOTHING
  }

  #prepareRebalance (group: Group, reason: string): Done {
    const { scheduler, config, clock } = this.#s
    this.#s.logger.info(`group ${group.groupId}: preparing to rebalance in state ${group.state} with old generation ${group.generationId} (${reason})`)
    if (group.is('CompletingRebalance')) this.#resetAndPropagateAssignmentWithError(group, GroupError.REBALANCE_IN_PROGRESS)
    group.pendingSyncMembers.clear()
    scheduler.cancel(syncKey(group.groupId))

    const isInitial = group.is('Empty')
    if (isInitial) {
      const delay = config.initialRebalanceDelayMs
      const remaining = Math.max(group.rebalanceTimeoutMs() - delay, 0)
      scheduler.schedule(joinKey(group.groupId), group.groupId, delay,
        () => this.#tryCompleteInitialRebalance(group.groupId, delay, remaining))
    }
    group.transitionTo('PreparingRebalance', clock.now())
    return isInitial ? NOTHING : this.#maybeCompleteJoinElseSchedule(group)
  }

  #maybeCompleteJoinElseSchedule (group: Group): Done {
    if (group.hasAllMembersJoined()) return this.completeJoinPhase(group.groupId)
    this.#s.scheduler.schedule(joinKey(group.groupId), group.groupId, group.rebalanceTimeoutMs(),
      () => this.completeJoinPhase(group.groupId))
    return NOTHING
  }

  #tryCompleteInitialRebalance (groupId: string, delayMs: number, remainingMs: number): Done {
    const group = this.#s.groups.get(groupId)
    if (group === undefined || !group.is('PreparingRebalance')) return NOTHING
    if (group.newMemberAdded && remainingMs !== 0) {
      group.newMemberAdded = false
      const nextDelay = Math.min(this.#s.config.initialRebalanceDelayMs, remainingMs)
      const nextRemaining = Math.max(remainingMs - delayMs, 0)
      this.#s.scheduler.schedule(joinKey(groupId), groupId, nextDelay,
        () => this.#tryCompleteInitialRebalance(groupId, nextDelay, nextRemaining))
      return NOTHING
    }
    return this.completeJoinPhase(groupId)
  }

  /**
   * Ends the join phase: drops dynamic members that did not rejoin, starts the next generation and
   * answers every parked JoinGroup (the leader gets the member list). With nobody left the group
   * becomes Empty, which is persisted.
   */
  completeJoinPhase (groupId: string): Done {
    const { scheduler, clock } = this.#s
    const group = this.#s.groups.get(groupId)
    if (group === undefined || !group.is('PreparingRebalance')) return NOTHING
    scheduler.cancel(joinKey(groupId))
    for (const failed of group.notYetRejoinedMembers()) {
      if (failed.isStatic) continue
      group.remove(failed.memberId)
      scheduler.cancel(heartbeatKey(groupId, failed.memberId))
    }
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Only static members that have not come back: wait another round for them (or for their
      // sessions to expire).
      scheduler.schedule(joinKey(groupId), groupId, group.rebalanceTimeoutMs(), () => this.completeJoinPhase(groupId))
      return NOTHING
    }
    group.initNextGeneration(clock.now())
    if (group.is('Empty')) {
      return result(undefined, [groupRecord(groupId, snapshotOf(group, new Map()))])
    }
    for (const member of group.members.values()) {
      group.completeJoin(member, this.#joinResponse(group, member.memberId, group.isLeader(member.memberId)))
      this.#rescheduleHeartbeat(group, member)
      member.isNew = false
      group.pendingSyncMembers.add(member.memberId)
    }
    const generation = group.generationId
    this.#s.logger.info(`group ${groupId}: generation ${generation} formed with ${group.size} member(s), protocol ${String(group.protocolName)}`)
    scheduler.schedule(syncKey(groupId), groupId, group.rebalanceTimeoutMs(), () => this.#expirePendingSync(groupId, generation))
    return NOTHING
  }

  #expirePendingSync (groupId: string, generation: number): Done {
    const group = this.#s.groups.get(groupId)
    if (group === undefined || group.generationId !== generation) return NOTHING
    if (!group.is('CompletingRebalance') && !group.is('Stable')) return NOTHING
    if (group.pendingSyncMembers.size === 0) return NOTHING
    const pendingIds = [...group.pendingSyncMembers]
    for (const memberId of pendingIds) {
      group.remove(memberId)
      this.#s.scheduler.cancel(heartbeatKey(groupId, memberId))
    }
    return this.#prepareRebalance(group, `members ${[...pendingIds].join(', ')} did not send SyncGroup in time`)
  }

  #removePendingSyncMember (group: Group, memberId: string): void {
    group.pendingSyncMembers.delete(memberId)
    if (group.pendingSyncMembers.size === 0 || !(group.is('CompletingRebalance') || group.is('Stable'))) {
      this.#s.scheduler.cancel(syncKey(group.groupId))
    }
  }

  #resetAndPropagateAssignmentWithError (group: Group, errorCode: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY_ASSIGNMENT
    this.#propagateAssignment(group, errorCode)
  }

  #setAndPropagateAssignment (group: Group, assignments: ReadonlyMap<string, Buffer>): void {
    for (const m of group.members.values()) m.assignment = assignments.get(m.memberId) ?? EMPTY_ASSIGNMENT
    this.#propagateAssignment(group, GroupError.NONE)
  }

  #propagateAssignment (group: Group, errorCode: number): void {
    const ok = errorCode === GroupError.NONE
    for (const m of group.members.values()) {
      const answered = group.completeSync(m, {
        errorCode,
        protocolType: ok ? group.protocolType : null,
        protocolName: ok ? group.protocolName : null,
        assignment: m.assignment
      })
      // The member waited on us; its session starts over from the answer.
      if (answered) this.#rescheduleHeartbeat(group, m)
    }
  }

  #rescheduleHeartbeat (group: Group, member: GroupMember, timeoutMs = member.sessionTimeoutMs): void {
    const groupId = group.groupId
    const memberId = member.memberId
    this.#s.scheduler.schedule(heartbeatKey(groupId, memberId), groupId, timeoutMs, () => this.expireMemberHeartbeat(groupId, memberId))
  }

  /** Keeps a member alive (heartbeat, offset commit); used by the offset commit path too. */
  touchMember (group: Group, memberId: string): void {
    const member = group.member(memberId)
    if (member !== undefined) this.#rescheduleHeartbeat(group, member)
  }

  /** Session timeout of a member (or of a pending member id that never joined). */
  expireMemberHeartbeat (groupId: string, memberId: string): Done {
    const group = this.#s.groups.get(groupId)
    if (group === undefined || group.is('Dead')) return NOTHING
    if (group.isPendingMember(memberId)) {
      group.remove(memberId)
      return this.#maybeCompleteJoinAfterRemoval(group)
    }
    const member = group.member(memberId)
    if (member === undefined || member.hasSatisfiedHeartbeat) return NOTHING
    return this.#removeMemberAndUpdateGroup(group, member)
  }

  #maybeCompleteJoinAfterRemoval (group: Group): Done {
    if (group.is('PreparingRebalance') && group.hasAllMembersJoined()) return this.completeJoinPhase(group.groupId)
    return NOTHING
  }

  #removeMemberAndUpdateGroup (group: Group, member: GroupMember): Done {
    // A parked join of a member being dropped gets UNKNOWN_MEMBER_ID: a live client rejoins.
    group.completeJoin(member, joinError('', GroupError.UNKNOWN_MEMBER_ID))
    group.completeSync(member, syncError(GroupError.UNKNOWN_MEMBER_ID))
    group.remove(member.memberId)
    this.#s.scheduler.cancel(heartbeatKey(group.groupId, member.memberId))
    if (group.is('Stable') || group.is('CompletingRebalance')) return this.#maybePrepareRebalanceOrCompleteJoin(group, `member ${member.memberId} removed: session timeout`)
    return this.#maybeCompleteJoinAfterRemoval(group)
  }

  #removeMemberQuietly (group: Group, memberId: string): void {
    const member = group.member(memberId)
    if (member === undefined) return
    group.completeSync(member, syncError(GroupError.GROUP_MAX_SIZE_REACHED))
    group.remove(memberId)
    this.#s.scheduler.cancel(heartbeatKey(group.groupId, memberId))
  }

  // ---------------------------------------------------------------- SyncGroup

  sync (req: SyncGroupInput): OpResult<Promise<SyncGroupResult>> {
    const group = this.#s.groups.get(req.groupId)
    if (group === undefined) return result(Promise.resolve(syncError(GroupError.UNKNOWN_MEMBER_ID)))
    const error = this.#validateSync(group, req)
    if (error !== GroupError.NONE) return result(Promise.resolve(syncError(error)))
    switch (group.state) {
      case 'Empty':
        return result(Promise.resolve(syncError(GroupError.UNKNOWN_MEMBER_ID)))
      case 'PreparingRebalance':
        return result(Promise.resolve(syncError(GroupError.REBALANCE_IN_PROGRESS)))
      case 'Stable': {
        this.#removePendingSyncMember(group, req.memberId)
        const member = group.member(req.memberId) as GroupMember
        this.#rescheduleHeartbeat(group, member)
        return result(Promise.resolve({
          errorCode: GroupError.NONE,
          protocolType: group.protocolType,
          protocolName: group.protocolName,
          assignment: member.assignment
        }))
      }
      case 'Dead':
        return result(Promise.resolve(syncError(GroupError.COORDINATOR_NOT_AVAILABLE)))
      case 'CompletingRebalance':
        break
    }
    const member = group.member(req.memberId) as GroupMember
    const response = new Promise<SyncGroupResult>((resolve) => {
      // A repeated SyncGroup replaces the parked one.
      member.awaitingSync?.(syncError(GroupError.REBALANCE_IN_PROGRESS))
      member.awaitingSync = resolve
    })
    this.#removePendingSyncMember(group, req.memberId)
    if (!group.isLeader(req.memberId)) return result(response)

    const assignments = new Map<string, Buffer>()
    for (const a of req.assignments) if (group.hasMember(a.memberId)) assignments.set(a.memberId, a.assignment)
    for (const memberId of group.members.keys()) if (!assignments.has(memberId)) assignments.set(memberId, EMPTY_ASSIGNMENT)
    const generation = group.generationId
    const records = [groupRecord(group.groupId, snapshotOf(group, assignments))]
    return result(response, records, (appendError) => {
      // The queue kept everyone else out during the append, but a failed append may have been
      // followed by nothing at all: check we are still completing this generation.
      if (!group.is('CompletingRebalance') || group.generationId !== generation) return
      if (appendError !== null) {
        this.#resetAndPropagateAssignmentWithError(group, GroupError.COORDINATOR_NOT_AVAILABLE)
        this.#prepareRebalance(group, 'the assignment could not be persisted')
        return
      }
      this.#setAndPropagateAssignment(group, assignments)
      group.transitionTo('Stable', this.#s.clock.now())
    })
  }

  #validateSync (group: Group, req: SyncGroupInput): number {
    if (group.is('Dead')) return GroupError.COORDINATOR_NOT_AVAILABLE
    const error = group.validateMember(req.memberId, req.groupInstanceId)
    if (error !== GroupError.NONE) return error
    if (req.generationId !== group.generationId) return GroupError.ILLEGAL_GENERATION
    if (isInconsistent(req.protocolType, group.protocolType) || isInconsistent(req.protocolName, group.protocolName)) {
      return GroupError.INCONSISTENT_GROUP_PROTOCOL
    }
    return GroupError.NONE
  }

  // ---------------------------------------------------------------- Heartbeat

  heartbeat (req: HeartbeatInput): OpResult<number> {
    const group = this.#s.groups.get(req.groupId)
    if (group === undefined) return result(GroupError.UNKNOWN_MEMBER_ID)
    if (group.is('Dead')) return result(GroupError.COORDINATOR_NOT_AVAILABLE)
    const error = group.validateMember(req.memberId, req.groupInstanceId)
    if (error !== GroupError.NONE) return result(error)
    if (req.generationId !== group.generationId) return result(GroupError.ILLEGAL_GENERATION)
    switch (group.state) {
      case 'Empty':
        return result(GroupError.UNKNOWN_MEMBER_ID)
      case 'PreparingRebalance':
        this.touchMember(group, req.memberId)
        return result(GroupError.REBALANCE_IN_PROGRESS)
      case 'CompletingRebalance':
      case 'Stable':
        // Heartbeats may start right after the join response, before SyncGroup: they count.
        this.touchMember(group, req.memberId)
        return result(GroupError.NONE)
      case 'Dead':
        return result(GroupError.COORDINATOR_NOT_AVAILABLE)
    }
  }

  // ---------------------------------------------------------------- LeaveGroup

  leave (groupId: string, members: LeaveMemberInput[]): OpResult<LeaveGroupResult> {
    const group = this.#s.groups.get(groupId)
    if (group === undefined) return result({ errorCode: GroupError.UNKNOWN_MEMBER_ID, members: [] })
    if (group.is('Dead')) return result({ errorCode: GroupError.COORDINATOR_NOT_AVAILABLE, members: [] })
    const responses: LeaveMemberResult[] = []
    let removed = 0
    for (const m of members) {
      const answer = (errorCode: number): void => {
        responses.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode })
        if (errorCode === GroupError.NONE) removed++
      }
      if (m.memberId === '') {
        // Admin removal by group.instance.id (kafka-consumer-groups --delete-members, KIP-345).
        const staticId = group.staticMemberId(m.groupInstanceId)
        if (staticId === undefined) {
          answer(GroupError.UNKNOWN_MEMBER_ID)
        } else {
          this.#removeLeavingMember(group, staticId)
          answer(GroupError.NONE)
        }
      } else if (group.isPendingMember(m.memberId)) {
        group.remove(m.memberId)
        this.#s.scheduler.cancel(heartbeatKey(groupId, m.memberId))
        answer(GroupError.NONE)
      } else {
        const error = group.validateMember(m.memberId, m.groupInstanceId)
        if (error === GroupError.NONE) this.#removeLeavingMember(group, m.memberId)
        answer(error)
      }
    }
    let follow: Done = NOTHING
    if (removed > 0) {
      if (group.is('Stable') || group.is('CompletingRebalance')) follow = this.#maybePrepareRebalanceOrCompleteJoin(group, 'members left')
      else if (group.is('PreparingRebalance')) follow = this.#maybeCompleteJoinPhase(group)
    }
    return withRecordsOf(result({ errorCode: GroupError.NONE, members: responses }), follow)
  }

  #removeLeavingMember (group: Group, memberId: string): void {
    const member = group.member(memberId)
    if (member === undefined) return
    this.#s.scheduler.cancel(heartbeatKey(group.groupId, memberId))
    group.completeJoin(member, joinError('', GroupError.UNKNOWN_MEMBER_ID))
    group.completeSync(member, syncError(GroupError.UNKNOWN_MEMBER_ID))
    group.remove(memberId)
  }

  /** After load: members of loaded groups must heartbeat within their session timeout. */
  scheduleLoadedMembers (group: Group): void {
    for (const member of group.members.values()) this.#rescheduleHeartbeat(group, member)
    if (group.size > this.#s.config.maxSize) this.#prepareRebalance(group, 'loaded over group.max.size')
  }
}

function isInconsistent (requested: string | null, current: string | null): boolean {
  return requested !== null && current !== null && requested !== current
}
