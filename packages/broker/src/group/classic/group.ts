// A classic consumer group (Kafka's ClassicGroup): members, generation, protocol type, the
// protocol chosen for the generation, the leader, and the state from ./state.ts.
//
// What is durable and what is not: the snapshot a GroupMetadata record carries (generation,
// protocol type and name, leader, members with their subscription and assignment) is written at
// the points Kafka writes it and rebuilt from the log at load. Everything about a rebalance in
// flight (parked joins and syncs, member ids handed out but not yet used, who still owes a sync)
// is soft state, as in Kafka: a coordinator restart makes members rejoin.
import { randomUUID } from 'node:crypto'
import { GroupError, type GroupErrorCode } from '../errors.js'
import { EMPTY_ASSIGNMENT, GroupMember } from './member.js'
import { assertTransition, canRebalance, type GroupState } from './state.js'
import type { JoinGroupMember, JoinGroupResult, JoinProtocol, SyncGroupResult } from '../types.js'
import { subscribedTopicsOf } from '../consumer-protocol.js'

const CONSUMER_PROTOCOL_TYPE = 'consumer'

export interface GroupInit {
  state?: GroupState
  generationId?: number
  protocolType?: string | null
  protocolName?: string | null
  leaderId?: string | null
  currentStateTimestamp?: number | null
}

export class Group {
  readonly groupId: string
  state: GroupState
  previousState: GroupState = 'Dead'
  /** When the group entered its current state; null for groups loaded from old records. */
  currentStateTimestamp: number | null
  generationId: number
  protocolType: string | null
  protocolName: string | null
  leaderId: string | null
  /** Insertion-ordered: a lost leader is replaced by the oldest remaining member. */
  readonly members = new Map<string, GroupMember>()
  /** group.instance.id -> member id */
  readonly staticMembers = new Map<string, string>()
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet. */
  readonly pendingJoinMembers = new Set<string>()
  /** Members that received the join response of this generation but have not sent SyncGroup. */
  readonly pendingSyncMembers = new Set<string>()
  /** Set when a member joins during the initial delayed rebalance: extends the delay. */
  newMemberAdded = false
  /** Topics the members subscribe to (consumer protocol only); null when unknown. */
  subscribedTopics: Set<string> | null = null

  constructor (groupId: string, now: number, init: GroupInit = {}) {
    this.groupId = groupId
    this.state = init.state ?? 'Empty'
    this.generationId = init.generationId ?? 0
    this.protocolType = init.protocolType ?? null
    this.protocolName = init.protocolName ?? null
    this.leaderId = init.leaderId ?? null
    this.currentStateTimestamp = init.currentStateTimestamp === undefined ? now : init.currentStateTimestamp
  }

  is (state: GroupState): boolean {
    return this.state === state
  }

  get size (): number {
    return this.members.size
  }

  transitionTo (target: GroupState, now: number): void {
    assertTransition(this.groupId, this.state, target)
    this.previousState = this.state
    this.state = target
    this.currentStateTimestamp = now
  }

  canRebalance (): boolean {
    return canRebalance(this.state)
  }

  hasMember (memberId: string): boolean {
    return this.members.has(memberId)
  }

  member (memberId: string): GroupMember | undefined {
    return this.members.get(memberId)
  }

  isLeader (memberId: string): boolean {
    return this.leaderId !== null && this.leaderId === memberId
  }

  staticMemberId (groupInstanceId: string | null): string | undefined {
    return groupInstanceId === null ? undefined : this.staticMembers.get(groupInstanceId)
  }

  isPendingMember (memberId: string): boolean {
    return this.pendingJoinMembers.has(memberId)
  }

  addPendingMember (memberId: string): void {
    if (this.members.has(memberId)) throw new Error(`group ${this.groupId}: ${memberId} is already a member`)
    this.pendingJoinMembers.add(memberId)
  }

  /** Static members get `${group.instance.id}-${uuid}`, dynamic ones `${client.id}-${uuid}` (as Kafka). */
  generateMemberId (clientId: string, groupInstanceId: string | null): string {
    return `${groupInstanceId ?? clientId}-${randomUUID()}`
  }

  add (member: GroupMember, onJoin: ((r: JoinGroupResult) => void) | null = null): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) {
        throw new Error(`group ${this.groupId}: static member ${member.groupInstanceId} is already a member`)
      }
      this.staticMembers.set(member.groupInstanceId, member.memberId)
    }
    if (this.members.size === 0) this.protocolType = member.protocolType
    if (this.protocolType !== member.protocolType) {
      throw new Error(`group ${this.groupId}: protocol type ${member.protocolType} differs from ${String(this.protocolType)}`)
    }
    if (this.leaderId === null) this.leaderId = member.memberId
    this.members.set(member.memberId, member)
    member.awaitingJoin = onJoin
    this.pendingJoinMembers.delete(member.memberId)
  }

  remove (memberId: string): void {
    const removed = this.members.get(memberId)
    if (removed !== undefined) {
      this.members.delete(memberId)
      if (removed.groupInstanceId !== null && this.staticMembers.get(removed.groupInstanceId) === memberId) {
        this.staticMembers.delete(removed.groupInstanceId)
      }
    }
    if (this.isLeader(memberId)) {
      const next = this.members.keys().next()
      this.leaderId = next.done === true ? null : next.value
    }
    this.pendingJoinMembers.delete(memberId)
    this.pendingSyncMembers.delete(memberId)
  }

  /**
   * A static member came back with an unknown member id: the old id is fenced (its parked
   * requests are answered FENCED_INSTANCE_ID) and the member continues under the new id.
   */
  replaceStaticMember (groupInstanceId: string, oldMemberId: string, newMemberId: string): GroupMember {
    const old = this.members.get(oldMemberId)
    if (old === undefined) throw new Error(`group ${this.groupId}: cannot replace unknown member ${oldMemberId}`)
    this.members.delete(oldMemberId)
    this.completeJoin(old, {
      errorCode: GroupError.FENCED_INSTANCE_ID,
      generationId: -1,
      protocolType: null,
      protocolName: null,
      leader: '',
      skipAssignment: false,
      memberId: oldMemberId,
      members: []
    })
    this.completeSync(old, { errorCode: GroupError.FENCED_INSTANCE_ID, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT })
    const replacement = new GroupMember({
      memberId: newMemberId,
      groupInstanceId: old.groupInstanceId,
      clientId: old.clientId,
      clientHost: old.clientHost,
      rebalanceTimeoutMs: old.rebalanceTimeoutMs,
      sessionTimeoutMs: old.sessionTimeoutMs,
      protocolType: old.protocolType,
      protocols: old.protocols,
      assignment: old.assignment
    })
    this.members.set(newMemberId, replacement)
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId)
    this.staticMembers.set(groupInstanceId, newMemberId)
    return replacement
  }

  updateMember (
    member: GroupMember,
    protocols: JoinProtocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    onJoin: ((r: JoinGroupResult) => void) | null
  ): void {
    member.protocols = protocols
    member.rebalanceTimeoutMs = rebalanceTimeoutMs
    member.sessionTimeoutMs = sessionTimeoutMs
    member.awaitingJoin = onJoin
  }

  /** Completes a parked join; returns whether one was parked. */
  completeJoin (member: GroupMember, result: JoinGroupResult): boolean {
    const callback = member.awaitingJoin
    if (callback === null) return false
    member.awaitingJoin = null
    callback(result)
    return true
  }

  completeSync (member: GroupMember, result: SyncGroupResult): boolean {
    const callback = member.awaitingSync
    if (callback === null) return false
    member.awaitingSync = null
    callback(result)
    return true
  }

  numAwaitingJoin (): number {
    let n = 0
    for (const m of this.members.values()) if (m.isAwaitingJoin) n++
    return n
  }

  hasAllMembersJoined (): boolean {
    return this.numAwaitingJoin() === this.members.size && this.pendingJoinMembers.size === 0
  }

  notYetRejoinedMembers (): GroupMember[] {
    return [...this.members.values()].filter((m) => !m.isAwaitingJoin)
  }

  /**
   * Keeps the leader if it rejoined, else elects the first member that did. False when no
   * member rejoined (or the group has no leader), in which case the join phase cannot finish.
   */
  maybeElectNewJoinedLeader (): boolean {
    if (this.leaderId === null) return false
    const leader = this.members.get(this.leaderId)
    if (leader !== undefined && leader.isAwaitingJoin) return true
    for (const m of this.members.values()) {
      if (m.isAwaitingJoin) {
        this.leaderId = m.memberId
        return true
      }
    }
    return false
  }

  /** The group's rebalance timeout: the largest of its members'. */
  rebalanceTimeoutMs (): number {
    let max = 0
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs)
    return max
  }

  supportedProtocolCounts (): Map<string, number> {
    const counts = new Map<string, number>()
    for (const m of this.members.values()) {
      for (const name of m.protocolNames()) counts.set(name, (counts.get(name) ?? 0) + 1)
    }
    return counts
  }

  /** Protocols every member supports. */
  candidateProtocols (): Set<string> {
    const out = new Set<string>()
    for (const [name, count] of this.supportedProtocolCounts()) if (count === this.members.size) out.add(name)
    return out
  }

  /**
   * Whether a member offering these protocols may join: any type and at least one protocol for an
   * empty group, else the group's type and at least one protocol all current members support.
   */
  supportsProtocols (protocolType: string, protocolNames: string[]): boolean {
    if (this.is('Empty')) return protocolType.length > 0 && protocolNames.length > 0
    if (this.protocolType !== protocolType) return false
    const counts = this.supportedProtocolCounts()
    return protocolNames.some((name) => (counts.get(name) ?? 0) === this.members.size)
  }

  /** Each member votes for its first candidate; most votes wins (ties: first to reach the count). */
  selectProtocol (): string {
    if (this.members.size === 0) throw new Error(`group ${this.groupId}: cannot select a protocol without members`)
    const candidates = this.candidateProtocols()
    const votes = new Map<string, number>()
    for (const m of this.members.values()) {
      const choice = m.vote(candidates)
      if (choice !== undefined) votes.set(choice, (votes.get(choice) ?? 0) + 1)
    }
    let best: string | undefined
    let bestVotes = 0
    for (const [name, count] of votes) {
      if (count > bestVotes) {
        best = name
        bestVotes = count
      }
    }
    if (best === undefined) throw new Error(`group ${this.groupId}: no protocol is supported by every member`)
    return best
  }

  initNextGeneration (now: number): void {
    this.generationId++
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol()
      this.subscribedTopics = this.computeSubscribedTopics()
      this.transitionTo('CompletingRebalance', now)
    } else {
      this.protocolName = null
      this.subscribedTopics = this.computeSubscribedTopics()
      this.transitionTo('Empty', now)
    }
    this.pendingSyncMembers.clear()
  }

  /** The member list a leader's JoinGroup response carries. */
  currentMembersForJoin (): JoinGroupMember[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(this.protocolName)
    }))
  }

  /** UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID checks shared by sync, heartbeat, leave, commit. */
  validateMember (memberId: string, groupInstanceId: string | null): GroupErrorCode {
    if (groupInstanceId !== null) {
      const existing = this.staticMembers.get(groupInstanceId)
      if (existing === undefined) return GroupError.UNKNOWN_MEMBER_ID
      if (existing !== memberId) return GroupError.FENCED_INSTANCE_ID
    }
    return this.members.has(memberId) ? GroupError.NONE : GroupError.UNKNOWN_MEMBER_ID
  }

  usesConsumerProtocol (): boolean {
    return this.protocolType === CONSUMER_PROTOCOL_TYPE
  }

  computeSubscribedTopics (): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null
    if (this.members.size === 0) return new Set()
    if (this.protocolName === null) return null
    const topics = new Set<string>()
    for (const m of this.members.values()) {
      const subscribed = subscribedTopicsOf(m.metadata(this.protocolName))
      if (subscribed === null) return null
      for (const t of subscribed) topics.add(t)
    }
    return topics
  }

  /** When membership information is missing, a consumer group is assumed subscribed (safe side). */
  isSubscribedToTopic (topic: string): boolean {
    if (this.subscribedTopics !== null) return this.subscribedTopics.has(topic)
    return this.usesConsumerProtocol()
  }

  assignments (): Map<string, Buffer> {
    const out = new Map<string, Buffer>()
    for (const m of this.members.values()) out.set(m.memberId, m.assignment)
    return out
  }
}
