// Reassignments the controller writes: requested ones (AlterPartitionReassignments) and the
// completing step of ongoing ones, which every controller pass looks for. Each is decided
// (reassignment-plan.ts) against the latest snapshot and written as one compare-and-swap fenced by
// this controller's election; a write that raced another writer is decided again, a few times
// (partition-change-retry.ts). Nothing lives in the controller's memory: a new controller finds
// ongoing reassignments in the store and completes them.
import type { MetadataSnapshot, PartitionMetadata, TopicMetadata } from '@brook/metadata'
import { ErrorCode } from '@brook/protocol'
import type { ElectionDeps } from '../election/controller-elections.js'
import { type PartitionChangeOutcome, changePartitionWithRetry } from '../partition-change-retry.js'
import { type Brokers, type ReassignmentStep, decideCompletion, decideReassignment } from './reassignment-plan.js'

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

function reassignOne (deps: ElectionDeps, request: ReassignmentRequest): Promise<PartitionChangeOutcome> {
  return changePartitionWithRetry(deps, request, 'partition reassignment failed', (snapshot, topic, p) => {
    const decision = decideReassignment(p, request.replicas, brokersOf(deps, snapshot))
    if (decision.kind === 'refused') return { errorCode: decision.errorCode, message: decision.message }
    if (decision.kind === 'none') return { errorCode: ErrorCode.NONE, message: null }
    return {
      write: async () => {
        await write(deps, topic, p, decision.step)
        deps.logger.info({ topic: topic.name, partition: p.partition, target: request.replicas, replicas: decision.step.reassignment.replicas },
          request.replicas === null ? 'partition reassignment cancelled' : 'partition reassignment started')
      }
    }
  })
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
