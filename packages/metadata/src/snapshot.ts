// The cluster as one broker sees it at one etcd revision. Snapshots are immutable (frozen objects
// and arrays, maps never changed after publication): a reader may keep one as long as it likes,
// and two snapshots share every topic that did not change between them.

/** One listener a broker accepts connections on (Kafka's `listeners` entry). */
export interface BrokerEndpoint {
  readonly name: string
  readonly host: string
  readonly port: number
  readonly securityProtocol: string
}

export interface BrokerRegistration {
  readonly brokerId: number
  /** Random per process start; a new incarnation replaces (fences) the previous one at once. */
  readonly incarnationId: string
  /**
   * The store revision at which this registration was written (Kafka's broker epoch). Every
   * write a broker makes is checked against it: once the registration expires or is replaced,
   * the old epoch's writes are refused with STALE_BROKER_EPOCH.
   */
  readonly brokerEpoch: number
  readonly endpoints: readonly BrokerEndpoint[]
  readonly rack: string | null
}

export interface ControllerInfo {
  readonly brokerId: number
  /** Grows by one at every election, never reused, survives every controller's death. */
  readonly epoch: number
  /** The controller's broker epoch when it was elected. */
  readonly brokerEpoch: number
}

/** Kafka's "no leader" value. */
export const NO_LEADER = -1

export interface PartitionMetadata {
  readonly partition: number
  /** The assignment: the first replica is the preferred leader. */
  readonly replicas: readonly number[]
  /** A broker id, or NO_LEADER when no ISR member can lead. */
  readonly leader: number
  /** Grows by one every time the leader changes (including to and from NO_LEADER). */
  readonly leaderEpoch: number
  /** Grows by one at every change of this partition's state; the compare-and-swap token. */
  readonly partitionEpoch: number
  readonly isr: readonly number[]
  readonly offlineReplicas: readonly number[]
  /**
   * A reassignment in progress (both empty when none is): `replicas` is then the target set
   * followed by the replicas leaving; the ones joining are in `addingReplicas`.
   */
  readonly addingReplicas: readonly number[]
  readonly removingReplicas: readonly number[]
}

export interface TopicMetadata {
  /** Kafka's topic id: a canonical 8-4-4-4-12 UUID string. */
  readonly id: string
  readonly name: string
  /** The topic's config overrides only (not the broker defaults). */
  readonly configs: Readonly<Record<string, string>>
  /** Indexed by partition number. */
  readonly partitions: readonly PartitionMetadata[]
}

export interface MetadataSnapshot {
  /** The store revision this snapshot reflects: every change up to it, none after it. */
  readonly revision: number
  /** Live brokers by id: a broker whose lease expired or that closed is absent. */
  readonly brokers: ReadonlyMap<number, BrokerRegistration>
  readonly controller: ControllerInfo | null
  /** Topics by name; a topic appears only once all its partition states exist. */
  readonly topics: ReadonlyMap<string, TopicMetadata>
  readonly topicsById: ReadonlyMap<string, TopicMetadata>
}

/** What one published snapshot changed, for listeners that react to parts of it. */
export interface MetadataUpdate {
  readonly snapshot: MetadataSnapshot
  readonly previous: MetadataSnapshot
  readonly brokersChanged: boolean
  readonly controllerChanged: boolean
  /** Names of topics created, changed (configs or any partition state) or deleted. */
  readonly topicsChanged: ReadonlySet<string>
}

export const EMPTY_SNAPSHOT: MetadataSnapshot = Object.freeze({
  revision: 0,
  brokers: new Map(),
  controller: null,
  topics: new Map(),
  topicsById: new Map()
})
