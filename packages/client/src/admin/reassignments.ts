// Partition reassignment through the admin API (AlterPartitionReassignments 45,
// ListPartitionReassignments 46), as Kafka's Admin.alterPartitionReassignments and
// listPartitionReassignments: a target replica list per partition (null cancels the ongoing
// reassignment); per-partition results carry Kafka's codes (INVALID_REPLICA_ASSIGNMENT,
// NO_REASSIGNMENT_IN_PROGRESS, UNKNOWN_TOPIC_OR_PARTITION), a top-level error throws.
import { alterPartitionReassignmentsApi, ErrorCode, listPartitionReassignmentsApi } from '@brook/protocol'
import type { Connection } from '../connection/connection.js'
import { kafkaError } from '../errors/kafka-errors.js'

export interface PartitionReassignment {
  topic: string
  partition: number
  /** The target replicas (the first is the preferred leader); null cancels. */
  replicas: number[] | null
}

export interface ReassignmentResult {
  topic: string
  partition: number
  errorCode: number
  errorMessage: string | null
}

export interface OngoingReassignment {
  topic: string
  partition: number
  /** The current replica set: the target followed by the replicas leaving. */
  replicas: number[]
  addingReplicas: number[]
  removingReplicas: number[]
}

export async function alterPartitionReassignments (connection: Connection, reassignments: readonly PartitionReassignment[],
  timeoutMs: number): Promise<ReassignmentResult[]> {
  const byTopic = new Map<string, PartitionReassignment[]>()
  for (const r of reassignments) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r])
  const response = await connection.request(alterPartitionReassignmentsApi, {
    timeoutMs,
    topics: [...byTopic].map(([name, list]) => ({ name, partitions: list.map((r) => ({ partitionIndex: r.partition, replicas: r.replicas })) }))
  })
  if (response.errorCode !== ErrorCode.NONE) throw kafkaError(response.errorCode, response.errorMessage ?? 'AlterPartitionReassignments')
  return response.responses.flatMap((t) => t.partitions.map((p) => ({
    topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode, errorMessage: p.errorMessage ?? null
  })))
}

export async function listPartitionReassignments (connection: Connection, partitions: ReadonlyArray<{ topic: string, partitions: number[] }> | null,
  timeoutMs: number): Promise<OngoingReassignment[]> {
  const response = await connection.request(listPartitionReassignmentsApi, {
    timeoutMs,
    topics: partitions === null ? null : partitions.map((p) => ({ name: p.topic, partitionIndexes: p.partitions }))
  })
  if (response.errorCode !== ErrorCode.NONE) throw kafkaError(response.errorCode, response.errorMessage ?? 'ListPartitionReassignments')
  return response.topics.flatMap((t) => t.partitions.map((p) => ({
    topic: t.name, partition: p.partitionIndex, replicas: p.replicas, addingReplicas: p.addingReplicas, removingReplicas: p.removingReplicas
  })))
}
