// Reassignments the controller writes: requested ones (AlterPartitionReassignments) and the
// completing step of ongoing ones, which every controller pass looks for. Each is decided
// (reassignment-plan.ts) against the latest snapshot and written as one compare-and-swap fenced by
// this controller's election; a write that raced another writer is decided again, a few times.
// Nothing lives in the controller's memory: a new controller finds ongoing reassignments in the
// store and completes them.
import { setTimeout as sleep } from 'node:timers/promises'
import { type MetadataSnapshot, type PartitionMetadata, type TopicMetadata, isMetadataError } from '@brook/metadata'
import { ErrorCode } from '@brook/protocol'
import type { ElectionDeps } from '../election/controller-elections.js'
import { type Brokers, type ReassignmentStep, decideCompletion, decideReassignment } from './reassignment-plan.js'

const ATTEMPTS = 5
const RETRY_MS = 50

export interface ReassignmentRequest {
  topic: string
  partition: number
  /** The target replicas; null cancels. */
  replicas: readonly number[] | null
}

export interface ReassignmentResult {
  topic: string
  partition: number
  errorCode: number
  message: string | null
}

function brokersOf (deps: ElectionDeps, snapshot: MetadataSnapshot): Brokers {
  return { registered: (id) => snapshot.brokers.has(id), canLead: deps.canLead(snapshot) }
}

export async function runReassignments (deps: ElectionDeps, requests: readonly ReassignmentRequest[]): Promise<ReassignmentResult[]> {
  const results: ReassignmentResult[] = []
  for (const request of requests) results.push({ topic: request.topic, partition: request.partition, ...await reassignOne(deps, request) })
  return results
}

async function reassignOne (deps: ElectionDeps, request: ReassignmentRequest): Promise<{ errorCode: number, message: string | null }> {
  for (let attempt = 1; ; attempt++) {
    if (!deps.election.active) return { errorCode: ErrorCode.NOT_CONTROLLER, message: 'This broker is no longer the controller.' }
    const snapshot = deps.snapshot()
    const topic = snapshot.topics.get(request.topic)
    const p = topic?.partitions[request.partition]
    if (topic === undefined || p === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: 'This server does not host this topic-partition.' }
    const decision = decideReassignment(p, request.replicas, brokersOf(deps, snapshot))
    if (decision.kind === 'refused') return { errorCode: decision.errorCode, message: decision.message }
    if (decision.kind === 'none') return { errorCode: ErrorCode.NONE, message: null }
    try {
      await write(deps, topic, p, decision.step)
      deps.logger.info({ topic: topic.name, partition: p.partition, target: request.replicas, replicas: decision.step.reassignment.replicas },
        request.replicas === null ? 'partition reassignment cancelled' : 'partition reassignment started')
      return { errorCode: ErrorCode.NONE, message: null }
    } catch (err) {
      const raced = isMetadataError(err, 'INVALID_UPDATE_VERSION') || isMetadataError(err, 'FENCED_LEADER_EPOCH') || isMetadataError(err, 'INELIGIBLE_REPLICA')
      if (raced && attempt < ATTEMPTS) {
        await sleep(RETRY_MS * attempt)
        continue
      }
      if (isMetadataError(err)) return { errorCode: err.errorCode, message: err.message }
      deps.logger.error({ err, topic: request.topic, partition: request.partition }, 'partition reassignment failed')
      return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, message: (err as Error).message }
    }
  }
}

/**
 * The completing step of one partition's ongoing reassignment, if it is due (every target
 * replica in the ISR). A refused write is left to the next pass, which decides again.
 */
export async function completeReassignment (deps: ElectionDeps, topic: TopicMetadata, p: PartitionMetadata): Promise<boolean> {
  const step = decideCompletion(p, brokersOf(deps, deps.snapshot()))
  if (step === null) return false
  await write(deps, topic, p, step)
  deps.logger.info({ topic: topic.name, partition: p.partition, replicas: step.reassignment.replicas, leader: step.leader, was: { leader: p.leader, replicas: p.replicas } },
    'partition reassignment completed')
  return true
}

async function write (deps: ElectionDeps, topic: TopicMetadata, p: PartitionMetadata, step: ReassignmentStep): Promise<void> {
  await deps.session.alterPartition({
    topicId: topic.id, partition: p.partition, partitionEpoch: p.partitionEpoch, leader: step.leader, isr: step.isr, reassignment: step.reassignment
  }, { controller: deps.election })
}
