// Cluster mode: a coordinator follows the leadership of its topic's partitions. The broker that
// leads a partition of `__consumer_offsets` / `__transaction_state` loads it (replays its records)
// and serves its keys; when it stops leading it unloads it. Appends go through the partition's
// leader and are acknowledged once the ISR has them (Kafka's coordinators append with acks=-1,
// offsets.commit.required.acks), so a coordinator never answers for state a failover could lose.
import { ErrorCode } from '@brook/protocol'
import type { Logger } from '@brook/common'
import { KafkaError } from '../errors.js'
import type { Partition } from '../partition/partition.js'
import { CoordinatorError } from './errors.js'
import type { CoordinatorLog } from './log.js'
import { type AppendablePartition, PartitionCoordinatorLog } from './partition-log.js'

export interface CommitSettings {
  /** The topic's min.insync.replicas, read at each append (a config change applies at once). */
  minInsyncReplicas: () => number
  /** How long an append waits for the ISR (Kafka: offsets.commit.timeout.ms, request.timeout.ms). */
  timeoutMs: number
}

/** What a coordinator runtime does on a leadership change (coordinator/runtime.ts). */
export interface ElectedRuntime {
  elect: (partition: number, epoch: number) => Promise<void>
  resign: (partition: number) => void
}

/**
 * A led replica as a coordinator partition: an append is acknowledged once the high watermark
 * passed it with at least min.insync.replicas in the ISR. Kafka's mapping of the failures: lost
 * leadership is NOT_COORDINATOR (the client looks the coordinator up again), too few replicas or
 * a timeout COORDINATOR_NOT_AVAILABLE (it retries). The partition's own refusals of a
 * transactional batch or marker (producer epoch) pass through unchanged.
 */
export function committedAppends (partition: Partition, settings: CommitSettings): AppendablePartition {
  return {
    append: async (records, durable, origin) => {
      const replication = partition.replication
      if (replication === null) throw new CoordinatorError(ErrorCode.NOT_COORDINATOR, `this broker no longer leads ${partition.key}`)
      const minIsr = settings.minInsyncReplicas()
      try {
        replication.checkMinIsr(minIsr)
      } catch (err) {
        throw new CoordinatorError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${partition.key}: too few in-sync replicas`, { cause: err })
      }
      let result
      try {
        result = await partition.append(records, durable, origin)
      } catch (err) {
        if (err instanceof KafkaError && err.code === ErrorCode.NOT_LEADER_OR_FOLLOWER) {
          throw new CoordinatorError(ErrorCode.NOT_COORDINATOR, `this broker no longer leads ${partition.key}`, { cause: err })
        }
        throw err
      }
      const code = await replication.waitForCommit(result.lastOffset + 1, minIsr, settings.timeoutMs)
      if (code === ErrorCode.NONE) return result
      throw new CoordinatorError(code === ErrorCode.NOT_LEADER_OR_FOLLOWER ? ErrorCode.NOT_COORDINATOR : ErrorCode.COORDINATOR_NOT_AVAILABLE,
        `${partition.key}: the append was not replicated (error ${code})`)
    },
    read: async (offset, options) => await partition.read(offset, options),
    offsets: () => partition.offsets()
  }
}

/** The partitions of one coordinator topic this broker leads, and the runtime that follows them. */
export class CoordinatorLeadership {
  readonly topic: string
  readonly #leading = new Map<number, Partition>()
  readonly #settings: CommitSettings
  readonly #logger: Logger
  #runtime: ElectedRuntime | null = null

  constructor (topic: string, settings: CommitSettings, logger: Logger) {
    this.topic = topic
    this.#settings = settings
    this.#logger = logger
  }

  /** The runtime to elect and resign; leaderships seen before it was attached are applied now. */
  attach (runtime: ElectedRuntime): void {
    this.#runtime = runtime
    for (const partition of this.#leading.values()) this.#elect(partition)
  }

  /** The runtime's openLog: the log of a partition this broker leads. */
  readonly openLog = async (index: number): Promise<CoordinatorLog> => {
    const partition = this.#leading.get(index)
    if (partition === undefined || !partition.isLeader) throw new CoordinatorError(ErrorCode.NOT_COORDINATOR, `this broker does not lead ${this.topic}-${index}`)
    return new PartitionCoordinatorLog(committedAppends(partition, this.#settings), (offset, err) => {
      this.#logger.warn({ partition: partition.key, offset, err }, 'skipping an unreadable coordinator batch')
    })
  }

  /** A replica of this broker became leader (epoch) or stopped leading (null). */
  onLeadership (partition: Partition, leaderEpoch: number | null): void {
    if (partition.topic !== this.topic) return
    if (leaderEpoch === null) {
      if (!this.#leading.delete(partition.index)) return
      this.#runtime?.resign(partition.index)
      return
    }
    this.#leading.set(partition.index, partition)
    this.#elect(partition)
  }

  #elect (partition: Partition): void {
    this.#runtime?.elect(partition.index, partition.leaderEpoch).catch((err: unknown) => {
      this.#logger.warn({ err, partition: partition.key }, 'loading a coordinator partition failed')
    })
  }
}
