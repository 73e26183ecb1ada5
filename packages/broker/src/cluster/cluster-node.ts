// A broker's membership of a cluster (cluster mode: etcd.endpoints set). It opens the metadata
// store, registers the broker under a lease with a fresh incarnation id once its listeners are
// bound (their advertised endpoints and broker.rack), follows the store's snapshots with
// partition-sync.ts (the replicas this broker hosts), runs for controller (controller.ts), writes
// topic creations and deletions to the store (ClusterTopicOps) and hands out producer ids from
// the store's blocks. A session fenced by the store stops this broker from leading at once (its
// replicas step down, waiting acks=all produces fail). If the lease expired (the process was
// frozen or cut off from etcd for longer than broker.session.timeout.ms) the broker registers
// again as a new incarnation and rejoins as a follower, truncating what it wrote meanwhile; if a
// newer incarnation of the same broker id registered, this process stays out.
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '@brook/common'
import {
  type BrokerEndpoint, type BrokerSession, type ClusterMetadataStore, type MetadataSnapshot, isMetadataError, metadataConfigFrom, openMetadataStore
} from '@brook/metadata'
import type { BrokerConfig } from '../config/broker-config.js'
import { ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'
import type { ClusterTopicOps, ReplicaManager } from '../partition/replica-manager.js'
import type { Partition } from '../partition/partition.js'
import type { TopicInfo } from './topic-store.js'
import { assignReplicas, checkAssignments } from './assignment.js'
import { Controller } from './controller.js'
import { PartitionSync } from './partition-sync.js'
import { ProducerIdBlocks } from './producer-id-blocks.js'
import { controlledShutdown } from './operations/controlled-shutdown.js'

/** How long a topic another broker just created may take to reach this broker's snapshot. */
const TOPIC_VISIBLE_WAIT_MS = 5000

/** True when the settings ask for cluster mode. */
export function clusterMode (settings: Readonly<Record<string, string | undefined>>): boolean {
  return (settings['etcd.endpoints'] ?? '').trim() !== ''
}

export interface JoinOptions {
  nodeId: number
  endpoints: BrokerEndpoint[]
  replicas: ReplicaManager
  /** Wakes consumers waiting on a partition (high watermark moved). */
  notify: (key: string) => void
  /** A hosted replica became leader (its epoch) or stopped leading (null). */
  onLeadership?: (partition: Partition, leaderEpoch: number | null) => void
  /** The committed ISR of a partition this broker leads shrank or grew (metrics). */
  onIsrChange?: (change: 'shrink' | 'expand') => void
}

export class ClusterNode implements ClusterTopicOps {
  readonly producerIds: ProducerIdBlocks
  private session: BrokerSession | null = null
  private readonly sessionReady: Promise<BrokerSession>
  private resolveSession!: (session: BrokerSession) => void
  private rejectSession!: (err: Error) => void
  private sync: PartitionSync | null = null
  private controller: Controller | null = null
  private unsubscribe: (() => void) | null = null
  private replicas: ReplicaManager | null = null
  private joinOptions: JoinOptions | null = null
  private closing = false
  /** Controlled shutdown began: this broker no longer serves reads as a follower. */
  draining = false

  private constructor (readonly store: ClusterMetadataStore, private readonly config: BrokerConfig, private readonly logger: Logger) {
    this.sessionReady = new Promise((resolve, reject) => {
      this.resolveSession = resolve
      this.rejectSession = reject
    })
    // Nobody may be waiting yet; a failed join is reported by join() itself.
    this.sessionReady.catch(() => undefined)
    this.producerIds = new ProducerIdBlocks(async () => await this.currentSession())
  }

  static async open (settings: Readonly<Record<string, string | undefined>>, config: BrokerConfig, logger: Logger): Promise<ClusterNode> {
    const store = await openMetadataStore(metadataConfigFrom(settings), { logger: logger.child({ component: 'metadata' }) })
    return new ClusterNode(store, config, logger.child({ component: 'cluster' }))
  }

  snapshot (): MetadataSnapshot {
    return this.store.snapshot()
  }

  /**
   * The cluster's id, the same on every broker (clients such as librdkafka take brokers reporting
   * different ids for different clusters): the store's, or this broker's meta.properties id when
   * it is the first to claim one. A log directory written with another id keeps it on disk.
   */
  async clusterId (local: string): Promise<string> {
    const id = await this.store.clusterId(local)
    if (id !== local) this.logger.info({ clusterId: id, metaProperties: local }, 'reporting the cluster id held by the metadata store, not the one in meta.properties')
    return id
  }

  /** Registered brokers right now (an internal topic's replication factor is capped by it). */
  get liveBrokers (): number {
    return this.store.snapshot().brokers.size
  }

  /** The controller, while this broker holds it. */
  get activeController (): Controller | null {
    return this.controller?.active === true ? this.controller : null
  }

  get controllerId (): number {
    return this.store.snapshot().controller?.brokerId ?? -1
  }

  /** The live session (the latest registration). */
  private async currentSession (): Promise<BrokerSession> {
    const first = await this.sessionReady
    return this.session ?? first
  }

  /** Registers this broker and starts following the store; replicas are opened before it resolves. */
  async join (options: JoinOptions): Promise<void> {
    this.joinOptions = options
    try {
      const session = await this.store.registerBroker({
        brokerId: options.nodeId,
        incarnationId: randomUUID(),
        endpoints: options.endpoints,
        rack: this.config.string('broker.rack')
      })
      this.session = session
      session.onFenced((reason) => { this.onFenced(reason) })
      this.replicas = options.replicas
      options.replicas.attachCluster(this)
      const sync = new PartitionSync({
        nodeId: options.nodeId,
        replicas: options.replicas,
        session,
        snapshot: () => this.store.snapshot(),
        config: this.config,
        logger: this.logger,
        notify: options.notify,
        ...(options.onLeadership === undefined ? {} : { onLeadership: options.onLeadership }),
        ...(options.onIsrChange === undefined ? {} : { onIsrChange: options.onIsrChange })
      })
      this.sync = sync
      this.controller = new Controller({ session, snapshot: () => this.store.snapshot(), config: this.config, logger: this.logger.child({ role: 'controller' }) })
      this.unsubscribe = this.store.subscribe((update) => {
        void sync.onSnapshot(update.snapshot)
        this.controller?.onSnapshot()
      })
      await sync.start()
      this.logger.info({ brokerEpoch: session.brokerEpoch, endpoints: options.endpoints }, 'joined the cluster')
      this.resolveSession(session)
    } catch (err) {
      this.rejectSession(err as Error)
      throw err
    }
  }

  async createTopic (info: TopicInfo, replicationFactor: number, assignments: ReadonlyArray<readonly number[]> | null, validateOnly: boolean): Promise<TopicInfo> {
    const session = await this.currentSession()
    const snapshot = this.store.snapshot()
    const live = [...snapshot.brokers.values()].map((b) => ({ id: b.brokerId, rack: b.rack }))
    let replicas: ReadonlyArray<readonly number[]>
    if (assignments !== null && assignments.length > 0) {
      checkAssignments(assignments, new Set(live.map((b) => b.id)))
      replicas = assignments
    } else {
      replicas = assignReplicas(live, info.partitions, replicationFactor)
    }
    if (validateOnly) return info
    let created
    try {
      created = await session.createTopic({ name: info.name, id: info.id, configs: info.configs, replicas })
    } catch (err) {
      if (!isMetadataError(err, 'TOPIC_ALREADY_EXISTS')) throw err
      // Another broker created it a moment ago: let this broker's snapshot catch up first, so the
      // caller (auto-creation) finds the topic here.
      await this.awaitTopic(info.name)
      throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${info.name}' already exists.`)
    }
    // Applied here before answering, so that this broker's next Metadata shows the topic.
    await this.sync?.onSnapshot(this.store.snapshot())
    return { name: created.name, id: created.id, partitions: created.partitions.length, configs: created.configs }
  }

  private async awaitTopic (name: string): Promise<void> {
    const deadline = Date.now() + TOPIC_VISIBLE_WAIT_MS
    while (!this.store.snapshot().topics.has(name) && Date.now() < deadline) await sleep(20)
    await this.sync?.onSnapshot(this.store.snapshot())
  }

  async deleteTopic (name: string): Promise<void> {
    const session = await this.currentSession()
    await session.deleteTopic(name)
    await this.sync?.onSnapshot(this.store.snapshot())
  }

  /** New partitions get the replication factor of the topic's first one, spread as at creation. */
  async createPartitions (name: string, count: number, validateOnly: boolean): Promise<void> {
    const session = await this.currentSession()
    const snapshot = this.store.snapshot()
    const topic = snapshot.topics.get(name)
    if (topic === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`)
    const live = [...snapshot.brokers.values()].map((b) => ({ id: b.brokerId, rack: b.rack }))
    const replicationFactor = topic.partitions[0]?.replicas.length ?? 1
    const added = assignReplicas(live, count, replicationFactor).slice(topic.partitions.length)
    if (validateOnly) return
    try {
      await session.addPartitions(name, added)
    } catch (err) {
      if (isMetadataError(err, 'UNKNOWN_TOPIC_OR_PARTITION')) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`)
      throw err
    }
    await this.sync?.onSnapshot(this.store.snapshot())
  }

  async setTopicConfigs (name: string, configs: Record<string, string>): Promise<void> {
    const session = await this.currentSession()
    try {
      await session.alterTopicConfigs(name, configs)
    } catch (err) {
      if (isMetadataError(err, 'UNKNOWN_TOPIC_OR_PARTITION')) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`)
      throw err
    }
    await this.sync?.onSnapshot(this.store.snapshot())
  }

  /**
   * Hands this broker's leaderships and ISR memberships to the others before it stops
   * (controlled.shutdown.enable); the broker keeps serving meanwhile, answering
   * NOT_LEADER_OR_FOLLOWER and NOT_COORDINATOR for what moved.
   */
  async controlledShutdown (): Promise<void> {
    const session = this.session
    const options = this.joinOptions
    if (!this.config.bool('controlled.shutdown.enable') || session === null || session.fenced !== null || options === null || this.sync === null) return
    this.draining = true
    try {
      await this.sync.drain()
      await controlledShutdown({ nodeId: options.nodeId, session, snapshot: () => this.store.snapshot(), logger: this.logger }, {
        maxRetries: this.config.int('controlled.shutdown.max.retries'),
        retryBackoffMs: this.config.int('controlled.shutdown.retry.backoff.ms')
      })
    } catch (err) {
      // The broker stops anyway: what did not move fails over when its session ends.
      this.logger.error({ err }, 'controlled shutdown failed; stopping without it')
    }
  }

  async close (): Promise<void> {
    this.closing = true
    this.unsubscribe?.()
    await this.controller?.close()
    await this.sync?.close()
    try {
      await this.session?.close()
    } catch (err) {
      // The lease lapses by itself; closing only makes it faster.
      this.logger.warn({ err }, 'could not deregister from the cluster')
    }
    await this.store.close()
  }

  private onFenced (reason: string): void {
    if (reason === 'closed' || this.closing) return
    this.logger.error({ reason }, 'this broker was fenced by the cluster; its replicas step down')
    const sync = this.sync
    const controller = this.controller
    this.unsubscribe?.()
    this.unsubscribe = null
    void (async () => {
      await controller?.close()
      await sync?.close()
      const options = this.joinOptions
      if (reason !== 'expired' || options === null || this.closing) {
        const fenced = async (): Promise<never> => { throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'This broker was fenced by the cluster.') }
        this.replicas?.attachCluster({ createTopic: fenced, deleteTopic: fenced, createPartitions: fenced, setTopicConfigs: fenced })
        return
      }
      // The lease expired while this process was stalled: register again, as a restart would.
      for (let attempt = 1; !this.closing; attempt++) {
        try {
          await this.join(options)
          return
        } catch (err) {
          this.logger.warn({ err, attempt }, 'registering again failed; retrying')
          await sleep(1000)
        }
      }
    })().catch((err: unknown) => { this.logger.error({ err }, 'stepping down after fencing failed') })
  }
}
