// The seam between a broker and the cluster's shared state. One interface, two stores: the
// embedded single-node store (the default, in memory, no extra process) and etcd. Both pass one
// conformance suite, so a broker cannot tell them apart except by durability and reach.
//
// Guarantees every implementation gives:
// - Order: snapshots are published in store-revision order, each one exactly once, with no
//   revision skipped that changed something (a watcher that reconnects resumes at the revision
//   after the last one it applied).
// - Read your writes: a write resolves only once the local snapshot includes it.
// - Fencing by the store, not by the caller's view: every write carries the writer's broker epoch
//   (and, when asked, its controller election) as a condition of the same atomic transaction, so
//   a broker that was paused past its lease, or replaced by a restart, is refused even if it
//   still believes it is alive.
// - Compare-and-swap on partition state: a change names the partitionEpoch (and optionally the
//   leaderEpoch) it was computed from; a stale one is refused (INVALID_UPDATE_VERSION /
//   FENCED_LEADER_EPOCH), so of two concurrent writers exactly one wins.
// - Bounded transactions: no single store transaction holds more than the store's operation limit
//   (etcd: 128) or its request size limit (etcd: 1.5 MiB), whatever the partition count.
import type { BrokerEndpoint, MetadataSnapshot, MetadataUpdate, PartitionMetadata, TopicMetadata } from './snapshot.js'

export interface BrokerRegistrationRequest {
  brokerId: number
  /** A fresh random id per process start (a UUID string). */
  incarnationId: string
  endpoints: readonly BrokerEndpoint[]
  rack?: string | null
}

export interface TopicCreation {
  name: string
  /** A canonical UUID string; a random one when omitted. */
  id?: string
  configs?: Readonly<Record<string, string>>
  /**
   * Replica assignment per partition, the caller's placement (rack-aware placement is the
   * controller's job). Each partition starts with the registered brokers of its assignment as
   * ISR, the first of them as leader (NO_LEADER if none is registered), epochs 0.
   */
  replicas: ReadonlyArray<readonly number[]>
}

export interface PartitionChange {
  topicId: string
  partition: number
  /** The partitionEpoch the change was computed from (compare-and-swap). */
  partitionEpoch: number
  /** When set, the leaderEpoch the requester leads with (a leader changing its own ISR). */
  leaderEpoch?: number
  /** The new leader (a member of `isr`, or NO_LEADER); unchanged when omitted. */
  leader?: number
  isr: readonly number[]
  /** Unchanged when omitted. */
  offlineReplicas?: readonly number[]
  /**
   * A reassignment step (the controller's): the new replica set, with the replicas joining and
   * leaving it (empty lists end the reassignment). All three together, or none (unchanged).
   * Refused with INVALID_REPLICA_ASSIGNMENT when the set is not distinct broker ids, when the
   * joining/leaving lists are not disjoint parts of it, or when a replica new to the partition is
   * not a registered broker.
   */
  reassignment?: ReplicaSetChange
}

export interface ReplicaSetChange {
  replicas: readonly number[]
  addingReplicas: readonly number[]
  removingReplicas: readonly number[]
}

/** A range of producer ids owned by one broker: [firstProducerId, firstProducerId + size). */
export interface ProducerIdBlock {
  readonly brokerId: number
  readonly firstProducerId: bigint
  readonly size: number
}

/** Why a broker session ended. */
export type FenceReason = 'expired' | 'replaced' | 'closed'

/** Options of writes that only the elected controller may make. */
export interface ControllerFence {
  /** The write is refused with NOT_CONTROLLER unless this election is still the current one. */
  controller?: ControllerSession
}

/**
 * One registered broker process. Created by registerBroker; kept alive by heartbeats every
 * broker.heartbeat.interval.ms; fenced when its lease lapses (broker.session.timeout.ms without a
 * heartbeat reaching the store), when the same broker id registers with a new incarnation, or on
 * close. After fencing, every write of this session is refused with STALE_BROKER_EPOCH.
 */
export interface BrokerSession {
  readonly brokerId: number
  readonly incarnationId: string
  readonly brokerEpoch: number
  /** null while the session is live. */
  readonly fenced: FenceReason | null
  /** Called once, when the session is fenced. */
  onFenced: (listener: (reason: FenceReason) => void) => void

  /**
   * Resolves once this broker is the controller, waiting while another broker holds it. The
   * controller claim lives on this broker's lease: it ends with the session. Rejects with
   * STALE_BROKER_EPOCH if the session is fenced, or with the signal's reason when aborted.
   */
  campaign: (signal?: AbortSignal) => Promise<ControllerSession>

  /** Fails with TOPIC_ALREADY_EXISTS if the name is taken (even by a creation in progress). */
  createTopic: (topic: TopicCreation, fence?: ControllerFence) => Promise<TopicMetadata>
  /** Removes the topic and all its partition states; UNKNOWN_TOPIC_OR_PARTITION if absent. */
  deleteTopic: (name: string, fence?: ControllerFence) => Promise<void>
  /**
   * Adds partitions with these replicas after the existing ones (states as at creation); they
   * appear at one revision. UNKNOWN_TOPIC_OR_PARTITION if the topic is absent.
   */
  addPartitions: (name: string, replicas: ReadonlyArray<readonly number[]>, fence?: ControllerFence) => Promise<TopicMetadata>
  /** Replaces the topic's config overrides. UNKNOWN_TOPIC_OR_PARTITION if the topic is absent. */
  alterTopicConfigs: (name: string, configs: Readonly<Record<string, string>>, fence?: ControllerFence) => Promise<TopicMetadata>
  /**
   * Compare-and-swap of one partition's leader/ISR (and, for a reassignment, its replica set).
   * Returns the new state: partitionEpoch + 1,
   * and leaderEpoch + 1 when the leader changed.
   */
  alterPartition: (change: PartitionChange, fence?: ControllerFence) => Promise<PartitionMetadata>
  /** A block of producer ids no other call, on any broker, ever receives. */
  allocateProducerIds: () => Promise<ProducerIdBlock>

  /** Deregisters (the broker leaves the cluster and gives up the controller if it held it). */
  close: () => Promise<void>
}

export interface ControllerSession {
  readonly brokerId: number
  readonly epoch: number
  /** True while the local snapshot still shows this election as the current controller. */
  readonly active: boolean
  /** Gives up the controller (if still held) so that another broker can be elected. */
  resign: () => Promise<void>
}

export interface ClusterMetadataStore {
  /** The latest snapshot applied locally. */
  snapshot: () => MetadataSnapshot
  /**
   * Calls `listener` for every snapshot published after this call, in revision order, one at a
   * time (synchronously; a listener that needs async work queues it). Returns the unsubscribe.
   */
  subscribe: (listener: (update: MetadataUpdate) => void) => () => void
  /** Resolves with the first snapshot whose revision is at least `revision`. */
  waitForRevision: (revision: number, timeoutMs?: number) => Promise<MetadataSnapshot>
  registerBroker: (request: BrokerRegistrationRequest) => Promise<BrokerSession>
  /**
   * The cluster's id, one for every broker of the cluster: the stored one, or `proposed` when none
   * is stored yet (the first claim wins, later ones get it).
   */
  clusterId: (proposed: string) => Promise<string>
  /** Stops watching and releases the connection; sessions opened here stop heartbeating. */
  close: () => Promise<void>
}
