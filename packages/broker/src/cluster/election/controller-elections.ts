// Leader elections the controller runs on request (ElectLeaders) and for its leadership
// rebalance: each partition's change is decided (election-decision.ts) against the latest
// snapshot and written as a compare-and-swap fenced by this controller's election; a change that
// raced another writer is decided again from the newer state, a few times.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '@brook/common'
import { type BrokerSession, type ControllerSession, type MetadataSnapshot, isMetadataError } from '@brook/metadata'
import { ErrorCode } from '@brook/protocol'
import { decideElection, type ElectionKind } from './election-decision.js'

const ATTEMPTS = 5
const RETRY_MS = 50
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

async function electOne (deps: ElectionDeps, type: ElectionKind, target: ElectionTarget): Promise<{ errorCode: number, message: string | null }> {
  for (let attempt = 1; ; attempt++) {
    if (!deps.election.active) return { errorCode: ErrorCode.NOT_CONTROLLER, message: 'This broker is no longer the controller.' }
    const snapshot = deps.snapshot()
    const topic = snapshot.topics.get(target.topic)
    const p = topic?.partitions[target.partition]
    if (topic === undefined || p === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: 'This server does not host this topic-partition.' }
    const decision = decideElection(type, p, deps.canLead(snapshot))
    if (decision.kind === 'refused') return { errorCode: decision.errorCode, message: decision.message }
    try {
      await deps.session.alterPartition({ topicId: topic.id, partition: p.partition, partitionEpoch: p.partitionEpoch, leader: decision.leader, isr: decision.isr },
        { controller: deps.election })
      deps.logger[decision.unclean ? 'warn' : 'info']({ topic: topic.name, partition: p.partition, leader: decision.leader, was: p.leader, type },
        decision.unclean ? 'unclean leader election on request: acknowledged data may be lost' : 'leader elected on request')
      return { errorCode: ErrorCode.NONE, message: null }
    } catch (err) {
      const raced = isMetadataError(err, 'INVALID_UPDATE_VERSION') || isMetadataError(err, 'FENCED_LEADER_EPOCH') || isMetadataError(err, 'INELIGIBLE_REPLICA')
      if (raced && attempt < ATTEMPTS) {
        await sleep(RETRY_MS * attempt)
        continue
      }
      if (isMetadataError(err)) return { errorCode: err.errorCode, message: err.message }
      deps.logger.error({ err, topic: target.topic, partition: target.partition }, 'leader election failed')
      return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, message: (err as Error).message }
    }
  }
}
