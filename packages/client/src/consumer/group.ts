// Classic consumer-group membership (JoinGroup, SyncGroup, Heartbeat, LeaveGroup). The leader
// decodes every member's subscription, runs the chosen assignor and hands out the assignments.
// Eager assignors revoke everything before joining; a cooperative one keeps its partitions
// through the rebalance, revokes only what the new assignment takes away, and then rejoins so
// those partitions can be handed to their new owner.
import {
  consumerProtocolAssignment, consumerProtocolSubscription, decodeMessage, encodeMessage, ErrorCode,
  heartbeatApi, joinGroupApi, leaveGroupApi, Reader, syncGroupApi, Writer
} from '@brook/protocol'
import { type Cluster, CoordinatorType } from '../cluster/cluster.js'
import { kafkaError, KafkaError } from '../errors/kafka-errors.js'
import { type Assignor, type AssignorMember, type TopicPartitions } from './assignors.js'
import type { GroupHooks, GroupSession, Subscription } from './group-session.js'

export interface GroupOptions {
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  heartbeatIntervalMs: number
  assignors: Assignor[]
  groupInstanceId: string | null
}

const SUBSCRIPTION_MAX = 3

function encodeVersioned<T> (schema: Parameters<typeof encodeMessage<T>>[0], version: number, value: T): Buffer {
  const w = new Writer()
  w.writeInt16(version)
  encodeMessage(schema, version, value, w)
  return w.toBuffer()
}

export function encodeSubscription (topics: string[], owned: TopicPartitions[], version: number): Buffer {
  return encodeVersioned(consumerProtocolSubscription, version, { topics, userData: null, ownedPartitions: owned, generationId: -1, rackId: null })
}

export function decodeSubscription (buf: Buffer): { topics: string[], owned: TopicPartitions[] } {
  const r = new Reader(buf)
  const version = r.readInt16()
  // A newer version only appends fields: read it as the newest version known here.
  const s = decodeMessage(consumerProtocolSubscription, Math.min(version, SUBSCRIPTION_MAX), r)
  return { topics: s.topics, owned: (s.ownedPartitions ?? []).map((tp) => ({ topic: tp.topic, partitions: tp.partitions })) }
}

export function encodeAssignment (byTopic: Map<string, number[]>, version: number): Buffer {
  const assignedPartitions = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }))
  return encodeVersioned(consumerProtocolAssignment, version, { assignedPartitions, userData: null })
}

export function decodeAssignment (buf: Buffer): TopicPartitions[] {
  if (buf.length === 0) return []
  const r = new Reader(buf)
  const version = r.readInt16()
  const a = decodeMessage(consumerProtocolAssignment, Math.min(version, SUBSCRIPTION_MAX), r)
  return a.assignedPartitions.map((tp) => ({ topic: tp.topic, partitions: [...tp.partitions].sort((x, y) => x - y) }))
}

function keys (list: TopicPartitions[]): Set<string> {
  const out = new Set<string>()
  for (const tp of list) for (const p of tp.partitions) out.add(`${tp.topic}\u0000${p}`)
  return out
}

function minus (a: TopicPartitions[], b: TopicPartitions[]): TopicPartitions[] {
  const drop = keys(b)
  return a.map((tp) => ({ topic: tp.topic, partitions: tp.partitions.filter((p) => !drop.has(`${tp.topic}\u0000${p}`)) })).filter((tp) => tp.partitions.length > 0)
}

export class GroupMembership implements GroupSession {
  memberId = ''
  generationId = -1
  protocol: Assignor | null = null
  owned: TopicPartitions[] = []
  needsRejoin = true
  private heartbeatTimer: NodeJS.Timeout | null = null
  private stopped = false

  constructor (
    private readonly cluster: Cluster,
    readonly groupId: string,
    private readonly options: GroupOptions,
    private readonly hooks: GroupHooks
  ) {}

  get isLeaderless (): boolean { return this.generationId < 0 }

  /** Joins (or rejoins) the group and applies the new assignment. */
  async rebalance (subscription: Subscription): Promise<void> {
    const topics = subscription.topics
    this.stopHeartbeats()
    const cooperative = this.protocol?.cooperative === true
    if (!cooperative && this.owned.length > 0) {
      await this.hooks.onRevoke(this.owned)
      this.owned = []
    }
    for (;;) {
      try {
        await this.joinAndSync(topics)
        break
      } catch (err) {
        if (!(err instanceof KafkaError)) throw err
        if (err.code === ErrorCode.UNKNOWN_MEMBER_ID || err.code === ErrorCode.ILLEGAL_GENERATION || err.code === ErrorCode.FENCED_INSTANCE_ID) {
          if (err.code === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = ''
          if (this.owned.length > 0) { await this.hooks.onRevoke(this.owned); this.owned = [] }
          continue
        }
        if (err.code === ErrorCode.REBALANCE_IN_PROGRESS) continue
        if (err.retriable) { this.cluster.forgetCoordinator(this.groupId, CoordinatorType.Group); continue }
        throw err
      }
    }
    this.startHeartbeats()
  }

  private async joinAndSync (topics: string[]): Promise<void> {
    const coordinator = await this.cluster.coordinator(this.groupId, CoordinatorType.Group)
    const protocols = this.options.assignors.map((a) => ({ name: a.name, metadata: encodeSubscription(topics, a.subscriptionVersion >= 1 ? this.owned : [], a.subscriptionVersion) }))
    let join
    for (;;) {
      join = await coordinator.request(joinGroupApi, {
        groupId: this.groupId,
        sessionTimeoutMs: this.options.sessionTimeoutMs,
        rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
        memberId: this.memberId,
        groupInstanceId: this.options.groupInstanceId,
        protocolType: 'consumer',
        protocols,
        reason: null
      }, { timeoutMs: this.options.rebalanceTimeoutMs + 5000 })
      if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) { this.memberId = join.memberId; continue }
      if (join.errorCode !== ErrorCode.NONE) throw kafkaError(join.errorCode, `JoinGroup ${this.groupId}`)
      break
    }
    this.memberId = join.memberId
    this.generationId = join.generationId
    const protocol = this.options.assignors.find((a) => a.name === join.protocolName)
    if (protocol === undefined) throw kafkaError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `the group chose ${join.protocolName ?? '?'}`)
    this.protocol = protocol
    let assignments: Array<{ memberId: string, assignment: Buffer }> = []
    if (join.leader === join.memberId) {
      const members: AssignorMember[] = join.members.map((m) => ({ memberId: m.memberId, ...decodeSubscription(m.metadata) }))
      const allTopics = [...new Set(members.flatMap((m) => m.topics))]
      const meta = await this.cluster.metadataFor(allTopics)
      const counts = new Map(allTopics.map((t) => [t, meta.partitionCount(t)]))
      const result = protocol.assign(members, counts)
      const version = protocol.subscriptionVersion
      assignments = [...result].map(([memberId, byTopic]) => ({ memberId, assignment: encodeAssignment(byTopic, version) }))
    }
    const sync = await coordinator.request(syncGroupApi, {
      groupId: this.groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      groupInstanceId: this.options.groupInstanceId,
      protocolType: 'consumer',
      protocolName: protocol.name,
      assignments
    }, { timeoutMs: this.options.rebalanceTimeoutMs + 5000 })
    if (sync.errorCode !== ErrorCode.NONE) throw kafkaError(sync.errorCode, `SyncGroup ${this.groupId}`)
    const assigned = decodeAssignment(sync.assignment)
    const revoked = minus(this.owned, assigned)
    const added = minus(assigned, this.owned)
    if (revoked.length > 0) await this.hooks.onRevoke(revoked)
    this.owned = assigned
    this.needsRejoin = protocol.cooperative && revoked.length > 0
    if (added.length > 0) await this.hooks.onAssign(added)
  }

  private startHeartbeats (): void {
    if (this.stopped) return
    this.heartbeatTimer = setInterval(() => { void this.heartbeat() }, this.options.heartbeatIntervalMs)
  }

  private stopHeartbeats (): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer)
    this.heartbeatTimer = null
  }

  private async heartbeat (): Promise<void> {
    try {
      const coordinator = await this.cluster.coordinator(this.groupId, CoordinatorType.Group)
      const r = await coordinator.request(heartbeatApi, {
        groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.options.groupInstanceId
      })
      if (r.errorCode === ErrorCode.NONE) return
      if (r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = ''
      if (r.errorCode === ErrorCode.NOT_COORDINATOR || r.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE) this.cluster.forgetCoordinator(this.groupId, CoordinatorType.Group)
      this.needsRejoin = true
    } catch (err) {
      // A failed heartbeat is retried at the next interval; the session timeout gives several tries.
      this.cluster.logger.debug({ err, group: this.groupId }, 'heartbeat failed')
      this.cluster.forgetCoordinator(this.groupId, CoordinatorType.Group)
    }
  }

  /** A classic member learns of a new generation by rejoining, which the read loop does. */
  async refresh (): Promise<void> {}

  async leave (): Promise<void> {
    this.stopped = true
    this.stopHeartbeats()
    if (this.memberId === '') return
    const coordinator = await this.cluster.coordinator(this.groupId, CoordinatorType.Group)
    const version = coordinator.versionFor(leaveGroupApi)
    const r = await coordinator.request(leaveGroupApi, version >= 3
      ? { groupId: this.groupId, members: [{ memberId: this.memberId, groupInstanceId: this.options.groupInstanceId, reason: 'the consumer is closing' }] }
      : { groupId: this.groupId, memberId: this.memberId }, { version })
    if (r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.UNKNOWN_MEMBER_ID) throw kafkaError(r.errorCode, `LeaveGroup ${this.groupId}`)
    this.memberId = ''
    this.generationId = -1
  }
}
