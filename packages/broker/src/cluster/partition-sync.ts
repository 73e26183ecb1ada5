// Turns the metadata store's snapshots into this broker's replicas, in snapshot order, one
// snapshot at a time (the latest wins when several arrive during one pass): for every topic it
// opens the logs of the partitions it hosts and makes each replica leader or follower as the
// partition state says (Kafka's becomeLeaderOrFollower); topics gone from the store, and replicas
// a reassignment moved away, are closed and their logs deleted. A leader keeps its ISR view current and checks for lagging followers
// every replica.lag.time.max.ms / 2.
//
// A broker that restarts may find itself named leader by a state written for its previous
// incarnation. It does not take that leadership: it gives it up in the store (leader -1, same
// ISR), so that the controller elects again with a new leader epoch, and it serves as leader only
// from a state written after its registration.
import { SerialQueue, type Logger } from '@brook/common'
import { type BrokerSession, type MetadataSnapshot, NO_LEADER, type PartitionMetadata, type TopicMetadata } from '@brook/metadata'
import type { BrokerConfig } from '../config/broker-config.js'
import type { Partition } from '../partition/partition.js'
import type { ReplicaManager } from '../partition/replica-manager.js'
import { LeaderReplication } from '../replication/leader-replication.js'
import { ReplicaFetcher } from '../replication/replica-fetcher.js'
import { brokerAddress } from './endpoints.js'
import { replicationQuotas, throttledReplica } from '../replication/replication-quota.js'

export interface PartitionSyncDeps {
  nodeId: number
  replicas: ReplicaManager
  session: BrokerSession
  snapshot: () => MetadataSnapshot
  config: BrokerConfig
  logger: Logger
  /** Wakes consumers' long polls when a high watermark moves. */
  notify: (key: string) => void
  /** A hosted replica became leader (its epoch) or stopped leading (null): coordinators follow it. */
  onLeadership?: (partition: Partition, leaderEpoch: number | null) => void
  /** The committed ISR of a partition led here changed: fewer members (shrink) or more (expand). */
  onIsrChange?: (change: 'shrink' | 'expand') => void
}

export class PartitionSync {
  private readonly queue = new SerialQueue()
  private readonly fetchers = new Map<string, ReplicaFetcher>()
  /** Partitions this broker led before it (re)started, by key: the partition epoch of that state. */
  private readonly inherited = new Map<string, number>()
  private pending: MetadataSnapshot | null = null
  private lagTimer: NodeJS.Timeout | undefined
  private closed = false
  /** Controlled shutdown: followers stop fetching (and so never rejoin an ISR). */
  private draining = false

  constructor (private readonly deps: PartitionSyncDeps) {}

  /** Applies the current snapshot; later ones through onSnapshot. */
  async start (): Promise<void> {
    const snapshot = this.deps.snapshot()
    for (const topic of snapshot.topics.values()) {
      for (const p of topic.partitions) if (p.leader === this.deps.nodeId) this.inherited.set(`${topic.id}/${p.partition}`, p.partitionEpoch)
    }
    const lagMs = this.deps.config.int('replica.lag.time.max.ms')
    this.lagTimer = setInterval(() => { this.checkLag(lagMs) }, Math.max(50, Math.floor(lagMs / 2)))
    this.lagTimer.unref()
    await this.onSnapshot(snapshot)
  }

  async onSnapshot (snapshot: MetadataSnapshot): Promise<void> {
    this.pending = snapshot
    await this.queue.run(async () => {
      const latest = this.pending
      this.pending = null
      if (latest === null || this.closed) return
      try {
        await this.apply(latest)
      } catch (err) {
        this.deps.logger.error({ err, revision: latest.revision }, 'applying cluster metadata failed; the next change retries')
      }
    })
  }

  /** Controlled shutdown's first step: every follower stops fetching, and none starts again. */
  async drain (): Promise<void> {
    this.draining = true
    await this.queue.run(async () => {
      await Promise.all([...this.fetchers.values()].map(async (f) => await f.stop()))
      this.fetchers.clear()
    })
  }

  async close (): Promise<void> {
    this.closed = true
    clearInterval(this.lagTimer)
    await this.queue.run(async () => {
      await Promise.all([...this.fetchers.values()].map(async (f) => await f.stop()))
      this.fetchers.clear()
      for (const state of this.deps.replicas.topics()) {
        for (const partition of state.partitions) {
          if (partition?.replicated !== true) continue
          partition.follow(NO_LEADER, partition.leaderEpoch)
          this.deps.onLeadership?.(partition, null)
        }
      }
    })
  }

  private async apply (snapshot: MetadataSnapshot): Promise<void> {
    const { replicas } = this.deps
    for (const state of replicas.topics()) {
      if (state.cluster === undefined) continue
      const current = snapshot.topics.get(state.info.name)
      if (current === undefined || current.id !== state.info.id) await this.remove(state.info.name)
    }
    for (const topic of snapshot.topics.values()) {
      const existing = replicas.topic(topic.name)
      if (existing !== undefined && existing.cluster === undefined) {
        this.deps.logger.warn({ topic: topic.name }, 'a local topic has the name of a cluster topic; the local one is kept')
        continue
      }
      // AlterConfigs on a replicated topic: every hosted replica takes the new configs.
      const reconfigured = existing?.cluster !== undefined && JSON.stringify(existing.cluster.configs) !== JSON.stringify(topic.configs)
      const partitions: Array<Partition | undefined> = new Array<Partition | undefined>(topic.partitions.length)
      for (const p of topic.partitions) {
        const hosted = existing?.partitions[p.partition]
        if (!p.replicas.includes(this.deps.nodeId)) {
          if (hosted !== undefined) await this.removeReplica(topic.name, hosted)
          // Moved away while this broker was down: the log left on disk goes too.
          else if (replicas.hasReplicaLog(topic.name, p.partition)) await replicas.deleteReplicaLog(topic.name, p.partition)
          continue
        }
        if (hosted !== undefined && reconfigured) replicas.reconfigureReplica(hosted, topic.configs)
        const partition = hosted ?? await replicas.openReplica(topic.name, p.partition, topic.configs)
        await this.applyState(partition, p, topic)
        partitions[p.partition] = partition
      }
      replicas.publishReplicated({
        info: { name: topic.name, id: topic.id, partitions: topic.partitions.length, configs: topic.configs },
        partitions,
        cluster: topic
      })
    }
  }

  private async remove (name: string): Promise<void> {
    const state = this.deps.replicas.unpublishReplicated(name)
    if (state === undefined) return
    for (const partition of state.partitions) {
      if (partition === undefined) continue
      await this.stopFetcher(partition.key)
      partition.follow(NO_LEADER, partition.leaderEpoch)
      this.deps.onLeadership?.(partition, null)
      await this.deps.replicas.deleteReplicaLog(name, partition.index)
    }
    this.deps.logger.info({ topic: name }, 'deleted topic (cluster)')
  }

  /** A reassignment moved this replica away: it stops, and its log is deleted. */
  private async removeReplica (topic: string, partition: Partition): Promise<void> {
    await this.stopFetcher(partition.key)
    partition.follow(NO_LEADER, partition.leaderEpoch)
    this.deps.onLeadership?.(partition, null)
    await this.deps.replicas.deleteReplicaLog(topic, partition.index)
    this.deps.logger.info({ partition: partition.key }, 'replica reassigned away: log deleted')
  }

  private async applyState (partition: Partition, p: PartitionMetadata, topic: TopicMetadata): Promise<void> {
    const { nodeId, logger } = this.deps
    const stateKey = `${topic.id}/${p.partition}`
    const inheritedEpoch = this.inherited.get(stateKey)
    if (inheritedEpoch !== undefined && inheritedEpoch !== p.partitionEpoch) this.inherited.delete(stateKey)
    if (p.leader === nodeId && inheritedEpoch === p.partitionEpoch) {
      this.inherited.delete(stateKey)
      this.resign(topic, p)
      await this.follow(partition, NO_LEADER, p.leaderEpoch)
      return
    }
    if (p.leader === nodeId) {
      const replication = partition.replication
      if (partition.isLeader && partition.leaderEpoch === p.leaderEpoch && replication !== null) {
        const before = replication.isr.length
        replication.update(p.isr, p.partitionEpoch, p.replicas)
        if (p.isr.length !== before) this.deps.onIsrChange?.(p.isr.length < before ? 'shrink' : 'expand')
        return
      }
      await this.stopFetcher(partition.key)
      await partition.log.assignEpochStartOffset(p.leaderEpoch)
      const leading = new LeaderReplication(() => partition.log, nodeId, p.leaderEpoch, p.replicas, p.isr, p.partitionEpoch,
        (proposal) => { this.propose(topic.id, p.partition, proposal.isr, proposal.leaderEpoch, proposal.partitionEpoch, partition) },
        () => { this.deps.notify(partition.key) },
        Date.now())
      partition.lead(p.leaderEpoch, leading)
      this.deps.onLeadership?.(partition, p.leaderEpoch)
      logger.info({ partition: partition.key, leaderEpoch: p.leaderEpoch, isr: p.isr, logEnd: partition.log.logEndOffset, highWatermark: partition.log.highWatermark }, 'became leader')
      return
    }
    if (!partition.isLeader && partition.leaderId === p.leader && partition.leaderEpoch === p.leaderEpoch &&
        (p.leader === NO_LEADER || this.draining || this.fetchers.has(partition.key))) return
    await this.follow(partition, p.leader, p.leaderEpoch)
  }

  private async follow (partition: Partition, leaderId: number, leaderEpoch: number): Promise<void> {
    const wasLeader = partition.isLeader
    partition.follow(leaderId, leaderEpoch)
    this.deps.onLeadership?.(partition, null)
    await this.stopFetcher(partition.key)
    if (leaderId === NO_LEADER || this.closed || this.draining) return
    const { config, logger, nodeId } = this.deps
    this.fetchers.set(partition.key, new ReplicaFetcher(partition, {
      localId: nodeId,
      leaderId,
      leaderEpoch,
      leaderAddress: () => {
        const reg = this.deps.snapshot().brokers.get(leaderId)
        return reg === undefined ? null : brokerAddress(reg, config)
      },
      maxWaitMs: config.int('replica.fetch.wait.max.ms'),
      maxBytes: config.int('replica.fetch.max.bytes'),
      backoffMs: config.int('replica.fetch.backoff.ms'),
      requestTimeoutMs: config.int('replica.socket.timeout.ms'),
      logger,
      throttle: { active: () => this.followerThrottled(partition), quota: replicationQuotas(config).follower }
    }))
    logger.info({ partition: partition.key, leader: leaderId, leaderEpoch, wasLeader, logEnd: partition.log.logEndOffset }, 'became follower')
  }

  /** Follower-side throttle: this replica is outside the ISR and its topic lists it. */
  private followerThrottled (partition: Partition): boolean {
    const topic = this.deps.snapshot().topics.get(partition.topic)
    const state = topic?.partitions[partition.index]
    if (topic === undefined || state === undefined || state.isr.includes(this.deps.nodeId)) return false
    return throttledReplica(topic.configs['follower.replication.throttled.replicas'], partition.index, this.deps.nodeId)
  }

  private async stopFetcher (key: string): Promise<void> {
    const fetcher = this.fetchers.get(key)
    if (fetcher === undefined) return
    this.fetchers.delete(key)
    await fetcher.stop()
  }

  private resign (topic: TopicMetadata, p: PartitionMetadata): void {
    this.deps.logger.info({ topic: topic.name, partition: p.partition, leaderEpoch: p.leaderEpoch }, 'giving up a leadership of the previous incarnation')
    this.deps.session.alterPartition({ topicId: topic.id, partition: p.partition, partitionEpoch: p.partitionEpoch, leaderEpoch: p.leaderEpoch, leader: NO_LEADER, isr: p.isr })
      .catch((err: unknown) => { this.deps.logger.info({ err, topic: topic.name, partition: p.partition }, 'resigning refused (the state already moved on)') })
  }

  private propose (topicId: string, index: number, isr: number[], leaderEpoch: number, partitionEpoch: number, partition: Partition): void {
    this.deps.logger.info({ partition: partition.key, isr, leaderEpoch, partitionEpoch }, 'proposing ISR change')
    this.deps.session.alterPartition({ topicId, partition: index, partitionEpoch, leaderEpoch, isr })
      .catch((err: unknown) => {
        this.deps.logger.info({ err, partition: partition.key }, 'ISR change refused')
        if (partition.replication !== null && partition.leaderEpoch === leaderEpoch) partition.replication.proposalFailed()
      })
  }

  private checkLag (lagMs: number): void {
    const now = Date.now()
    for (const state of this.deps.replicas.topics()) {
      if (state.cluster === undefined) continue
      for (const partition of state.partitions) partition?.replication?.checkLag(now, lagMs)
    }
  }
}
