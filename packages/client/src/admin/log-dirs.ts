// DescribeLogDirs (35) through the admin API, as Kafka's Admin.describeLogDirs: each broker
// answers for its own log dirs and the replicas in them, so the call goes to every broker asked
// (all of them by default) and gathers one entry per broker and dir.
import { describeLogDirsApi, ErrorCode } from '@brook/protocol'
import type { Connection } from '../connection/connection.js'
import { kafkaError } from '../errors/kafka-errors.js'

export interface ReplicaInfo {
  topic: string
  partition: number
  /** Bytes on disk. */
  size: bigint
  offsetLag: bigint
  /** A copy being made by AlterReplicaLogDirs. */
  isFuture: boolean
}

export interface LogDirDescription {
  brokerId: number
  path: string
  /** Kafka's error code for the dir (KAFKA_STORAGE_ERROR: unreadable). */
  errorCode: number
  replicas: ReplicaInfo[]
  totalBytes: bigint | null
  usableBytes: bigint | null
}

export async function describeLogDirs (connection: Connection, brokerId: number,
  partitions: ReadonlyArray<{ topic: string, partitions: number[] }> | null): Promise<LogDirDescription[]> {
  const r = await connection.request(describeLogDirsApi, {
    topics: partitions === null ? null : partitions.map((p) => ({ topic: p.topic, partitions: p.partitions }))
  })
  if ((r.errorCode ?? ErrorCode.NONE) !== ErrorCode.NONE) throw kafkaError(r.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, `DescribeLogDirs on broker ${brokerId}`)
  return r.results.map((d) => ({
    brokerId,
    path: d.logDir,
    errorCode: d.errorCode,
    replicas: d.topics.flatMap((t) => t.partitions.map((p) => ({
      topic: t.name, partition: p.partitionIndex, size: p.partitionSize, offsetLag: p.offsetLag, isFuture: p.isFutureKey
    }))),
    totalBytes: d.totalBytes ?? null,
    usableBytes: d.usableBytes ?? null
  }))
}
