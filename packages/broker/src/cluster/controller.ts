// The controller: one broker at a time, elected through the metadata store (campaign). It
// watches broker sessions and keeps every partition led by a live member of its ISR (Kafka's
// controller on broker failure):
// - a broker whose session ended (lease expired, closed) or that registered again with a new
//   incarnation (a restart) is fenced: it leaves every ISR (unless it is the last member, which
//   stays so that the partition can come back with it), and partitions it led get a new leader,
//   the first live ISR member in assignment order, or none (-1) when no ISR member is live;
// - a partition without a leader gets one as soon as an ISR member is live again;
// - outside the ISR only when the topic (or the broker default) sets
//   unclean.leader.election.enable=true.
// It also completes partition reassignments once their target replicas are all in the ISR
// (reassignment/), whichever controller started them.
// Every change is an alterPartition fenced by this controller's election and the partition
// epoch it was computed from, so a deposed controller's writes are refused by the store.
import type { Logger } from '@brook/common'
import {
  type BrokerSession, type ControllerSession, type MetadataSnapshot, NO_LEADER, type PartitionMetadata, type TopicMetadata, isMetadataError
} from '@brook/metadata'
import type { BrokerConfig } from '../config/broker-config.js'
import { topicSettingsUnclean } from './unclean.js'
import { ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'
import { type ElectionResult, type ElectionTarget, allPartitions, runElections } from './election/controller-elections.js'
import type { ElectionKind } from './election/election-decision.js'
import { ElectionType } from './election/election-decision.js'
import { imbalancedPartitions } from './election/leader-rebalance.js'
import { type ReassignmentRequest, type ReassignmentResult, completeReassignment, runReassignments } from './reassignment/controller-reassignments.js'
import { reassigning } from './reassignment/reassignment-plan.js'

export interface ControllerDeps {
  session: BrokerSession
  snapshot: () => MetadataSnapshot
  config: BrokerConfig
  logger: Logger
}

export class Controller {
  private election: ControllerSession | null = null
  private readonly abort = new AbortController()
  /** Broker epochs as of the last pass that finished: a different one means a restart. */
  private settledEpochs = new Map<number, number>()
  private running = false
  private again = false
  private rebalanceTimer: NodeJS.Timeout | undefined
  readonly done: Promise<void>

  constructor (private readonly deps: ControllerDeps) {
    this.done = this.campaign()
  }

  get active (): boolean {
    return this.election?.active === true
  }

  /** A new snapshot: reconcile if this broker is the controller. */
  onSnapshot (): void {
    if (this.election === null || !this.election.active) return
    void this.reconcile()
  }

  async close (): Promise<void> {
    this.abort.abort()
    clearInterval(this.rebalanceTimer)
    await this.done
  }

  /**
   * Leader elections on request (ElectLeaders); `targets` null means every partition, and then
   * partitions that needed no election are left out of the results, as Kafka does.
   */
  async elect (type: ElectionKind, targets: readonly ElectionTarget[] | null): Promise<ElectionResult[]> {
    const election = this.election
    if (election === null || !election.active) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'This broker is not the controller.')
    const results = await runElections({ ...this.deps, election, canLead: (snapshot) => this.liveIn(snapshot), logger: this.deps.logger },
      type, targets ?? allPartitions(this.deps.snapshot()))
    return targets === null ? results.filter((r) => r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED) : results
  }

  /** Starts or cancels partition reassignments (AlterPartitionReassignments), in request order. */
  async reassign (requests: readonly ReassignmentRequest[]): Promise<ReassignmentResult[]> {
    const election = this.election
    if (election === null || !election.active) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'This broker is not the controller.')
    return await runReassignments({ ...this.deps, election, canLead: (snapshot) => this.liveIn(snapshot) }, requests)
  }

  /** Brokers registered in `snapshot` that did not restart since this controller's last pass. */
  private liveIn (snapshot: MetadataSnapshot): (id: number) => boolean {
    return (id) => {
      const reg = snapshot.brokers.get(id)
      const seen = this.settledEpochs.get(id)
      return reg !== undefined && (seen === undefined || seen === reg.brokerEpoch)
    }
  }

  private startRebalance (): void {
    const { config, logger } = this.deps
    if (!config.bool('auto.leader.rebalance.enable')) return
    const intervalMs = config.int('leader.imbalance.check.interval.seconds') * 1000
    this.rebalanceTimer = setInterval(() => {
      if (!this.active || this.running) return
      const targets = imbalancedPartitions(this.deps.snapshot(), config.int('leader.imbalance.per.broker.percentage'), this.liveIn(this.deps.snapshot()))
      if (targets.length === 0) return
      logger.info({ partitions: targets.length }, 'leadership imbalanced: electing preferred leaders')
      this.elect(ElectionType.PREFERRED, targets).catch((err: unknown) => { logger.warn({ err }, 'leadership rebalance failed; the next check retries') })
    }, intervalMs)
    this.rebalanceTimer.unref()
  }

  private async campaign (): Promise<void> {
    try {
      this.election = await this.deps.session.campaign(this.abort.signal)
    } catch (err) {
      if (!this.abort.signal.aborted) this.deps.logger.warn({ err }, 'controller campaign ended')
      return
    }
    this.deps.logger.info({ controllerEpoch: this.election.epoch }, 'elected controller')
    // Brokers live now that this controller never saw leave are treated as they are; one that
    // restarted before the election gives up its old leaderships itself (partition-sync.ts).
    for (const [id, reg] of this.deps.snapshot().brokers) this.settledEpochs.set(id, reg.brokerEpoch)
    this.startRebalance()
    await this.reconcile()
  }

  private async reconcile (): Promise<void> {
    if (this.running) {
      this.again = true
      return
    }
    this.running = true
    try {
      do {
        this.again = false
        await this.pass()
      } while (this.again && this.active)
    } finally {
      this.running = false
    }
  }

  private async pass (): Promise<void> {
    const election = this.election
    if (election === null || !election.active) return
    const snapshot = this.deps.snapshot()
    const restarted = new Set<number>()
    for (const [id, reg] of snapshot.brokers) {
      const seen = this.settledEpochs.get(id)
      if (seen !== undefined && seen !== reg.brokerEpoch) restarted.add(id)
    }
    const fenced = (id: number): boolean => !snapshot.brokers.has(id) || restarted.has(id)
    let failed = false
    for (const topic of snapshot.topics.values()) {
      for (const p of topic.partitions) {
        const change = this.decide(topic, p, fenced, snapshot)
        if (change === null) {
          if (reassigning(p) && !await this.complete(election, topic, p)) failed = true
          if (!election.active) return
          continue
        }
        try {
          await this.deps.session.alterPartition({ topicId: topic.id, partition: p.partition, partitionEpoch: p.partitionEpoch, leader: change.leader, isr: change.isr }, { controller: election })
          this.deps.logger.info({ topic: topic.name, partition: p.partition, leader: change.leader, isr: change.isr, was: { leader: p.leader, isr: p.isr } }, 'controller changed partition leadership')
        } catch (err) {
          failed = true
          const expected = isMetadataError(err)
          this.deps.logger[expected ? 'info' : 'error']({ err, topic: topic.name, partition: p.partition }, 'controller change refused; retrying on the next change')
          if (!election.active) return
        }
      }
    }
    if (failed) {
      // Another pass soon, with the store's newer state; restarts stay pending until then.
      setTimeout(() => { this.onSnapshot() }, 200).unref()
      return
    }
    this.settledEpochs = new Map([...snapshot.brokers].map(([id, reg]) => [id, reg.brokerEpoch]))
  }

  /** The completing step of `p`'s reassignment when due; false when its write was refused. */
  private async complete (election: ControllerSession, topic: TopicMetadata, p: PartitionMetadata): Promise<boolean> {
    try {
      await completeReassignment({ ...this.deps, election, canLead: (snapshot) => this.liveIn(snapshot) }, topic, p)
      return true
    } catch (err) {
      this.deps.logger[isMetadataError(err) ? 'info' : 'error']({ err, topic: topic.name, partition: p.partition }, 'completing a reassignment refused; retrying on the next change')
      return false
    }
  }

  private decide (topic: TopicMetadata, p: PartitionMetadata, fenced: (id: number) => boolean,
    snapshot: MetadataSnapshot): { leader: number, isr: number[] } | null {
    const liveIsr = p.isr.filter((id) => !fenced(id))
    let leader = p.leader
    let isr = liveIsr
    if (leader === NO_LEADER || fenced(leader)) {
      leader = p.replicas.find((id) => liveIsr.includes(id)) ?? NO_LEADER
      if (leader === NO_LEADER && topicSettingsUnclean(topic.configs, this.deps.config)) {
        const candidate = p.replicas.find((id) => snapshot.brokers.has(id) && !fenced(id))
        if (candidate !== undefined) {
          this.deps.logger.warn({ topic: topic.name, partition: p.partition, leader: candidate }, 'unclean leader election: acknowledged data may be lost')
          leader = candidate
          isr = [candidate]
        }
      }
    }
    // The last ISR member stays in the ISR while down: the partition comes back with it.
    if (isr.length === 0) isr = [...p.isr]
    if (leader === p.leader && sameMembers(isr, p.isr)) return null
    return { leader, isr }
  }
}

function sameMembers (a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id))
}
