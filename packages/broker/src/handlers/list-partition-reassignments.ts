// ListPartitionReassignments (46): v0.
// Behaviour: the ongoing reassignments as the metadata store has them (every broker holds the
// same snapshot, so any broker answers): the current replica set with the replicas joining and
// leaving. Null topics list every ongoing one; named partitions that are not being reassigned, or
// do not exist, are left out, as Kafka does. Single broker: nothing is ever being reassigned.
// Authorization: DESCRIBE on the cluster (CLUSTER_AUTHORIZATION_FAILED).
import {
  listPartitionReassignmentsApi, type ListPartitionReassignmentsRequest, type ListPartitionReassignmentsResponse,
  type ListPartitionReassignmentsResponseOngoingTopicReassignment, ErrorCode
} from '@brook/protocol'
import type { TopicMetadata } from '@brook/metadata'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'
import { onCluster, Op } from '../security/authorizer/requirements.js'
import { reassigning } from '../cluster/reassignment/reassignment-plan.js'

function ongoing (topic: TopicMetadata, indexes: readonly number[] | null): ListPartitionReassignmentsResponseOngoingTopicReassignment | null {
  const partitions = topic.partitions
    .filter((p) => reassigning(p) && (indexes === null || indexes.includes(p.partition)))
    .map((p) => ({ partitionIndex: p.partition, replicas: [...p.replicas], addingReplicas: [...p.addingReplicas], removingReplicas: [...p.removingReplicas] }))
  return partitions.length === 0 ? null : { name: topic.name, partitions }
}

function handle (ctx: RequestContext, request: ListPartitionReassignmentsRequest): ListPartitionReassignmentsResponse {
  const cluster = ctx.broker.cluster
  const empty: ListPartitionReassignmentsResponse = { errorCode: ErrorCode.NONE, errorMessage: null, topics: [] }
  if (cluster === undefined) return empty
  const snapshot = cluster.snapshot()
  const wanted = request.topics === null || request.topics === undefined
    ? [...snapshot.topics.values()].map((topic) => ({ topic, indexes: null }))
    : request.topics.flatMap((t) => {
      const topic = snapshot.topics.get(t.name)
      return topic === undefined ? [] : [{ topic, indexes: t.partitionIndexes }]
    })
  return { ...empty, topics: wanted.map((w) => ongoing(w.topic, w.indexes)).filter((t) => t !== null) }
}

function errorResponse (_request: ListPartitionReassignmentsRequest, code: number): ListPartitionReassignmentsResponse {
  return { errorCode: code, errorMessage: null, topics: [] }
}

export default defineHandler(listPartitionReassignmentsApi, { min: 0, max: 0 }, handle, errorResponse, { requires: () => [onCluster(Op.DESCRIBE)] })
