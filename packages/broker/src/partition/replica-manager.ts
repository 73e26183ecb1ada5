// The topics and partitions this broker leads (all of them, on a single broker): the owner of
// topic lifecycle. Mutations (create, delete, add partitions, alter configs) run one at a time
// in a queue, in the order: validate -> persist the topic table -> create/delete logs -> publish.
// Readers see a topic only once its logs exist. A crash after persisting but before the logs
// exist is repaired at load: missing logs are created.
// Cluster mode (etcd.endpoints set): every topic (the coordinators' internal ones too) lives in the
// metadata store; creation and deletion go to it (ClusterTopicOps), and cluster/partition-sync.ts
// publishes each topic here with the partitions this broker hosts (the others are holes).
import { ErrorCode } from '@brook/protocol'
import { SerialQueue, type Logger } from '@brook/common'
import { type LogConfig, type PartitionLog } from '@brook/storage'
import type { BrokerConfig } from '../config/broker-config.js'
import { toLogConfig, topicSettings, type TopicOverrides, validateTopicOverrides } from '../config/topic-config.js'
import { checkExchangeConfigs } from '../exchange/bindings.js'
import { invalidTopicNameReason } from '../cluster/topic-name.js'
import type { TopicInfo, TopicStore } from '../cluster/topic-store.js'
import { randomTopicId } from '../cluster/uuid.js'
import { KafkaError } from '../errors.js'
import type { FetchPurgatory } from '../purgatory/delayed-fetch.js'
import { Partition } from './partition.js'
import type { TopicMetadata } from '@brook/metadata'

/** What the replica manager needs from storage's LogManager. */
export interface LogProvider {
  createLog (topic: string, partition: number, config: LogConfig): Promise<PartitionLog>
  getLog (topic: string, partition: number): PartitionLog | undefined
  deleteLog (topic: string, partition: number): Promise<void>
  /** Closes the log, moves its files to another configured log dir and reopens it there. */
  moveLog (topic: string, partition: number, logDir: string): Promise<PartitionLog>
}

export interface TopicState {
  readonly info: TopicInfo
  /** Indexed by partition; cluster mode: undefined where this broker holds no replica. */
  readonly partitions: ReadonlyArray<Partition | undefined>
  /** Cluster mode: the topic as the metadata store has it (assignment, leaders, ISR). */
  readonly cluster?: TopicMetadata
}

/** Topic creation and deletion through the metadata store (cluster mode). */
export interface ClusterTopicOps {
  /** Writes the topic with its assignment to the store; resolves once this broker published it. */
  createTopic: (info: TopicInfo, replicationFactor: number, assignments: ReadonlyArray<readonly number[]> | null, validateOnly: boolean) => Promise<TopicInfo>
  deleteTopic: (name: string) => Promise<void>
  /** Adds partitions up to `count` (validated here: more than today); resolves once this broker published them. */
  createPartitions: (name: string, count: number, validateOnly: boolean) => Promise<void>
  /** Replaces the topic's overrides in the store; resolves once this broker applied them. */
  setTopicConfigs: (name: string, configs: TopicOverrides) => Promise<void>
}

export interface CreateTopicRequest {
  name: string
  /** -1: num.partitions */
  numPartitions: number
  /** -1: default.replication.factor */
  replicationFactor: number
  configs: TopicOverrides
  validateOnly: boolean
  /** Explicit replica assignment per partition (CreateTopics assignments; cluster mode). */
  assignments?: ReadonlyArray<readonly number[]>
}

/** A sanity bound, so that one request cannot make the broker create millions of logs. */
const MAX_PARTITIONS_PER_TOPIC = 10_000

export class ReplicaManager {
  private readonly byName = new Map<string, TopicState>()
  private readonly byId = new Map<string, TopicState>()
  private readonly queue = new SerialQueue()
  private readonly autoCreating = new Map<string, Promise<TopicState>>()
  private cluster: ClusterTopicOps | null = null

  constructor (
    private readonly logs: LogProvider,
    private readonly store: TopicStore,
    private readonly config: BrokerConfig,
    private readonly purgatory: FetchPurgatory,
    private readonly logger: Logger
  ) {}

  async load (): Promise<void> {
    for (const info of await this.store.load()) {
      const logConfig = toLogConfig(info.configs, this.config)
      const partitions: Partition[] = []
      for (let p = 0; p < info.partitions; p++) partitions.push(await this.openPartition(info.name, p, logConfig))
      this.publish({ info, partitions })
    }
  }

  /** Cluster mode: topics are created and deleted through `ops`. */
  attachCluster (ops: ClusterTopicOps): void {
    this.cluster = ops
  }

  get clustered (): boolean {
    return this.cluster !== null
  }

  /** Cluster mode: publishes (or replaces) a replicated topic as the store has it. */
  publishReplicated (state: TopicState): void {
    const previous = this.byName.get(state.info.name)
    if (previous !== undefined && previous.info.id !== state.info.id) this.byId.delete(previous.info.id)
    this.publish(state)
  }

  /** Cluster mode: forgets a replicated topic the store no longer has (logs are the caller's). */
  unpublishReplicated (name: string): TopicState | undefined {
    const state = this.byName.get(name)
    if (state?.cluster === undefined) return undefined
    this.byName.delete(name)
    this.byId.delete(state.info.id)
    for (const partition of state.partitions) if (partition !== undefined) this.purgatory.notify(partition.key)
    return state
  }

  /** Cluster mode: the log of a hosted replica, opened (or created) with the topic's config. */
  async openReplica (topic: string, index: number, configs: TopicOverrides): Promise<Partition> {
    const config = toLogConfig(configs, this.config)
    let log = this.logs.getLog(topic, index)
    if (log === undefined) log = await this.logs.createLog(topic, index, config)
    else log.updateConfig(config)
    return new Partition(log, this.purgatory, { replicated: true })
  }

  /** Cluster mode: a hosted replica takes its topic's changed configs. */
  reconfigureReplica (partition: Partition, configs: TopicOverrides): void {
    partition.log.updateConfig(toLogConfig(configs, this.config))
  }

  /** Cluster mode: a log of this partition is on disk (opened at start or since). */
  hasReplicaLog (topic: string, index: number): boolean {
    return this.logs.getLog(topic, index) !== undefined
  }

  async deleteReplicaLog (topic: string, index: number): Promise<void> {
    await this.dropLog(topic, index)
  }

  /**
   * The error for a partition this broker cannot serve as leader: NOT_LEADER_OR_FOLLOWER when the
   * topic has that partition (another broker leads it, or this replica follows), else
   * UNKNOWN_TOPIC_OR_PARTITION.
   */
  partitionError (topic: string, index: number): number {
    const state = this.byName.get(topic)
    if (state === undefined || index < 0 || index >= state.info.partitions) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
    const partition = state.partitions[index]
    return partition === undefined || (partition.replicated && !partition.isLeader) ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.NONE
  }

  topic (name: string): TopicState | undefined {
    return this.byName.get(name)
  }

  topicById (id: string): TopicState | undefined {
    return this.byId.get(id)
  }

  /** All topics, sorted by name. */
  topics (): TopicState[] {
    return [...this.byName.values()].sort((a, b) => a.info.name < b.info.name ? -1 : a.info.name > b.info.name ? 1 : 0)
  }

  partition (topic: string, index: number): Partition | undefined {
    return this.byName.get(topic)?.partitions[index]
  }

  /** Validates, then (unless validateOnly) creates the topic; rejects with KafkaError. */
  async createTopic (request: CreateTopicRequest): Promise<TopicInfo> {
    if (this.cluster !== null) return await this.createReplicated(this.cluster, request)
    return await this.serial(async () => {
      const info = this.checkNewTopic(request)
      if (request.validateOnly) return info
      await this.store.save([...this.infos(), info])
      const logConfig = toLogConfig(info.configs, this.config)
      let partitions: Partition[]
      try {
        // Created in parallel: each log's directory creation waits for its own fsync.
        partitions = await Promise.all(Array.from({ length: info.partitions }, async (_, p) => await this.openPartition(info.name, p, logConfig)))
      } catch (err) {
        await this.store.save(this.infos())
        await this.dropLogs(info.name, info.partitions)
        throw err
      }
      this.publish({ info, partitions })
      this.logger.info({ topic: info.name, partitions: info.partitions, topicId: info.id }, 'created topic')
      return info
    })
  }

  /**
   * Auto-creation (Metadata, Produce): the existing topic if another request made it first.
   * Concurrent calls for one name share one creation, so they all resume together, in call
   * order, before any later request runs (this keeps pipelined produce requests in order).
   */
  async ensureTopic (name: string): Promise<TopicState> {
    const existing = this.byName.get(name)
    if (existing !== undefined) return existing
    let creating = this.autoCreating.get(name)
    if (creating === undefined) {
      creating = this.autoCreate(name)
      this.autoCreating.set(name, creating)
      // Forget the creation once settled; its failure reaches every caller through `creating`.
      const forget = (): void => { this.autoCreating.delete(name) }
      creating.then(forget, forget)
    }
    return await creating
  }

  private async autoCreate (name: string): Promise<TopicState> {
    try {
      await this.createTopic({ name, numPartitions: -1, replicationFactor: -1, configs: {}, validateOnly: false })
    } catch (err) {
      if (!(err instanceof KafkaError && err.code === ErrorCode.TOPIC_ALREADY_EXISTS)) throw err
    }
    const created = this.byName.get(name)
    if (created === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    return created
  }

  private async createReplicated (cluster: ClusterTopicOps, request: CreateTopicRequest): Promise<TopicInfo> {
    const info = this.checkNewTopic(request, true)
    const replication = request.replicationFactor === -1 ? this.config.int('default.replication.factor') : request.replicationFactor
    const created = await cluster.createTopic(info, replication, request.assignments ?? null, request.validateOnly)
    if (!request.validateOnly) this.logger.info({ topic: info.name, partitions: info.partitions, topicId: created.id }, 'created topic in the cluster')
    return created
  }

  async deleteTopic (name: string): Promise<TopicInfo> {
    const replicated = this.byName.get(name)
    if (this.cluster !== null && replicated?.cluster !== undefined) {
      if (!this.config.bool('delete.topic.enable')) throw new KafkaError(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.')
      await this.cluster.deleteTopic(name)
      return replicated.info
    }
    return await this.serial(async () => {
      if (!this.config.bool('delete.topic.enable')) throw new KafkaError(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.')
      const state = this.byName.get(name)
      if (state === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.')
      await this.store.save(this.infos().filter((t) => t.name !== name))
      this.byName.delete(name)
      this.byId.delete(state.info.id)
      // Waiting fetches re-check and find the partition gone.
      for (const partition of state.partitions) if (partition !== undefined) this.purgatory.notify(partition.key)
      await this.dropLogs(name, state.partitions.length)
      this.logger.info({ topic: name, topicId: state.info.id }, 'deleted topic')
      return state.info
    })
  }

  async createPartitions (name: string, count: number, validateOnly: boolean): Promise<void> {
    const replicated = this.byName.get(name)
    if (this.cluster !== null && replicated?.cluster !== undefined) {
      checkPartitionCount(replicated.info.partitions, count)
      await this.cluster.createPartitions(name, count, validateOnly)
      return
    }
    await this.serial(async () => {
      const state = this.byName.get(name)
      if (state === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`)
      const current = state.partitions.length
      checkPartitionCount(current, count)
      if (validateOnly) return
      const info: TopicInfo = { ...state.info, partitions: count }
      await this.store.save(this.infos().map((t) => t.name === name ? info : t))
      const logConfig = toLogConfig(info.configs, this.config)
      const partitions = [...state.partitions]
      for (let p = current; p < count; p++) partitions.push(await this.openPartition(name, p, logConfig))
      this.publish({ info, partitions })
      this.logger.info({ topic: name, partitions: count }, 'added partitions')
    })
  }

  /** Replaces the topic's overrides (AlterConfigs semantics; callers merge for incremental). */
  async setTopicConfigs (name: string, configs: TopicOverrides, validateOnly: boolean): Promise<void> {
    const replicated = this.byName.get(name)
    if (this.cluster !== null && replicated?.cluster !== undefined) {
      validateTopicOverrides(configs)
      checkExchangeConfigs(name, configs, (t) => this.byName.has(t))
      if (!validateOnly) await this.cluster.setTopicConfigs(name, configs)
      return
    }
    await this.serial(async () => {
      const state = this.byName.get(name)
      if (state === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`)
      validateTopicOverrides(configs)
      checkExchangeConfigs(name, configs, (t) => this.byName.has(t))
      if (validateOnly) return
      const info: TopicInfo = { ...state.info, configs: { ...configs } }
      await this.store.save(this.infos().map((t) => t.name === name ? info : t))
      const logConfig = toLogConfig(info.configs, this.config)
      for (const partition of state.partitions) partition?.log.updateConfig(logConfig)
      this.publish({ ...state, info })
    })
  }

  /** Every log takes its topic's config again: the broker defaults changed (dynamic configs). */
  async reapplyConfigs (): Promise<void> {
    await this.serial(async () => {
      for (const state of this.byName.values()) {
        const logConfig = toLogConfig(state.info.configs, this.config)
        for (const partition of state.partitions) partition?.log.updateConfig(logConfig)
      }
    })
  }

  private checkNewTopic (request: CreateTopicRequest, clustered = false): TopicInfo {
    const { name } = request
    const reason = invalidTopicNameReason(name)
    if (reason !== null) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, reason)
    if (this.byName.has(name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`)
    const collision = this.collidingTopic(name)
    if (collision !== undefined) {
      throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${collision}`)
    }
    const partitions = request.assignments !== undefined && request.assignments.length > 0
      ? request.assignments.length
      : request.numPartitions === -1 ? this.config.int('num.partitions') : request.numPartitions
    if (partitions <= 0) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.')
    }
    if (partitions > MAX_PARTITIONS_PER_TOPIC) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Brook allows at most ${MAX_PARTITIONS_PER_TOPIC} partitions per topic.`)
    }
    const replication = request.replicationFactor === -1 ? this.config.int('default.replication.factor') : request.replicationFactor
    if (replication <= 0) {
      throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.')
    }
    if (replication > 1 && !clustered) {
      throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR,
        `Unable to replicate the partition ${replication} time(s): The target replication factor of ${replication} cannot be reached because only 1 broker(s) are registered.`)
    }
    validateTopicOverrides(request.configs)
    checkExchangeConfigs(name, request.configs, (t) => this.byName.has(t))
    return { name, id: randomTopicId(), partitions, configs: { ...request.configs } }
  }

  /** Kafka forbids names that differ only by '.' versus '_' (they clash in metric names). */
  private collidingTopic (name: string): string | undefined {
    const normal = name.replaceAll('.', '_')
    for (const existing of this.byName.keys()) {
      if (existing !== name && existing.replaceAll('.', '_') === normal) return existing
    }
    return undefined
  }

  /**
   * AlterReplicaLogDirs: moves a partition's files to another log dir, queued with the topic
   * mutations so that a deletion cannot race with it. False when the partition does not exist.
   */
  async moveToLogDir (topic: string, index: number, logDir: string): Promise<boolean> {
    return await this.serial(async () => {
      const partition = this.partition(topic, index)
      if (partition === undefined) return false
      await partition.moveTo(async () => await this.logs.moveLog(topic, index, logDir))
      return true
    })
  }

  private async openPartition (topic: string, index: number, config: LogConfig): Promise<Partition> {
    let log = this.logs.getLog(topic, index)
    if (log === undefined) log = await this.logs.createLog(topic, index, config)
    else log.updateConfig(config)
    return new Partition(log, this.purgatory)
  }

  private async dropLogs (topic: string, count: number): Promise<void> {
    for (let p = 0; p < count; p++) await this.dropLog(topic, p)
  }

  private async dropLog (topic: string, p: number): Promise<void> {
    try {
      await this.logs.deleteLog(topic, p)
    } catch (err) {
      // The topic is already gone from the table; a leftover directory only wastes space.
      this.logger.error({ err, topic, partition: p }, 'could not delete partition log')
    }
  }

  private publish (state: TopicState): void {
    // delivery.delay.ms: every partition of the topic knows its visibility delay (0: none).
    const { deliveryDelayMs } = topicSettings(state.info.configs, this.config)
    for (const partition of state.partitions) partition?.setDeliveryDelay(deliveryDelayMs, this.logger)
    this.byName.set(state.info.name, state)
    this.byId.set(state.info.id, state)
  }

  /** The topics of the local table (brook-topics.json): all of them, less the replicated ones. */
  private infos (): TopicInfo[] {
    return [...this.byName.values()].filter((s) => s.cluster === undefined).map((s) => s.info)
  }

  private async serial<T> (work: () => Promise<T>): Promise<T> {
    return await this.queue.run(work)
  }
}

/** CreatePartitions' checks of the new count against the current one, with Kafka's messages. */
function checkPartitionCount (current: number, count: number): void {
  if (count < current) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${count}.`)
  }
  if (count === current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`)
  if (count > MAX_PARTITIONS_PER_TOPIC) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Brook allows at most ${MAX_PARTITIONS_PER_TOPIC} partitions per topic.`)
  }
}
