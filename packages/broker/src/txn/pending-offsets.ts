// Transactional offsets held by Brook until the group coordinator has its own (see
// group-offsets.ts for the contract): TxnOffsetCommit validates against the group through the
// group's serial queue and keeps the offsets pending per (`__consumer_offsets` partition,
// producer id); the COMMIT marker for that partition turns them into ordinary offset commits,
// written through the group coordinator's runtime (records + replay, so OffsetFetch sees them);
// ABORT drops them. They are applied before the marker counts as written, so a restart after
// PrepareCommit (the markers are written again) cannot lose them once applied.
//
// Limit, until the group coordinator keeps them as Kafka does (transactional batches in
// `__consumer_offsets`, completed by replaying the marker): pending offsets live in memory, so a
// broker crash between TxnOffsetCommit and the COMMIT marker loses them (the transaction's
// output is committed, its input offsets are not: the consumer reprocesses them), and
// OffsetFetch(requireStable) does not answer UNSTABLE_OFFSET_COMMIT for them.
import { ErrorCode } from '@brook/protocol/errors'
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponseTopic } from '@brook/protocol'
import type { GroupCoordinator } from '../group/coordinator.js'
import { GroupCoordinatorError } from '../group/errors.js'
import type { Group } from '../group/group.js'
import { result } from '../group/op.js'
import { type OffsetAndMetadata, offsetRecord } from '../group/records.js'
import type { Logger } from '../logger.js'
import type { TransactionalOffsets } from './group-offsets.js'

interface PendingOffset {
  groupId: string
  topic: string
  partition: number
  value: OffsetAndMetadata
}

export class PendingTransactionalOffsets implements TransactionalOffsets {
  readonly #groups: GroupCoordinator
  readonly #logger: Logger
  readonly #now: () => number
  /** `__consumer_offsets` partition -> producer id -> offsets, later commits of a key replacing earlier ones. */
  readonly #pending = new Map<number, Map<bigint, Map<string, PendingOffset>>>()

  constructor (groups: GroupCoordinator, logger: Logger, now: () => number = Date.now) {
    this.#groups = groups
    this.#logger = logger
    this.#now = now
  }

  /** Offsets pending for a producer on a partition (tests, DescribeProducers-style checks). */
  pendingCount (partition: number, producerId: bigint): number {
    return this.#pending.get(partition)?.get(producerId)?.size ?? 0
  }

  async commitTransactionalOffsets (request: TxnOffsetCommitRequest, apiVersion: number): Promise<TxnOffsetCommitResponseTopic[]> {
    const runtime = this.#groups.runtime
    const answer = (code: (p: { committedMetadata?: string | null }) => number): TxnOffsetCommitResponseTopic[] =>
      request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code(p) })) }))
    try {
      return await runtime.run(request.groupId, (shard) => {
        const error = validate(shard.groups.get(request.groupId), request, apiVersion)
        if (error !== ErrorCode.NONE) return result(answer(() => error))
        const maxMetadata = shard.config.offsetMetadataMaxBytes
        const now = this.#now()
        const partition = runtime.partitionFor(request.groupId)
        let byProducer = this.#pending.get(partition)
        if (byProducer === undefined) {
          byProducer = new Map()
          this.#pending.set(partition, byProducer)
        }
        let offsets = byProducer.get(request.producerId)
        if (offsets === undefined) {
          offsets = new Map()
          byProducer.set(request.producerId, offsets)
        }
        const pending = offsets
        return result(answer((p) => (p.committedMetadata ?? '').length > maxMetadata ? ErrorCode.OFFSET_METADATA_TOO_LARGE : ErrorCode.NONE).map((t, i) => {
          const topic = request.topics[i]
          for (const [j, p] of (topic?.partitions ?? []).entries()) {
            if (t.partitions[j]?.errorCode !== ErrorCode.NONE) continue
            pending.set(`${request.groupId}\u0000${t.name}\u0000${p.partitionIndex}`, {
              groupId: request.groupId,
              topic: t.name,
              partition: p.partitionIndex,
              value: {
                committedOffset: p.committedOffset,
                leaderEpoch: (p.committedLeaderEpoch ?? -1) < 0 ? -1 : p.committedLeaderEpoch ?? -1,
                metadata: p.committedMetadata ?? '',
                commitTimestampMs: now,
                expireTimestampMs: null
              }
            })
          }
          return t
        }))
      })
    } catch (err) {
      if (err instanceof GroupCoordinatorError) return answer(() => err.code)
      throw err
    }
  }

  async completeTransaction (partition: number, producerId: bigint, _producerEpoch: number, _coordinatorEpoch: number, commit: boolean): Promise<number> {
    const byProducer = this.#pending.get(partition)
    const offsets = byProducer?.get(producerId)
    if (offsets === undefined || offsets.size === 0) return ErrorCode.NONE
    if (commit) {
      const byGroup = new Map<string, PendingOffset[]>()
      for (const o of offsets.values()) byGroup.set(o.groupId, [...(byGroup.get(o.groupId) ?? []), o])
      try {
        for (const [groupId, list] of byGroup) {
          await this.#groups.runtime.run(groupId, () => result(null, list.map((o) => offsetRecord(groupId, o.topic, o.partition, o.value))))
        }
      } catch (err) {
        // Kept pending: the coordinator retries the marker until this succeeds.
        if (err instanceof GroupCoordinatorError) {
          this.#logger.warn({ err, partition, producerId: String(producerId) }, 'applying transactional offsets failed; will retry')
          return err.code
        }
        throw err
      }
    }
    byProducer?.delete(producerId)
    return ErrorCode.NONE
  }
}

/**
 * Kafka's checks for a transactional offset commit of a classic group: without membership fields
 * (v0-2, or none given) anything goes; with them the member and generation must be current.
 */
function validate (group: Group | undefined, request: TxnOffsetCommitRequest, apiVersion: number): number {
  if (group?.is('Dead') === true) return ErrorCode.COORDINATOR_NOT_AVAILABLE
  const memberId = apiVersion >= 3 ? request.memberId ?? '' : ''
  const generation = apiVersion >= 3 ? request.generationId ?? -1 : -1
  const instanceId = apiVersion >= 3 ? request.groupInstanceId ?? null : null
  if (memberId === '' && generation < 0) return ErrorCode.NONE
  if (group === undefined) return ErrorCode.ILLEGAL_GENERATION
  const memberError = group.validateMember(memberId, instanceId)
  if (memberError !== ErrorCode.NONE) return memberError
  if (generation !== group.generationId) return ErrorCode.ILLEGAL_GENERATION
  return ErrorCode.NONE
}
