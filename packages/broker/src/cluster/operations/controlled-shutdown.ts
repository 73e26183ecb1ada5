// Controlled shutdown (controlled.shutdown.enable): before a broker that is told to stop closes
// anything, it hands over what it holds, so that clients see only retriable errors and a
// metadata refresh (Kafka's controlled shutdown, done here by the broker itself against the
// metadata store, each change a compare-and-swap as every other):
// - its followers stop fetching first, so that no leader takes it back into an ISR;
// - every partition it leads gets a new leader, the first live ISR member in assignment order
//   (the controller's own rule), and the ISR without this broker; the group and transaction
//   coordinators of the partitions it led move with that leadership;
// - it leaves the ISR of every partition it follows, so that acks=all produces stop waiting for
//   it at once instead of after replica.lag.time.max.ms.
// A partition no other live ISR member can take over stays with this broker (it goes offline
// with it, as in Kafka). Changes refused because the state moved are decided again; rounds repeat
// up to controlled.shutdown.max.retries times, controlled.shutdown.retry.backoff.ms apart.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '@brook/common'
import { type BrokerSession, type MetadataSnapshot, type PartitionMetadata, type TopicMetadata, isMetadataError } from '@brook/metadata'

const CONCURRENCY = 16
/** Quick retries inside one round for a change that raced another writer. */
const RACE_ATTEMPTS = 3

export interface HandOverDeps {
  nodeId: number
  session: BrokerSession
  snapshot: () => MetadataSnapshot
  logger: Logger
}

export interface HandOverResult {
  /** Leaderships handed to another broker. */
  moved: number
  /** ISRs this broker left as a follower. */
  leftIsr: number
  /** Partitions this broker still leads because no other ISR member is live. */
  stranded: number
  /** Changes that failed this round (to be tried again). */
  failed: number
}

type Step = { kind: 'lead', leader: number, isr: number[] } | { kind: 'leave', isr: number[] } | { kind: 'stranded' } | null

function stepFor (p: PartitionMetadata, nodeId: number, snapshot: MetadataSnapshot): Step {
  if (!p.replicas.includes(nodeId)) return null
  const isr = p.isr.filter((id) => id !== nodeId)
  if (p.leader === nodeId) {
    const next = p.replicas.find((id) => id !== nodeId && p.isr.includes(id) && snapshot.brokers.has(id))
    return next === undefined ? { kind: 'stranded' } : { kind: 'lead', leader: next, isr }
  }
  // The last ISR member stays in it: the partition comes back with it.
  return p.isr.includes(nodeId) && isr.length > 0 ? { kind: 'leave', isr } : null
}

/** One round over every partition this broker hosts. */
async function handOver (deps: HandOverDeps): Promise<HandOverResult> {
  const result: HandOverResult = { moved: 0, leftIsr: 0, stranded: 0, failed: 0 }
  const work: Array<{ topic: TopicMetadata, partition: number }> = []
  for (const topic of deps.snapshot().topics.values()) {
    for (const p of topic.partitions) if (p.replicas.includes(deps.nodeId)) work.push({ topic, partition: p.partition })
  }
  let next = 0
  const worker = async (): Promise<void> => {
    for (let i = next++; i < work.length; i = next++) {
      const item = work[i] as { topic: TopicMetadata, partition: number }
      const outcome = await handOverOne(deps, item.topic.name, item.partition)
      if (outcome !== null) result[outcome]++
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, work.length) }, worker))
  return result
}

async function handOverOne (deps: HandOverDeps, name: string, index: number): Promise<keyof HandOverResult | null> {
  for (let attempt = 1; ; attempt++) {
    const snapshot = deps.snapshot()
    const topic = snapshot.topics.get(name)
    const p = topic?.partitions[index]
    if (topic === undefined || p === undefined) return null
    const step = stepFor(p, deps.nodeId, snapshot)
    if (step === null) return null
    if (step.kind === 'stranded') return 'stranded'
    try {
      await deps.session.alterPartition(step.kind === 'lead'
        ? { topicId: topic.id, partition: index, partitionEpoch: p.partitionEpoch, leaderEpoch: p.leaderEpoch, leader: step.leader, isr: step.isr }
        : { topicId: topic.id, partition: index, partitionEpoch: p.partitionEpoch, isr: step.isr })
      return step.kind === 'lead' ? 'moved' : 'leftIsr'
    } catch (err) {
      const raced = isMetadataError(err, 'INVALID_UPDATE_VERSION') || isMetadataError(err, 'FENCED_LEADER_EPOCH')
      if (raced && attempt < RACE_ATTEMPTS) {
        await sleep(20 * attempt)
        continue
      }
      deps.logger.info({ err, topic: name, partition: index }, 'controlled shutdown: change refused; the next round retries')
      return 'failed'
    }
  }
}

export interface ControlledShutdownOptions {
  maxRetries: number
  retryBackoffMs: number
}

/** Rounds of handOver until nothing is left to move (or the retries run out). */
export async function controlledShutdown (deps: HandOverDeps, options: ControlledShutdownOptions): Promise<HandOverResult> {
  const started = Date.now()
  const total: HandOverResult = { moved: 0, leftIsr: 0, stranded: 0, failed: 0 }
  for (let round = 0; ; round++) {
    const r = await handOver(deps)
    total.moved += r.moved
    total.leftIsr += r.leftIsr
    total.stranded = r.stranded
    total.failed = r.failed
    if (r.failed === 0 || round >= options.maxRetries) break
    deps.logger.warn({ round, failed: r.failed }, 'controlled shutdown: some partitions did not move; retrying')
    await sleep(options.retryBackoffMs)
  }
  deps.logger.info({ ...total, ms: Date.now() - started }, 'controlled shutdown: leadership handed over')
  return total
}
