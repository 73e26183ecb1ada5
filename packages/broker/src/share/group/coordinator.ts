// The share group coordinator (KIP-932): ShareGroupHeartbeat joins, keeps alive and leaves a share
// group, and answers each member its epoch and, when it changed, its assignment; a member that
// stops heartbeating for share.session.timeout.ms is removed and its acquired records return to
// the queue. Membership lives in memory: after a restart members heartbeat with an unknown id, get
// UNKNOWN_MEMBER_ID and join again (as clients do on that code); what must survive (each
// record's state) is the share-partitions' durable state.
import type { ShareGroupDescribeResponse, ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse } from '@brook/protocol'
import { ErrorCode } from '@brook/protocol'
import type { Logger } from '@brook/common'
import type { ShareSettings } from '../config.js'
import { type AssignableTopic, assignmentKey, assignShareGroup } from './assignor.js'
import { type ShareMember, ShareGroup } from './share-group.js'

export interface ShareCoordinatorDeps {
  topicByName: (name: string) => AssignableTopic | undefined
  topicById: (id: string) => AssignableTopic | undefined
  settings: (groupId: string) => ShareSettings
  maxGroupSize: number
  /** A member left or was removed: its records go back to the queue. */
  onMemberGone: (groupId: string, memberId: string) => void
  /** Whether a consumer or classic group already uses the id. */
  isOtherGroup: (groupId: string) => boolean
  /** Groups known only by their durable share state (after a restart). */
  knownGroups: () => string[]
  logger: Logger
}

export interface ClientInfo {
  clientId: string
  clientHost: string
}

type HeartbeatAnswer = Omit<ShareGroupHeartbeatResponse, 'throttleTimeMs'>

const NO_AUTHORIZED_OPERATIONS = -2147483648

function fail (code: number, message: string): HeartbeatAnswer {
  return { errorCode: code, errorMessage: message, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null }
}

export class ShareGroupCoordinator {
  readonly groups = new Map<string, ShareGroup>()
  readonly #deps: ShareCoordinatorDeps

  constructor (deps: ShareCoordinatorDeps) {
    this.#deps = deps
  }

  heartbeat (client: ClientInfo, req: ShareGroupHeartbeatRequest): HeartbeatAnswer {
    const { groupId, memberId, memberEpoch } = req
    if (groupId === '') return fail(ErrorCode.INVALID_REQUEST, 'GroupId can\'t be empty.')
    if (memberId === '') return fail(ErrorCode.INVALID_REQUEST, 'MemberId can\'t be empty.')
    if (memberEpoch < -1) return fail(ErrorCode.INVALID_REQUEST, 'MemberEpoch is invalid.')
    if (memberEpoch === 0 && (req.subscribedTopicNames == null || req.subscribedTopicNames.length === 0)) {
      return fail(ErrorCode.INVALID_REQUEST, 'SubscribedTopicNames must be set in first request.')
    }
    if (this.#deps.isOtherGroup(groupId)) return fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a share group.`)
    const settings = this.#deps.settings(groupId)
    let group = this.groups.get(groupId)
    if (memberEpoch === -1) {
      const member = group?.members.get(memberId)
      if (group === undefined || member === undefined) return fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${groupId}.`)
      this.#remove(group, member)
      return { errorCode: 0, errorMessage: null, memberId, memberEpoch: -1, heartbeatIntervalMs: settings.heartbeatIntervalMs, assignment: null }
    }
    if (group === undefined) {
      if (memberEpoch !== 0) return fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${groupId}.`)
      group = new ShareGroup(groupId)
      this.groups.set(groupId, group)
    }
    let member = group.members.get(memberId)
    let changed = false
    if (member === undefined) {
      if (memberEpoch !== 0) return fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${groupId}.`)
      if (group.members.size >= this.#deps.maxGroupSize) return fail(ErrorCode.GROUP_MAX_SIZE_REACHED, `The share group has reached its maximum size of ${this.#deps.maxGroupSize}.`)
      member = {
        memberId, memberEpoch: 0, clientId: client.clientId, clientHost: client.clientHost, rackId: req.rackId ?? null,
        subscribedTopicNames: [], assignment: new Map(), assignmentKey: '', timer: null
      }
      group.members.set(memberId, member)
      changed = true
    } else if (memberEpoch !== 0 && memberEpoch !== member.memberEpoch) {
      return fail(ErrorCode.FENCED_MEMBER_EPOCH, `The share group member has a member epoch (${memberEpoch}) different from the current one (${member.memberEpoch}).`)
    }
    if (req.subscribedTopicNames != null) {
      const topics = [...new Set(req.subscribedTopicNames)].sort()
      if (topics.join('\u0000') !== member.subscribedTopicNames.join('\u0000')) {
        member.subscribedTopicNames = topics
        changed = true
      }
    }
    if (req.rackId != null) member.rackId = req.rackId
    this.#reassign(group, changed)
    let assignment: HeartbeatAnswer['assignment'] = null
    if (memberEpoch === 0 || member.memberEpoch !== group.groupEpoch) {
      member.memberEpoch = group.groupEpoch
      assignment = { topicPartitions: [...member.assignment].map(([topicId, partitions]) => ({ topicId, partitions })) }
    }
    this.#touch(group, member, settings.sessionTimeoutMs)
    return { errorCode: 0, errorMessage: null, memberId, memberEpoch: member.memberEpoch, heartbeatIntervalMs: settings.heartbeatIntervalMs, assignment }
  }

  describe (groupIds: readonly string[]): ShareGroupDescribeResponse['groups'] {
    const known = new Set(this.#deps.knownGroups())
    return groupIds.map((groupId) => {
      const group = this.groups.get(groupId)
      const base = { groupId, groupEpoch: 0, assignmentEpoch: 0, assignorName: 'simple', members: [], authorizedOperations: NO_AUTHORIZED_OPERATIONS }
      if (groupId === '') return { ...base, errorCode: ErrorCode.INVALID_GROUP_ID, errorMessage: 'The group id is empty.', groupState: '' }
      if (group === undefined) {
        if (known.has(groupId)) return { ...base, errorCode: 0, errorMessage: null, groupState: 'Empty' }
        return { ...base, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} not found.`, groupState: 'Dead' }
      }
      return {
        ...base,
        errorCode: 0,
        errorMessage: null,
        groupState: group.state,
        groupEpoch: group.groupEpoch,
        assignmentEpoch: group.assignmentEpoch,
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          rackId: m.rackId,
          memberEpoch: m.memberEpoch,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopicNames: m.subscribedTopicNames,
          assignment: {
            topicPartitions: [...m.assignment].map(([topicId, partitions]) => ({ topicId, topicName: this.#deps.topicById(topicId)?.name ?? '', partitions }))
          }
        }))
      }
    })
  }

  /** Every share group: with members, or known by its durable state. */
  listGroups (): Array<{ groupId: string, state: string }> {
    const out = new Map<string, string>()
    for (const id of this.#deps.knownGroups()) out.set(id, 'Empty')
    for (const g of this.groups.values()) out.set(g.groupId, g.state)
    return [...out].map(([groupId, state]) => ({ groupId, state }))
  }

  isMember (groupId: string, memberId: string): boolean {
    return this.groups.get(groupId)?.members.has(memberId) ?? false
  }

  /** Deletes an empty group's membership (DeleteGroups); false when it still has members. */
  deleteGroup (groupId: string): boolean {
    const group = this.groups.get(groupId)
    if (group !== undefined && group.members.size > 0) return false
    this.groups.delete(groupId)
    return true
  }

  close (): void {
    for (const g of this.groups.values()) for (const m of g.members.values()) if (m.timer !== null) clearTimeout(m.timer)
  }

  #touch (group: ShareGroup, member: ShareMember, sessionTimeoutMs: number): void {
    if (member.timer !== null) clearTimeout(member.timer)
    member.timer = setTimeout(() => {
      if (group.members.get(member.memberId) !== member) return
      this.#deps.logger.info({ groupId: group.groupId, memberId: member.memberId }, 'share group member session expired')
      this.#remove(group, member)
    }, sessionTimeoutMs)
    member.timer.unref()
  }

  #remove (group: ShareGroup, member: ShareMember): void {
    if (member.timer !== null) clearTimeout(member.timer)
    group.members.delete(member.memberId)
    this.#reassign(group, true)
    this.#deps.onMemberGone(group.groupId, member.memberId)
  }

  /** Recomputes every member's assignment; bumps the group epoch when membership or assignment changed. */
  #reassign (group: ShareGroup, membershipChanged: boolean): void {
    const members = [...group.members.values()]
    const target = assignShareGroup(members.map((m) => ({ memberId: m.memberId, topics: m.subscribedTopicNames })), this.#deps.topicByName)
    const text = members.map((m) => `${m.memberId}=${assignmentKey(target.get(m.memberId) ?? new Map())}`).sort().join('|')
    if (!membershipChanged && text === group.assignmentText) return
    group.groupEpoch++
    group.assignmentEpoch = group.groupEpoch
    group.assignmentText = text
    for (const m of members) {
      const a = target.get(m.memberId) ?? new Map<string, number[]>()
      m.assignment = a
      m.assignmentKey = assignmentKey(a)
    }
  }
}
