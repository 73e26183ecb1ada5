// Leader elections the controller runs on request (ElectLeaders) and for its leadership
// rebalance: each partition's change is decided (election-decision.ts) against the latest
// snapshot and written as a compare-and-swap fenced by this controller's election; a change that
// raced another writer is decided again from the newer state, a few times (partition-change-retry.ts).
import type { Logger } from '@brook/common'
import type { BrokerSession, ControllerSession, MetadataSnapshot } from '@brook/metadata'
import { type PartitionChangeOutcome, changePartitionWithRetry } from '../partition-change-retry.js'
import { decideElection, type ElectionKind } from './election-decision.js'

/** Partitions elected at once: each is one store transaction. */
const CONCURRENCY = 16

export interface ElectionTarget {
  topic: string
  partition: number
}

export interface ElectionResult extends ElectionTarget {
  errorCode: number
  message: string | null
}

export interface ElectionDeps {
  session: BrokerSession
  election: ControllerSession
  snapshot: () => MetadataSnapshot
  /** Brokers that may lead in this snapshot: registered and not a restart the controller has yet to fence. */
  canLead: (snapshot: MetadataSnapshot) => (id: number) => boolean
  logger: Logger
}

/** Every partition of every topic (an ElectLeaders request naming none). */
export function allPartitions (snapshot: MetadataSnapshot): ElectionTarget[] {
  return [...snapshot.topics.values()].flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })))
}

export async function runElections (deps: ElectionDeps, type: ElectionKind, targets: readonly ElectionTarget[]): Promise<ElectionResult[]> {
  const results: ElectionResult[] = new Array<ElectionResult>(targets.length)
  let next = 0
  const worker = async (): Promise<void> => {
    for (let i = next++; i < targets.length; i = next++) {
      const target = targets[i] as ElectionTarget
      results[i] = { ...target, ...await electOne(deps, type, target) }
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, targets.length) }, worker))
  return results
}

function electOne (deps: ElectionDeps, type: ElectionKind, target: ElectionTarget): Promise<PartitionChangeOutcome> {
  return changePartitionWithRetry(deps, target, 'leader election failed', (snapshot, topic, p) => {
    const decision = decideElection(type, p, deps.canLead(snapshot))
    if (decision.kind === 'refused') return { errorCode: decision.errorCode, message: decision.message }
    return {
      write: async () => {
        await deps.session.alterPartition({ topicId: topic.id, partition: p.partition, partitionEpoch: p.partitionEpoch, leader: decision.leader, isr: decision.isr },
          { controller: deps.election })
        deps.logger[decision.unclean ? 'warn' : 'info']({ topic: topic.name, partition: p.partition, leader: decision.leader, was: p.leader, type },
          decision.unclean ? 'unclean leader election on request: acknowledged data may be lost' : 'leader elected on request')
      }
    }
  })
}
