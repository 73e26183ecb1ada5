// OffsetCommit / OffsetFetch / OffsetDelete and offset expiry, as Kafka's OffsetMetadataManager:
//
//  - A commit with generation -1 to an Empty (or unknown) group is accepted without membership:
//    admin tools and consumers that assign partitions themselves ("simple" groups). Otherwise the
//    member and generation must match; CompletingRebalance answers REBALANCE_IN_PROGRESS. An
//    unknown group with a generation is GROUP_ID_NOT_FOUND from v9, ILLEGAL_GENERATION before.
//  - Metadata longer than offset.metadata.max.bytes (counted in UTF-16 units, like Java's
//    String.length()) fails that partition with OFFSET_METADATA_TOO_LARGE; null is stored as "".
//  - Fetch returns -1 / "" for partitions without a commit, and for unknown groups. Pending
//    transactional offsets are not visible; with requireStable (v7+) a partition that has one
//    answers UNSTABLE_OFFSET_COMMIT (offset -1), and the client retries.
//  - TxnOffsetCommit (KIP-447 fields from v3) checks the member and generation only when any of
//    them is given, and never the group state; its records are appended as the producer's
//    transactional batch and stay pending until the transaction's marker (./txn-offsets.ts).
//  - Expiry (offsets.retention.minutes): offsets of an Empty group expire that long after it
//    became Empty; a Stable consumer group's offsets for topics it no longer subscribes to expire
//    that long after their commit; offsets of a group without protocol type (simple group) that
//    long after their commit; explicit expire timestamps (v1 / v2-v4) win. A partition with a
//    pending transactional offset does not expire. A group left Empty with no offsets (committed
//    or pending) is deleted. KIP-848 consumer groups: offsets of topics the group does not
//    subscribe to (all, once it has no members) expire that long after their commit. Deleting offsets or a group writes tombstones for pending ones too.
import { GroupError } from './errors.js'
import type { Group } from './classic/group.js'
import type { Membership } from './classic/membership.js'
import { type OpResult, result } from './op.js'
import { groupRecord, offsetRecord, type GroupRecord, type OffsetAndMetadata } from './records.js'
import type { ShardContext } from './shard-context.js'
import { isSubscribedTo, validateConsumerCommit } from './consumer/offset-rules.js'
import type { ConsumerGroup } from './consumer/group.js'
import { groupTombstones } from './consumer/records.js'
import type {
  OffsetCommitInput, OffsetCommitResult, OffsetDeleteInput, OffsetDeleteResult, OffsetFetchGroupInput,
  OffsetFetchGroupResult, OffsetFetchPartitionResult, RequestInfo, TxnOffsetCommitInput, TxnOffsetCommitResult
} from './types.js'

const NO_OFFSET = -1n

/** What OffsetCommit and TxnOffsetCommit partitions have in common. */
interface CommittedPartition {
  partitionIndex: number
  committedOffset: bigint
  committedLeaderEpoch: number
  committedMetadata: string | null
}

function commitError (req: OffsetCommitInput | TxnOffsetCommitInput, errorCode: number): OffsetCommitResult {
  return {
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode }))
    }))
  }
}

function noOffset (partitionIndex: number): OffsetFetchPartitionResult {
  return { partitionIndex, committedOffset: NO_OFFSET, committedLeaderEpoch: -1, metadata: '', errorCode: GroupError.NONE }
}

function unstable (partitionIndex: number): OffsetFetchPartitionResult {
  return { ...noOffset(partitionIndex), errorCode: GroupError.UNSTABLE_OFFSET_COMMIT }
}

function committed (partitionIndex: number, o: OffsetAndMetadata): OffsetFetchPartitionResult {
  return {
    partitionIndex,
    committedOffset: o.committedOffset,
    committedLeaderEpoch: o.leaderEpoch,
    metadata: o.metadata,
    errorCode: GroupError.NONE
  }
}

export class OffsetOps {
  readonly #s: ShardContext
  readonly #membership: Membership

  constructor (context: ShardContext, membership: Membership) {
    this.#s = context
    this.#membership = membership
  }

  commit (info: RequestInfo, req: OffsetCommitInput): OpResult<OffsetCommitResult> {
    const consumerGroup = this.#s.consumerGroups.get(req.groupId)
    if (consumerGroup !== undefined) {
      const error = validateConsumerCommit(consumerGroup, req.memberId, req.generationIdOrMemberEpoch, info.apiVersion, false)
      if (error !== GroupError.NONE) return result(commitError(req, error))
      return this.#commitValidated(req)
    }
    let group = this.#s.groups.get(req.groupId)
    if (group === undefined) {
      if (req.generationIdOrMemberEpoch >= 0) {
        return result(commitError(req, info.apiVersion >= 9 ? GroupError.GROUP_ID_NOT_FOUND : GroupError.ILLEGAL_GENERATION))
      }
      group = this.#s.createGroup(req.groupId)
    }
    const error = validateCommit(group, req.memberId, req.groupInstanceId, req.generationIdOrMemberEpoch, false)
    if (error !== GroupError.NONE) return result(commitError(req, error))
    if (group.is('Stable') || group.is('PreparingRebalance')) this.#membership.touchMember(group, req.memberId)
    return this.#commitValidated(req)
  }

  #commitValidated (req: OffsetCommitInput): OpResult<OffsetCommitResult> {
    const now = this.#s.clock.now()
    const retention = Number(req.retentionTimeMs)
    const expireTimestampMs = req.retentionTimeMs === -1n || !Number.isFinite(retention) ? null : now + retention
    const { response, records } = this.#offsetRecords(req.groupId, req.topics, (p) => ({
      commitTimestampMs: p.commitTimestamp === -1n ? now : Number(p.commitTimestamp),
      expireTimestampMs
    }))
    return result(response, records)
  }

  /**
   * TxnOffsetCommit: validates like OffsetCommit (transactional rules) and returns the offset records,
   * which the runtime appends as the producer's transactional batch.
   */
  commitTransactional (req: TxnOffsetCommitInput): OpResult<TxnOffsetCommitResult> {
    const consumerGroup = this.#s.consumerGroups.get(req.groupId)
    let group = this.#s.groups.get(req.groupId)
    if (consumerGroup !== undefined) {
      const error = validateConsumerCommit(consumerGroup, req.memberId, req.generationId, 9, true)
      if (error !== GroupError.NONE) return result(commitError(req, error))
    } else if (group === undefined) {
      if (req.generationId >= 0) return result(commitError(req, GroupError.ILLEGAL_GENERATION))
      group = this.#s.createGroup(req.groupId)
    }
    if (group !== undefined) {
      const error = validateCommit(group, req.memberId, req.groupInstanceId, req.generationId, true)
      if (error !== GroupError.NONE) return result(commitError(req, error))
    }
    const now = this.#s.clock.now()
    const { response, records } = this.#offsetRecords(req.groupId, req.topics, () => ({ commitTimestampMs: now, expireTimestampMs: null }))
    return result(response, records)
  }

  /**
   * The records of an OffsetCommit or TxnOffsetCommit, and its per-partition answers: a partition
   * whose metadata is too large is refused alone, the others are committed.
   */
  #offsetRecords<P extends CommittedPartition> (groupId: string, topics: ReadonlyArray<{ name: string, partitions: readonly P[] }>,
    timestamps: (p: P) => { commitTimestampMs: number, expireTimestampMs: number | null }): { response: OffsetCommitResult, records: GroupRecord[] } {
    const records: GroupRecord[] = []
    const response: OffsetCommitResult = { topics: [] }
    for (const topic of topics) {
      const partitions: Array<{ partitionIndex: number, errorCode: number }> = []
      response.topics.push({ name: topic.name, partitions })
      for (const p of topic.partitions) {
        const metadata = p.committedMetadata ?? ''
        if (metadata.length > this.#s.config.offsetMetadataMaxBytes) {
          partitions.push({ partitionIndex: p.partitionIndex, errorCode: GroupError.OFFSET_METADATA_TOO_LARGE })
          continue
        }
        partitions.push({ partitionIndex: p.partitionIndex, errorCode: GroupError.NONE })
        records.push(offsetRecord(groupId, topic.name, p.partitionIndex, {
          committedOffset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch < 0 ? -1 : p.committedLeaderEpoch,
          metadata,
          ...timestamps(p)
        }))
      }
    }
    return { response, records }
  }

  /** One group of an OffsetFetch. */
  fetch (req: OffsetFetchGroupInput): OpResult<OffsetFetchGroupResult> {
    const group = this.#s.groups.get(req.groupId)
    const exists = this.#s.consumerGroups.has(req.groupId) || (group !== undefined && !group.is('Dead'))
    const offsets = exists ? this.#s.offsets.ofGroup(req.groupId) : undefined
    const pending = req.requireStable === true
      ? (topic: string, partition: number) => this.#s.txnOffsets.has(req.groupId, topic, partition)
      : () => false
    if (req.topics === null) {
      const topics: OffsetFetchGroupResult['topics'] = []
      for (const [name, partitions] of offsets ?? []) {
        topics.push({ name, partitions: [...partitions].map(([index, o]) => pending(name, index) ? unstable(index) : committed(index, o)) })
      }
      return result({ groupId: req.groupId, topics, errorCode: GroupError.NONE })
    }
    return result({
      groupId: req.groupId,
      errorCode: GroupError.NONE,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((index) => {
          if (pending(t.name, index)) return unstable(index)
          const o = offsets?.get(t.name)?.get(index)
          return o === undefined ? noOffset(index) : committed(index, o)
        })
      }))
    })
  }

  deleteOffsets (req: OffsetDeleteInput): OpResult<OffsetDeleteResult> {
    const consumerGroup = this.#s.consumerGroups.get(req.groupId)
    if (consumerGroup !== undefined) return this.#deleteOffsets(req, (topic) => isSubscribedTo(consumerGroup, topic))
    const group = this.#s.groups.get(req.groupId)
    if (group === undefined || group.is('Dead')) return result({ errorCode: GroupError.GROUP_ID_NOT_FOUND, topics: [] })
    if (!group.is('Empty') && !group.usesConsumerProtocol()) return result({ errorCode: GroupError.NON_EMPTY_GROUP, topics: [] })
    // An Empty group subscribes to nothing, whatever its last members did.
    return this.#deleteOffsets(req, (topic) => !group.is('Empty') && group.isSubscribedToTopic(topic))
  }

  #deleteOffsets (req: OffsetDeleteInput, isSubscribed: (topic: string) => boolean): OpResult<OffsetDeleteResult> {
    const records: GroupRecord[] = []
    const topics: OffsetDeleteResult['topics'] = []
    for (const topic of req.topics) {
      const subscribed = isSubscribed(topic.name)
      topics.push({
        name: topic.name,
        partitions: topic.partitions.map((p) => {
          if (subscribed) return { partitionIndex: p.partitionIndex, errorCode: GroupError.GROUP_SUBSCRIBED_TO_TOPIC }
          if (this.#s.offsets.get(req.groupId, topic.name, p.partitionIndex) !== undefined ||
            this.#s.txnOffsets.has(req.groupId, topic.name, p.partitionIndex)) {
            records.push(offsetRecord(req.groupId, topic.name, p.partitionIndex, null))
          }
          return { partitionIndex: p.partitionIndex, errorCode: GroupError.NONE }
        })
      })
    }
    return result({ errorCode: GroupError.NONE, topics }, records)
  }

  /** Tombstones for every offset of a group, committed or pending (DeleteGroups). */
  deleteAll (groupId: string): GroupRecord[] {
    const records: GroupRecord[] = []
    for (const [topic, partitions] of this.#s.offsets.ofGroup(groupId) ?? []) {
      for (const partition of partitions.keys()) records.push(offsetRecord(groupId, topic, partition, null))
    }
    for (const [topic, partition] of this.#s.txnOffsets.partitionsOf(groupId)) {
      if (this.#s.offsets.get(groupId, topic, partition) === undefined) records.push(offsetRecord(groupId, topic, partition, null))
    }
    return records
  }

  /** Expires offsets past retention; deletes the group when it is Empty and nothing is left. */
  cleanup (groupId: string): OpResult<number> {
    const consumerGroup = this.#s.consumerGroups.get(groupId)
    if (consumerGroup !== undefined) return this.#cleanupConsumerGroup(consumerGroup)
    const group = this.#s.groups.get(groupId)
    if (group === undefined || group.is('Dead')) return result(0)
    const records: GroupRecord[] = []
    const allExpired = this.#expireOffsets(group, records) && !this.#s.txnOffsets.hasGroup(groupId)
    const expired = records.length
    if (allExpired && group.is('Empty')) records.push(groupRecord(groupId, null))
    return result(expired, records)
  }

  /**
   * A consumer group's offsets expire retention after their commit, except for topics the group
   * (with members) subscribes to, as Kafka's ConsumerGroup; an empty group left without offsets
   * is deleted.
   */
  #cleanupConsumerGroup (group: ConsumerGroup): OpResult<number> {
    const records: GroupRecord[] = []
    const now = this.#s.clock.now()
    let allExpired = true
    for (const [topic, partitions] of this.#s.offsets.ofGroup(group.groupId) ?? []) {
      if (isSubscribedTo(group, topic)) {
        allExpired = false
        continue
      }
      for (const [partition, o] of partitions) {
        const expired = (o.expireTimestampMs !== null ? now >= o.expireTimestampMs : now - o.commitTimestampMs >= this.#s.config.offsetsRetentionMs) &&
          !this.#s.txnOffsets.has(group.groupId, topic, partition)
        if (expired) records.push(offsetRecord(group.groupId, topic, partition, null))
        else allExpired = false
      }
    }
    const expired = records.length
    if (allExpired && group.members.size === 0 && !this.#s.txnOffsets.hasGroup(group.groupId)) {
      for (const memberId of group.target.keys()) records.push({ type: 'cg-target', groupId: group.groupId, memberId, value: null })
      records.push(...groupTombstones(group.groupId))
    }
    return result(expired, records)
  }

  #expireOffsets (group: Group, records: GroupRecord[]): boolean {
    const offsets = this.#s.offsets.ofGroup(group.groupId)
    if (offsets === undefined) return true
    const baseOf = expirationBase(group)
    if (baseOf === null) return false
    const now = this.#s.clock.now()
    const retention = this.#s.config.offsetsRetentionMs
    let allExpired = true
    for (const [topic, partitions] of offsets) {
      if (group.isSubscribedToTopic(topic) && !group.is('Empty')) {
        allExpired = false
        continue
      }
      for (const [partition, o] of partitions) {
        const expired = (o.expireTimestampMs !== null ? now >= o.expireTimestampMs : now - baseOf(o) >= retention) &&
          !this.#s.txnOffsets.has(group.groupId, topic, partition)
        if (expired) records.push(offsetRecord(group.groupId, topic, partition, null))
        else allExpired = false
      }
    }
    return allExpired
  }
}

/**
 * Kafka's (Txn)OffsetCommit validation for classic groups (ClassicGroup.validateOffsetCommit). A
 * transactional commit without member id and generation is accepted in any state, and the
 * rebalance state is not checked (the transaction, not the member, owns the commit).
 */
function validateCommit (group: Group, memberId: string, groupInstanceId: string | null, generation: number, transactional: boolean): number {
  if (group.is('Dead')) return GroupError.COORDINATOR_NOT_AVAILABLE
  if (generation < 0 && group.is('Empty')) return GroupError.NONE
  if (generation >= 0 || memberId !== '' || groupInstanceId !== null) {
    const error = group.validateMember(memberId, groupInstanceId)
    if (error !== GroupError.NONE) return error
    if (generation !== group.generationId) return GroupError.ILLEGAL_GENERATION
  } else if (!transactional && !group.is('Empty')) {
    // No member id and no generation (v0, or a tool) while members own the partitions.
    return GroupError.UNKNOWN_MEMBER_ID
  }
  if (!transactional && group.is('CompletingRebalance')) return GroupError.REBALANCE_IN_PROGRESS
  return GroupError.NONE
}

/**
 * The timestamp retention counts from, per offset, or null when this group's offsets do not expire
 * now (a rebalancing group, or a non-consumer protocol with members).
 */
function expirationBase (group: Group): ((o: OffsetAndMetadata) => number) | null {
  if (group.protocolType !== null && group.protocolType !== '') {
    if (group.is('Empty')) {
      const since = group.currentStateTimestamp
      return (o) => since ?? o.commitTimestampMs
    }
    if (group.usesConsumerProtocol() && group.subscribedTopics !== null && group.is('Stable')) return (o) => o.commitTimestampMs
    return null
  }
  return (o) => o.commitTimestampMs
}
