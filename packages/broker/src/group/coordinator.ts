// The group coordinator as the handlers see it: validates the group id, routes each group to its
// shard through the runtime, and turns coordinator failures into each API's error response (one
// place, so every API answers a loading or failed partition the way Kafka clients expect):
//
//   loading partition   JoinGroup/LeaveGroup/OffsetCommit/...: COORDINATOR_LOAD_IN_PROGRESS
//                       Heartbeat: NONE (Kafka answers blindly; the member rejoins later anyway)
//                       SyncGroup: REBALANCE_IN_PROGRESS (older clients do not know the former)
//   empty group id      INVALID_GROUP_ID for the membership APIs and TxnOffsetCommit; the offset
//                       and admin APIs accept it (Kafka keeps "" usable for offsets)
//
// It is also the transaction coordinator's way into `__consumer_offsets` (txn/group-offsets.ts):
// TxnOffsetCommit appends the producer's offsets as a transactional batch, and the transaction's
// marker is written and replayed here.
import { type Logger, silentLogger } from '@brook/common'
import type { ConsumerGroupHeartbeatRequest, TxnOffsetCommitRequest, TxnOffsetCommitResponseTopic } from '@brook/protocol'
import { CoordinatorError } from '../coordinator/errors.js'
import { GroupError } from './errors.js'
import { joinError, syncError } from './classic/membership.js'
import type { GroupCoordinatorRuntime } from './runtime.js'
import { heartbeatError, type HeartbeatResponse } from './consumer/membership.js'
import type { ConsumerGroupDescription } from './consumer/describe.js'
import type {
  DescribedGroup, HeartbeatInput, JoinGroupInput, JoinGroupResult, LeaveGroupResult, LeaveMemberInput,
  ListedGroup, OffsetCommitInput, OffsetCommitResult, OffsetDeleteInput, OffsetDeleteResult, OffsetFetchGroupInput,
  OffsetFetchGroupResult, RequestInfo, SyncGroupInput, SyncGroupResult
} from './types.js'

function codeOf (err: unknown, logger: Logger): number {
  if (err instanceof CoordinatorError) return err.code
  logger.warn(`group coordinator: unexpected failure: ${err instanceof Error ? err.stack ?? err.message : String(err)}`)
  return GroupError.UNKNOWN_SERVER_ERROR
}

export class GroupCoordinator {
  readonly runtime: GroupCoordinatorRuntime
  readonly #logger: Logger

  constructor (runtime: GroupCoordinatorRuntime, logger: Logger = silentLogger) {
    this.runtime = runtime
    this.#logger = logger
  }

  /**
   * Loads the coordinator (creating __consumer_offsets if needed, as Kafka does on the first
   * FindCoordinator for a group) and resolves when it is loaded; later calls return at once.
   */
  async ready (): Promise<void> {
    await this.runtime.start()
  }

  async joinGroup (info: RequestInfo, req: JoinGroupInput): Promise<JoinGroupResult> {
    if (req.groupId === '') return joinError(req.memberId, GroupError.INVALID_GROUP_ID)
    try {
      return await this.runtime.run(req.groupId, (s) => s.joinClassic(info, req))
    } catch (err) {
      return joinError(req.memberId, codeOf(err, this.#logger))
    }
  }

  /** ConsumerGroupHeartbeat (KIP-848). */
  async consumerGroupHeartbeat (info: RequestInfo, req: ConsumerGroupHeartbeatRequest): Promise<HeartbeatResponse> {
    if (req.groupId === '') return heartbeatError(GroupError.INVALID_GROUP_ID, 'GroupId can\'t be empty.')
    try {
      return await this.runtime.run(req.groupId, (s) => s.consumerMembership.heartbeat(info, req))
    } catch (err) {
      return heartbeatError(codeOf(err, this.#logger))
    }
  }

  async consumerGroupDescribe (groupIds: string[]): Promise<ConsumerGroupDescription[]> {
    return await Promise.all(groupIds.map(async (groupId) => {
      try {
        return await this.runtime.run(groupId, (s) => ({ records: [], response: s.describeConsumerGroup(groupId) }))
      } catch (err) {
        return {
          errorCode: codeOf(err, this.#logger),
          errorMessage: null,
          groupId,
          groupState: '',
          groupEpoch: -1,
          assignmentEpoch: -1,
          assignorName: '',
          members: [],
          authorizedOperations: -2147483648
        }
      }
    }))
  }

  async syncGroup (req: SyncGroupInput): Promise<SyncGroupResult> {
    if (req.groupId === '') return syncError(GroupError.INVALID_GROUP_ID)
    try {
      return await this.runtime.run(req.groupId, (s) => s.syncClassic(req))
    } catch (err) {
      const code = codeOf(err, this.#logger)
      return syncError(code === GroupError.COORDINATOR_LOAD_IN_PROGRESS ? GroupError.REBALANCE_IN_PROGRESS : code)
    }
  }

  async heartbeat (req: HeartbeatInput): Promise<number> {
    if (req.groupId === '') return GroupError.INVALID_GROUP_ID
    try {
      return await this.runtime.run(req.groupId, (s) => s.heartbeatClassic(req))
    } catch (err) {
      const code = codeOf(err, this.#logger)
      return code === GroupError.COORDINATOR_LOAD_IN_PROGRESS ? GroupError.NONE : code
    }
  }

  async leaveGroup (groupId: string, members: LeaveMemberInput[]): Promise<LeaveGroupResult> {
    if (groupId === '') return { errorCode: GroupError.INVALID_GROUP_ID, members: [] }
    try {
      return await this.runtime.run(groupId, (s) => s.leaveClassic(groupId, members))
    } catch (err) {
      return { errorCode: codeOf(err, this.#logger), members: [] }
    }
  }

  async commitOffsets (info: RequestInfo, req: OffsetCommitInput): Promise<OffsetCommitResult> {
    try {
      return await this.runtime.run(req.groupId, (s) => s.offsetOps.commit(info, req))
    } catch (err) {
      let code: number = codeOf(err, this.#logger)
      if (code === GroupError.UNKNOWN_SERVER_ERROR && err instanceof CoordinatorError) code = GroupError.INVALID_COMMIT_OFFSET_SIZE
      return {
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code }))
        }))
      }
    }
  }

  /**
   * TxnOffsetCommit (`apiVersion` picks which membership fields count): the offsets become pending
   * for the producer, durably, until its transaction's marker. Answers per partition.
   */
  async commitTransactionalOffsets (request: TxnOffsetCommitRequest, apiVersion: number): Promise<TxnOffsetCommitResponseTopic[]> {
    const answer = (code: number): TxnOffsetCommitResponseTopic[] =>
      request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })) }))
    if (request.groupId === '') return answer(GroupError.INVALID_GROUP_ID)
    const v3 = apiVersion >= 3
    const input = {
      groupId: request.groupId,
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      generationId: v3 ? request.generationId ?? -1 : -1,
      memberId: v3 ? request.memberId ?? '' : '',
      groupInstanceId: v3 ? request.groupInstanceId ?? null : null,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          committedOffset: p.committedOffset,
          committedLeaderEpoch: p.committedLeaderEpoch ?? -1,
          committedMetadata: p.committedMetadata ?? null
        }))
      }))
    }
    const producer = { producerId: request.producerId, producerEpoch: request.producerEpoch }
    try {
      return (await this.runtime.runTransactional(request.groupId, producer, (s) => s.offsetOps.commitTransactional(input))).topics
    } catch (err) {
      return answer(codeOf(err, this.#logger))
    }
  }

  /**
   * Writes a transaction's COMMIT/ABORT marker to one `__consumer_offsets` partition: the
   * producer's pending offsets there become committed, or are dropped. Resolves with a Kafka
   * error code (NONE once the marker is durable and applied).
   */
  async completeTransaction (partition: number, producerId: bigint, producerEpoch: number, coordinatorEpoch: number, commit: boolean): Promise<number> {
    try {
      await this.runtime.completeTransaction(partition, { producerId, producerEpoch, coordinatorEpoch, commit })
      return GroupError.NONE
    } catch (err) {
      return codeOf(err, this.#logger)
    }
  }

  /** OffsetFetch for several groups (v8+); each group is answered on its own. */
  async fetchOffsets (groups: OffsetFetchGroupInput[]): Promise<OffsetFetchGroupResult[]> {
    return await Promise.all(groups.map(async (g) => {
      try {
          return await this.runtime.run(g.groupId, (s) => s.offsetOps.fetch(g))
      } catch (err) {
        return { groupId: g.groupId, topics: [], errorCode: codeOf(err, this.#logger) }
      }
    }))
  }

  async describeGroups (groupIds: string[]): Promise<DescribedGroup[]> {
    return await Promise.all(groupIds.map(async (groupId) => {
      try {
          return await this.runtime.run(groupId, (s) => ({ records: [], response: s.describe(groupId) }))
      } catch (err) {
        return {
          errorCode: codeOf(err, this.#logger),
          groupId,
          groupState: '',
          protocolType: '',
          protocolData: '',
          members: [],
          authorizedOperations: -2147483648
        }
      }
    }))
  }

  /**
   * Every group of every loaded partition; COORDINATOR_LOAD_IN_PROGRESS while some still load.
   * Before any group was ever used there is nothing to list (and nothing is created for it).
   */
  listGroups (statesFilter: string[] = [], typesFilter: string[] = []): { errorCode: number, groups: ListedGroup[] } {
    if (!this.runtime.started) return { errorCode: GroupError.NONE, groups: [] }
    const groups = this.runtime.activeShards().flatMap((s) => s.list(statesFilter, typesFilter))
    return { errorCode: this.runtime.anyLoading() ? GroupError.COORDINATOR_LOAD_IN_PROGRESS : GroupError.NONE, groups }
  }

  async deleteGroups (groupIds: string[]): Promise<Array<{ groupId: string, errorCode: number }>> {
    return await Promise.all(groupIds.map(async (groupId) => {
      try {
          const errorCode = await this.runtime.run(groupId, (s) => s.deleteGroup(groupId))
          if (errorCode === GroupError.NONE) await this.runtime.groupConfigs.remove(groupId)
          return { groupId, errorCode }
      } catch (err) {
        return { groupId, errorCode: codeOf(err, this.#logger) }
      }
    }))
  }

  async deleteOffsets (req: OffsetDeleteInput): Promise<OffsetDeleteResult> {
    try {
      return await this.runtime.run(req.groupId, (s) => s.offsetOps.deleteOffsets(req))
    } catch (err) {
      return { errorCode: codeOf(err, this.#logger), topics: [] }
    }
  }
}
