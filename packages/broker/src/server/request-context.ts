// What a handler sees: the request's header facts and the broker's state. Handlers never touch
// the socket.
import type { DeliveryScheduler } from '../delivery/scheduler.js'
import type { BrokerConfig } from '../config/broker-config.js'
import type { ClusterNode } from '../cluster/cluster-node.js'
import type { DynamicConfigs } from '../config/dynamic-configs.js'
import type { FetchSessionCache } from '../fetch-session/fetch-session-cache.js'
import type { GroupCoordinator } from '../group/coordinator.js'
import type { Handler } from '../handlers/handler.js'
import type { Logger, BufferPool, Lease } from '@brook/common'
import type { LogDirs } from '../log-dirs/log-dirs.js'
import type { ReplicaManager } from '../partition/replica-manager.js'
import type { FetchPurgatory } from '../purgatory/delayed-fetch.js'
import type { ClientTelemetry } from '../telemetry/client-telemetry.js'
import type { ClientMetricsSubscriptions } from '../telemetry/subscriptions.js'
import type { ProducerIdSource } from '../txn/producer-ids.js'
import type { TransactionCoordinator } from '../txn/coordinator.js'
import type { ScramCredentialStore } from '../security/scram-store.js'
import type { ShareService } from '../share/service.js'
import type { Session } from '../security/session.js'
import type { Authorizer } from '../security/authorizer/authorizer.js'
import type { AclStore } from '@brook/metadata'
import type { BrokerMetrics } from '../metrics/broker-metrics.js'
import type { ClientQuotas } from '../quota/client-quotas.js'
import type { MutationQuota } from '../quota/mutation-quota.js'
import type { RequestBudget } from './request-budget.js'

export interface BrokerState {
  readonly config: BrokerConfig
  readonly clusterId: string
  readonly nodeId: number
  /** The address clients are told to use (Metadata, DescribeCluster). */
  readonly advertised: { readonly host: string, readonly port: number }
  readonly replicas: ReplicaManager
  /** AlterConfigs on broker resources (config/dynamic-configs.ts). */
  readonly dynamicConfigs: DynamicConfigs
  readonly fetchPurgatory: FetchPurgatory
  /** Incremental fetch sessions (KIP-227). */
  readonly fetchSessions: FetchSessionCache
  /** The configured log dirs: DescribeLogDirs, AlterReplicaLogDirs. */
  readonly logDirs: LogDirs
  /** Client metrics pushed by clients (KIP-714), latest per client instance. */
  readonly telemetry: ClientTelemetry
  /** KIP-714 client metrics subscriptions (CLIENT_METRICS config resources). */
  readonly clientMetricsSubscriptions: ClientMetricsSubscriptions
  /** Recycled buffers for what fetches read from segment files (buffer-pool.ts). */
  readonly fetchBuffers: BufferPool
  /** Recycled buffers for requests that span socket chunks (Handler.releasesRequestBytes). */
  readonly requestBuffers: BufferPool
  /** queued.max.requests: requests under way broker-wide (request-budget.ts); absent: no bound. */
  readonly requestBudget?: RequestBudget
  readonly producerIds: ProducerIdSource
  /** Every handler, sorted by api key: the source of the ApiVersions response. */
  readonly handlers: readonly Handler[]
  readonly logger: Logger
  /** True once shutdown began: long polls answer at once. */
  readonly stopping: boolean
  /** The group coordinator (group/); absent until it has started. */
  readonly groups?: GroupCoordinator
  /** Share groups (share/): coordinator, share-partitions, sessions; absent until started. */
  readonly share?: ShareService
  /** The transaction coordinator (txn/); absent until it has started. */
  readonly txn?: TransactionCoordinator
  /** Cluster mode (etcd.endpoints set): membership, metadata snapshots, controller. */
  readonly cluster?: ClusterNode
  /** The listener this connection came in on (its name picks the endpoint clients are told). */
  readonly listenerName?: string
  /** Scheduled delivery (delivery/scheduler.ts): records held until their delivery time. */
  readonly scheduler?: DeliveryScheduler
  /** SCRAM credentials (security/scram-store.ts). */
  readonly scram?: ScramCredentialStore
  /** The ACL bindings (CreateAcls, DescribeAcls, DeleteAcls); present with an authorizer. */
  readonly acls?: AclStore
  /** authorizer.class.name set: every request is authorized (security/authorizer/). */
  readonly authorizer?: Authorizer
  /** Prometheus counters the request path increments (metrics/). */
  readonly metrics?: BrokerMetrics
  /** Client quotas (quota/): DescribeClientQuotas, AlterClientQuotas and the throttle step. */
  readonly quotas?: ClientQuotas
}

export interface RequestContext {
  readonly apiKey: number
  readonly apiVersion: number
  readonly correlationId: number
  readonly clientId: string | null
  readonly broker: BrokerState
  /** Child logger carrying the connection and request. */
  readonly logger: Logger
  /** The peer's IP address (group member metadata records it as Kafka's client host). */
  readonly clientHost?: string
  /** The peer's port (KIP-714's client_source_port selector). */
  readonly clientPort?: number
  /** What the connection's ApiVersions request named (KIP-511): set by that handler, read by telemetry. */
  readonly clientSoftware?: ClientSoftware
  /**
   * Pooled buffers for file reads whose bytes go into this request's response only: given back
   * once the response is written (storage ReadOptions.allocate). Absent: plain allocations.
   */
  readonly readLease?: () => Lease
  /** The connection's security state: its principal and SASL exchange (security/session.ts). */
  readonly session?: Session
  /**
   * CreateTopics, CreatePartitions, DeleteTopics of a client with a controller_mutation_rate:
   * each topic is checked before and counted after its mutation (quota/mutation-quota.ts).
   */
  readonly mutations?: MutationQuota
}

/** The client software a connection announced in ApiVersions v3+ (null until then). */
export interface ClientSoftware {
  name: string | null
  version: string | null
}
