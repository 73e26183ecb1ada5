// One group coordinator shard: the groups and committed offsets of one `__consumer_offsets`
// partition, the operations on them (each returns records + response, see ./op.ts) and replay.
//
// Replay rule: a plain offset record updates the committed offsets; one from a transactional batch
// becomes a pending offset of its producer (./txn-offsets.ts); an offset tombstone deletes the
// committed offset and every pending one of that partition. A COMMIT marker makes the producer's
// pending offsets committed, except where a newer record (higher log offset) is already committed;
// an ABORT marker drops them. A group tombstone deletes the group. A group snapshot rebuilds the
// group (Stable with members, else Empty) while the partition loads; once the shard is live,
// snapshots are written by the live group itself (sync, static rejoin, emptying) and replaying
// them leaves its soft state alone.
import { type GroupCoordinatorConfig, groupConfigBounds } from './config.js'
import { GroupConfigs } from './group-configs.js'
import { GroupError } from './errors.js'
import { Group } from './classic/group.js'
import { GroupMember } from './classic/member.js'
import { Membership, heartbeatKey, joinError, joinKey, syncError, syncKey } from './classic/membership.js'
import { NO_PRODUCER_ID } from '../coordinator/log.js'
import type { CoordinatorShard, RecordPosition } from '../coordinator/runtime.js'
import type { Clock, Logger } from '@brook/common'
import { OffsetOps } from './offsets.js'
import { OffsetStore } from './offset-store.js'
import { type OpResult, type OpScheduler, result, withRecordsOf } from './op.js'
import { groupRecord, type GroupRecord, type GroupSnapshot } from './records.js'
import type { ShardContext } from './shard-context.js'
import { parseGroupState } from './classic/state.js'
import { TxnOffsets } from './txn-offsets.js'
import type {
  DescribedGroup, HeartbeatInput, JoinGroupInput, JoinGroupResult, LeaveGroupResult, LeaveMemberInput, ListedGroup, RequestInfo, SyncGroupInput, SyncGroupResult
} from './types.js'
import { ClassicMembers } from './consumer/classic-members.js'
import type { ConsumerGroup } from './consumer/group.js'
import { ConsumerMembership } from './consumer/membership.js'
import { replayConsumerRecord } from './consumer/replay.js'
import { groupTombstones } from './consumer/records.js'
import { NO_TOPICS, type TopicResolver } from './consumer/topics.js'
import { describeConsumerGroup, describeConsumerGroupClassic, listedConsumerGroup, type ConsumerGroupDescription } from './consumer/describe.js'
import { durableConsumerGroup, type DurableConsumerGroup } from './consumer/durable.js'

export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

export interface ShardOptions {
  partition: number
  config: GroupCoordinatorConfig
  clock: Clock
  scheduler: OpScheduler
  logger: Logger
  /** The cluster's topics; none when omitted. */
  topics?: TopicResolver
  /** Per-group configs; the broker's settings only when omitted. */
  groupConfigs?: GroupConfigs
}

export class GroupShard implements ShardContext, CoordinatorShard<GroupRecord> {
  readonly partition: number
  readonly config: GroupCoordinatorConfig
  readonly clock: Clock
  readonly scheduler: OpScheduler
  readonly logger: Logger
  readonly groups = new Map<string, Group>()
  readonly consumerGroups = new Map<string, ConsumerGroup>()
  readonly topics: TopicResolver
  readonly groupConfigs: GroupConfigs
  readonly consumerMembership: ConsumerMembership
  readonly classicMembers: ClassicMembers
  readonly offsets = new OffsetStore()
  readonly txnOffsets = new TxnOffsets()
  readonly membership: Membership
  readonly offsetOps: OffsetOps
  /** True while the partition is being replayed at load. */
  loading = true

  constructor (options: ShardOptions) {
    this.partition = options.partition
    this.config = options.config
    this.clock = options.clock
    this.scheduler = options.scheduler
    this.logger = options.logger
    this.topics = options.topics ?? NO_TOPICS
    this.groupConfigs = options.groupConfigs ?? new GroupConfigs(null, groupConfigBounds(options.config))
    this.membership = new Membership(this)
    this.consumerMembership = new ConsumerMembership(this)
    this.classicMembers = new ClassicMembers(this, this.consumerMembership)
    this.offsetOps = new OffsetOps(this, this.membership)
  }

  createGroup (groupId: string): Group {
    const group = new Group(groupId, this.clock.now())
    this.groups.set(groupId, group)
    return group
  }

  removeGroup (groupId: string): void {
    const group = this.groups.get(groupId)
    if (group === undefined) return
    for (const memberId of [...group.members.keys(), ...group.pendingJoinMembers]) {
      this.scheduler.cancel(heartbeatKey(groupId, memberId))
    }
    this.scheduler.cancel(joinKey(groupId))
    this.scheduler.cancel(syncKey(groupId))
    // Nobody should be parked in a group that is deleted (only Empty groups are), but if someone
    // is, they must hear back rather than hang.
    for (const member of group.members.values()) {
      group.completeJoin(member, joinError(member.memberId, GroupError.COORDINATOR_NOT_AVAILABLE))
      group.completeSync(member, syncError(GroupError.COORDINATOR_NOT_AVAILABLE))
    }
    group.transitionTo('Dead', this.clock.now())
    this.groups.delete(groupId)
  }

  // ---------------------------------------------------------------- replay

  replay (record: GroupRecord, at: RecordPosition): void {
    if (record.type !== 'offset' && record.type !== 'group') {
      // A consumer group replaces a classic group of the same id (an empty one: the upgrade path).
      replayConsumerRecord(this.consumerGroups, record, (groupId) => { this.removeGroup(groupId) })
      return
    }
    if (record.type === 'offset') {
      const { groupId, topic, partition } = record
      if (record.value === null) {
        this.offsets.delete(groupId, topic, partition)
        this.txnOffsets.deletePartition(groupId, topic, partition)
        return
      }
      // Offsets without membership (a "simple" group) still make the group exist, as in Kafka.
      if (!this.groups.has(groupId) && !this.consumerGroups.has(groupId)) this.createGroup(groupId)
      const value = { ...record.value, recordOffset: at.offset }
      if (at.producerId === NO_PRODUCER_ID) this.offsets.put(groupId, topic, partition, value)
      else this.txnOffsets.put(at.producerId, groupId, topic, partition, value)
      return
    }
    if (record.value === null) {
      this.removeGroup(record.groupId)
      return
    }
    if (!this.loading && this.groups.has(record.groupId)) return
    const group = groupFromSnapshot(record.groupId, record.value, this.clock.now())
    this.groups.set(record.groupId, group)
    // A live shard creates classic groups from a snapshot only when a consumer group is turned
    // back into one: its members must heartbeat within their sessions from now on.
    if (!this.loading) this.membership.scheduleLoadedMembers(group)
  }

  /** A COMMIT or ABORT marker of `producerId` on this partition. */
  replayEndTransaction (producerId: bigint, commit: boolean): void {
    const pending = this.txnOffsets.take(producerId)
    if (pending === undefined || !commit) return
    for (const [groupId, topic, partition, o] of pending.entries()) {
      const current = this.offsets.get(groupId, topic, partition)
      if (current === undefined || o.recordOffset > current.recordOffset) this.offsets.put(groupId, topic, partition, o)
    }
  }

  /** The coordinator is going away: answer everyone parked in a join or sync. */
  onUnloaded (): void {
    for (const group of this.groups.values()) {
      for (const member of group.members.values()) {
        group.completeJoin(member, joinError(member.memberId, GroupError.NOT_COORDINATOR))
        group.completeSync(member, syncError(GroupError.NOT_COORDINATOR))
      }
    }
  }

  /** Loading is over: loaded members must now heartbeat within their session timeout. */
  onLoaded (): void {
    this.loading = false
    for (const group of this.groups.values()) this.membership.scheduleLoadedMembers(group)
    for (const group of this.consumerGroups.values()) this.consumerMembership.scheduleLoadedMembers(group)
  }

  // ---------------------------------------------------------------- admin operations

  describe (groupId: string): DescribedGroup {
    const consumerGroup = this.consumerGroups.get(groupId)
    if (consumerGroup !== undefined) return describeConsumerGroupClassic(consumerGroup)
    const group = this.groups.get(groupId)
    if (group === undefined || group.is('Dead')) {
      return {
        errorCode: GroupError.NONE,
        groupId,
        groupState: 'Dead',
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED
      }
    }
    const stable = group.is('Stable')
    return {
      errorCode: GroupError.NONE,
      groupId,
      groupState: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? group.protocolName ?? '' : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadata(group.protocolName) : Buffer.alloc(0),
        memberAssignment: stable ? m.assignment : Buffer.alloc(0)
      })),
      authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED
    }
  }

  /** Groups of this shard, optionally only those in the given states (ListGroups v4+). */
  list (statesFilter: string[] = [], typesFilter: string[] = []): ListedGroup[] {
    const states = new Set(statesFilter.map((s) => parseGroupState(s) ?? s.toLowerCase()))
    const types = new Set(typesFilter.map((t) => t.toLowerCase()))
    const out: ListedGroup[] = []
    if (types.size === 0 || types.has('consumer')) {
      for (const group of this.consumerGroups.values()) {
        const listed = listedConsumerGroup(group)
        if (states.size === 0 || [...states].some((st) => st.toLowerCase() === listed.groupState.toLowerCase())) out.push(listed)
      }
    }
    if (types.size > 0 && !types.has('classic')) return out
    for (const group of this.groups.values()) {
      if (group.is('Dead')) continue
      if (states.size > 0 && !states.has(group.state)) continue
      out.push({ groupId: group.groupId, protocolType: group.protocolType ?? '', groupState: group.state, groupType: 'classic' })
    }
    return out
  }

  /** DeleteGroups for one group: tombstones for its offsets and for the group itself. */
  deleteGroup (groupId: string): OpResult<number> {
    const consumerGroup = this.consumerGroups.get(groupId)
    if (consumerGroup !== undefined) {
      if (consumerGroup.members.size > 0) return result(GroupError.NON_EMPTY_GROUP)
      const targets = [...consumerGroup.target.keys()].map((memberId) => ({ type: 'cg-target' as const, groupId, memberId, value: null }))
      return result(GroupError.NONE, [...this.offsetOps.deleteAll(groupId), ...targets, ...groupTombstones(groupId)])
    }
    const group = this.groups.get(groupId)
    if (group === undefined || group.is('Dead')) return result(GroupError.GROUP_ID_NOT_FOUND)
    if (!group.is('Empty')) return result(GroupError.NON_EMPTY_GROUP)
    return result(GroupError.NONE, [...this.offsetOps.deleteAll(groupId), groupRecord(groupId, null)])
  }

  /** The durable view of the shard (what the records say), for replay-equivalence checks. */
  durableState (): DurableShardState {
    const groups: DurableShardState['groups'] = {}
    for (const group of [...this.groups.values()].sort((a, b) => a.groupId.localeCompare(b.groupId))) {
      groups[group.groupId] = {
        state: group.state,
        generation: group.generationId,
        protocolType: group.protocolType ?? '',
        protocol: group.protocolName,
        leader: group.leaderId,
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          sessionTimeoutMs: m.sessionTimeoutMs,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          subscription: m.metadata(group.protocolName).toString('hex'),
          assignment: m.assignment.toString('hex')
        })).sort((a, b) => a.memberId.localeCompare(b.memberId))
      }
    }
    const offsets: DurableShardState['offsets'] = {}
    for (const groupId of [...this.offsets.groupIds()].sort()) {
      for (const [topic, partitions] of this.offsets.ofGroup(groupId) ?? []) {
        for (const [partition, o] of partitions) {
          offsets[`${groupId}/${topic}/${partition}`] = { ...o, committedOffset: o.committedOffset.toString() }
        }
      }
    }
    const pending: DurableShardState['pending'] = {}
    for (const [producerId, groupId, topic, partition, o] of this.txnOffsets.entries()) {
      pending[`${producerId}/${groupId}/${topic}/${partition}`] = { ...o, committedOffset: o.committedOffset.toString() }
    }
    const consumerGroups: Record<string, DurableConsumerGroup> = {}
    for (const id of [...this.consumerGroups.keys()].sort()) {
      const group = this.consumerGroups.get(id)
      if (group !== undefined) consumerGroups[id] = durableConsumerGroup(group)
    }
    return { groups, offsets, pending, consumerGroups }
  }

  /**
   * A classic JoinGroup: an empty consumer group of that id is deleted and replaced by a classic
   * group (the downgrade path); a consumer group with members refuses the classic protocol.
   */
  joinClassic (info: RequestInfo, req: JoinGroupInput): OpResult<Promise<JoinGroupResult>> {
    const consumerGroup = this.consumerGroups.get(req.groupId)
    if (consumerGroup === undefined) return this.membership.join(info, req)
    if (consumerGroup.members.size > 0) {
      const joined = this.classicMembers.join(info, consumerGroup, req)
      return { ...joined, response: Promise.resolve(joined.response) }
    }
    const tombstones: GroupRecord[] = [
      ...[...consumerGroup.target.keys()].map((memberId) => ({ type: 'cg-target' as const, groupId: req.groupId, memberId, value: null })),
      ...groupTombstones(req.groupId)
    ]
    consumerGroup.dead = true
    this.consumerGroups.delete(req.groupId)
    return withRecordsOf(this.membership.join(info, req), result(undefined, tombstones))
  }

  /** SyncGroup: a classic member of a consumer group, else the classic group's. */
  syncClassic (req: SyncGroupInput): OpResult<Promise<SyncGroupResult>> {
    const consumerGroup = this.consumerGroups.get(req.groupId)
    if (consumerGroup === undefined) return this.membership.sync(req)
    const synced = this.classicMembers.sync(consumerGroup, req)
    return { ...synced, response: Promise.resolve(synced.response) }
  }

  heartbeatClassic (req: HeartbeatInput): OpResult<number> {
    const consumerGroup = this.consumerGroups.get(req.groupId)
    return consumerGroup === undefined ? this.membership.heartbeat(req) : this.classicMembers.heartbeat(consumerGroup, req)
  }

  leaveClassic (groupId: string, members: LeaveMemberInput[]): OpResult<LeaveGroupResult> {
    const consumerGroup = this.consumerGroups.get(groupId)
    return consumerGroup === undefined ? this.membership.leave(groupId, members) : this.classicMembers.leave(consumerGroup, members)
  }

  /** ConsumerGroupDescribe for one group: GROUP_ID_NOT_FOUND unless it is a consumer group. */
  describeConsumerGroup (groupId: string): ConsumerGroupDescription {
    return describeConsumerGroup(groupId, this.consumerGroups.get(groupId), this.topics)
  }
}

export interface DurableShardState {
  groups: Record<string, {
    state: string
    generation: number
    protocolType: string
    protocol: string | null
    leader: string | null
    members: Array<{
      memberId: string
      groupInstanceId: string | null
      clientId: string
      clientHost: string
      sessionTimeoutMs: number
      rebalanceTimeoutMs: number
      subscription: string
      assignment: string
    }>
  }>
  offsets: Record<string, DurableOffset>
  /** Pending transactional offsets, keyed producer/group/topic/partition. */
  pending: Record<string, DurableOffset>
  consumerGroups: Record<string, DurableConsumerGroup>
}

interface DurableOffset {
  committedOffset: string
  leaderEpoch: number
  metadata: string
  commitTimestampMs: number
  expireTimestampMs: number | null
  recordOffset: number
}

/** Rebuilds a group from its last snapshot: Stable if it has members, else Empty (Kafka's load). */
function groupFromSnapshot (groupId: string, snapshot: GroupSnapshot, now: number): Group {
  const group = new Group(groupId, now, {
    state: snapshot.members.length > 0 ? 'Stable' : 'Empty',
    generationId: snapshot.generation,
    protocolType: snapshot.protocolType === '' ? null : snapshot.protocolType,
    protocolName: snapshot.protocol,
    leaderId: snapshot.leader,
    currentStateTimestamp: snapshot.currentStateTimestamp < 0 ? null : snapshot.currentStateTimestamp
  })
  for (const m of snapshot.members) {
    const member = new GroupMember({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      // Records older than v1 carry no rebalance timeout: Kafka falls back to the session timeout.
      rebalanceTimeoutMs: m.rebalanceTimeoutMs < 0 ? m.sessionTimeoutMs : m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.sessionTimeoutMs,
      protocolType: snapshot.protocolType,
      protocols: snapshot.protocol === null ? [] : [{ name: snapshot.protocol, metadata: m.subscription }],
      assignment: m.assignment
    })
    if (m.groupInstanceId !== null && group.staticMembers.has(m.groupInstanceId)) continue
    group.add(member)
  }
  // add() adopts the first member as leader when none is set; keep the recorded one if present.
  if (snapshot.leader !== null && group.hasMember(snapshot.leader)) group.leaderId = snapshot.leader
  group.subscribedTopics = group.computeSubscribedTopics()
  return group
}
