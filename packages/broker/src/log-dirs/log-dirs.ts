// The broker's log dirs as DescribeLogDirs and AlterReplicaLogDirs see them (Kafka's
// ReplicaManager.describeLogDirs / alterReplicaLogDirs on one broker): each configured dir by
// its absolute path, with its file system's total and usable bytes and, per topic stored there,
// the size of each partition's files. Partitions are never behind a leader here (offset lag 0)
// and a move completes within the request, so there are no future replicas to report.
import { statfs } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ErrorCode } from '@brook/protocol'
import type { Logger } from '@brook/common'
import type { ReplicaManager } from '../partition/replica-manager.js'
import type { Partition } from '../partition/partition.js'

const FUTURE_SUFFIX_LENGTH = '.'.length + 32 + '-future'.length
const MAX_FILE_NAME = 255

/** What this module needs from storage's LogManager. */
export interface LogDirSource {
  readonly logDirs: readonly string[]
  logDirOf (topic: string, partition: number): string | undefined
}

interface DescribedPartition {
  partitionIndex: number
  partitionSize: bigint
  offsetLag: bigint
  isFutureKey: boolean
}

export interface DescribedLogDir {
  errorCode: number
  logDir: string
  topics: Array<{ name: string, partitions: DescribedPartition[] }>
  totalBytes: bigint
  usableBytes: bigint
}

/** Requested partitions per topic; null means every partition of every topic. */
export type PartitionFilter = ReadonlyMap<string, ReadonlySet<number>> | null

export class LogDirs {
  constructor (
    private readonly source: LogDirSource,
    private readonly replicas: ReplicaManager,
    private readonly logger: Logger
  ) {}

  /** Every configured dir, as Kafka: a topic stored in a dir is listed even when none of its partitions was asked for. */
  async describe (filter: PartitionFilter): Promise<DescribedLogDir[]> {
    return await Promise.all(this.source.logDirs.map(async (dir) => {
      const logDir = resolve(dir)
      let space: { totalBytes: bigint, usableBytes: bigint }
      try {
        space = await spaceOf(logDir)
      } catch (err) {
        this.logger.error({ err, logDir }, 'log dir unreadable')
        return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir, topics: [], totalBytes: -1n, usableBytes: -1n }
      }
      const topics = []
      for (const topic of this.replicas.topics()) {
        // Cluster mode: only the partitions this broker holds a replica of.
        const here = topic.partitions.filter((p): p is Partition => p !== undefined && this.source.logDirOf(p.topic, p.index) === dir)
        if (here.length === 0) continue
        const wanted = filter === null ? undefined : filter.get(topic.info.name)
        topics.push({
          name: topic.info.name,
          partitions: here
            .filter((p) => filter === null || (wanted?.has(p.index) ?? false))
            .map((p) => ({ partitionIndex: p.index, partitionSize: BigInt(p.log.size), offsetLag: 0n, isFutureKey: false }))
        })
      }
      return { errorCode: ErrorCode.NONE, logDir, topics, totalBytes: space.totalBytes, usableBytes: space.usableBytes }
    }))
  }

  /**
   * Moves a partition to the configured log dir whose absolute path is `path`: NONE when done (or
   * already there), LOG_DIR_NOT_FOUND for a path that is not a configured log dir,
   * REPLICA_NOT_AVAILABLE for a partition this broker does not have, KAFKA_STORAGE_ERROR when
   * the move failed (the partition stays where it was).
   */
  async move (topic: string, partition: number, path: string): Promise<number> {
    // Kafka's limit: the copy's directory name `<topic>-<partition>.<32 hex>-future` must fit a file name.
    if (`${topic}-${partition}`.length + FUTURE_SUFFIX_LENGTH > MAX_FILE_NAME) return ErrorCode.INVALID_TOPIC_EXCEPTION
    const dir = this.source.logDirs.find((d) => resolve(d) === path)
    if (dir === undefined) return ErrorCode.LOG_DIR_NOT_FOUND
    if (this.replicas.partition(topic, partition) === undefined) return ErrorCode.REPLICA_NOT_AVAILABLE
    try {
      const moved = await this.replicas.moveToLogDir(topic, partition, dir)
      return moved ? ErrorCode.NONE : ErrorCode.REPLICA_NOT_AVAILABLE
    } catch (err) {
      this.logger.error({ err, topic, partition, logDir: dir }, 'moving a partition to another log dir failed')
      return ErrorCode.KAFKA_STORAGE_ERROR
    }
  }
}

async function spaceOf (logDir: string): Promise<{ totalBytes: bigint, usableBytes: bigint }> {
  const stats = await statfs(logDir, { bigint: true })
  return { totalBytes: stats.blocks * stats.bsize, usableBytes: stats.bavail * stats.bsize }
}
