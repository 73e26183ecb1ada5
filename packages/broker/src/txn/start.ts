// Starting the transaction coordinator inside a broker. When `__transaction_state` exists, every
// partition is replayed before this resolves, then the timers start and what a restart left half
// done is finished. Otherwise the topic is created (transaction.state.log.num.partitions
// partitions, compacted, as Kafka creates it; a single broker caps the replication factor at 1)
// and loaded on first use, as Kafka does on the first transactional request, so brokers that
// never see a transaction do not pay for 50 partitions. An existing topic's partition count wins
// over the config: it decides which partition owns which transactional id.
// Cluster mode: the topic lives in the cluster (transaction.state.log.replication.factor capped by
// the brokers registered at creation, min.insync.replicas from transaction.state.log.min.isr),
// this broker loads the partitions it leads as it becomes their leader, finishes what it finds
// prepared there and times out what it finds open; markers go to each partition's leader
// (cluster/marker-router.ts), and a marker written here waits for the partition's ISR.
import type { BrokerConfig } from '../config/broker-config.js'
import { SystemTimer, systemClock, type Logger } from '@brook/common'
import type { ReplicaManager } from '../partition/replica-manager.js'
import { ensureInternalTopic, internalTopicLogs } from '../coordinator/internal-topic.js'
import { CoordinatorLeadership } from '../coordinator/leadership.js'
import type { ClusterNode } from '../cluster/cluster-node.js'
import { MarkerRouter } from '../cluster/marker-router.js'
import { topicSettings } from '../config/topic-config.js'
import { ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'
import type { Partition } from '../partition/partition.js'
import { TXN_TOPIC, txnConfigFrom } from './config.js'
import { TransactionCoordinator } from './coordinator.js'
import type { GroupCoordinator } from '../group/coordinator.js'
import type { TransactionalOffsets } from './group-offsets.js'
import { PartitionMarkerWriter } from './markers.js'
import type { ProducerIdSource } from './producer-ids.js'
import { TxnRuntime } from './runtime.js'
import { parseEndpoints } from './check-back.js'
import { startProducerExpiry } from './producer-expiry.js'

export interface TxnCoordinatorStartDeps {
  replicas: ReplicaManager
  config: BrokerConfig
  producerIds: ProducerIdSource
  /** The group coordinator: transactional offsets and the markers of `__consumer_offsets` go to it. */
  groups?: GroupCoordinator
  /**
   * Called before a marker is written to a partition (and again if the marker is retried): the
   * scheduled records a committed transaction held are released (delivery/scheduler.ts).
   */
  beforeMarker?: (topic: string, partition: number, producerId: bigint, commit: boolean) => Promise<void>
  logger: Logger
  /** Cluster mode: the cluster this broker is (about to be) part of. */
  cluster?: ClusterNode
  /** Cluster mode: this broker's id (markers for partitions it leads are written here). */
  nodeId?: number
}

/** The coordinator and, in cluster mode, the leadership it follows (hand its onLeadership to the cluster). */
export interface StartedTxnCoordinator {
  coordinator: TransactionCoordinator
  leadership: CoordinatorLeadership | null
}

/** Kafka's broker request.timeout.ms default: how long a write to __transaction_state or a marker waits for the ISR. */
const TXN_APPEND_TIMEOUT_MS = 30_000

/** Creates the coordinator; when __transaction_state exists, resolves once every partition is replayed. */
export async function startTransactionCoordinator (deps: TxnCoordinatorStartDeps): Promise<TransactionCoordinator> {
  return (await startTransactionCoordinatorIn(deps)).coordinator
}

export async function startTransactionCoordinatorIn (deps: TxnCoordinatorStartDeps): Promise<StartedTxnCoordinator> {
  const config = txnConfigFrom((name) => deps.config.int(name))
  const cluster = deps.cluster
  const existing = cluster === undefined ? deps.replicas.topic(TXN_TOPIC) : undefined
  const inCluster = cluster?.snapshot().topics.get(TXN_TOPIC)?.partitions.length
  if (existing !== undefined) config.numPartitions = existing.partitions.length
  if (inCluster !== undefined) config.numPartitions = inCluster
  const logger = deps.logger.child({ component: 'txn-coordinator' })
  const spec = { name: TXN_TOPIC, partitions: config.numPartitions, segmentBytes: config.segmentBytes, compressionType: 'uncompressed' }
  const leadership = cluster === undefined
    ? null
    : new CoordinatorLeadership(TXN_TOPIC, {
      minInsyncReplicas: () => topicSettings(deps.replicas.topic(TXN_TOPIC)?.info.configs ?? {}, deps.config).minInsyncReplicas,
      timeoutMs: TXN_APPEND_TIMEOUT_MS
    }, logger)
  const runtime = new TxnRuntime({
    numPartitions: config.numPartitions,
    logger,
    topicExists: () => deps.replicas.topic(TXN_TOPIC) !== undefined,
    ...(cluster === undefined || leadership === null
      ? { openLog: internalTopicLogs(deps.replicas, spec, logger) }
      : {
          openLog: leadership.openLog,
          ownership: 'elected' as const,
          prepare: async () => {
            const replicationFactor = Math.min(deps.config.int('transaction.state.log.replication.factor'), Math.max(1, cluster.liveBrokers))
            const minIsr = Math.min(deps.config.int('transaction.state.log.min.isr'), replicationFactor)
            await ensureInternalTopic(deps.replicas, { ...spec, replicationFactor, configs: { 'min.insync.replicas': String(minIsr) } })
          }
        })
  })
  if (existing !== undefined) await runtime.start()
  const offsets: TransactionalOffsets | undefined = deps.groups
  const markers = new PartitionMarkerWriter((topicName, index) => {
    const partition = deps.replicas.partition(topicName, index)
    if (partition === undefined) {
      // A replicated topic this broker does not host: whoever sent the marker has stale metadata.
      return deps.replicas.topic(topicName)?.cluster === undefined ? undefined : notLeader(topicName, index)
    }
    return {
      appendControl: async (records, marker) => {
        await deps.beforeMarker?.(topicName, index, marker.producerId, marker.commit)
        await appendMarker(partition, records, deps)
      }
    }
  }, offsets, logger)
  const routed = cluster === undefined
    ? undefined
    : new MarkerRouter({ nodeId: deps.nodeId ?? -1, snapshot: () => cluster.snapshot(), config: deps.config, local: markers, logger })
  const coordinator = new TransactionCoordinator({
    runtime,
    config,
    allocateProducerId: async () => await deps.producerIds.allocate(),
    markers,
    ...(routed === undefined ? {} : { routedMarkers: routed }),
    offsets,
    clock: systemClock,
    timer: new SystemTimer(),
    checkBack: () => ({
      endpoints: parseEndpoints(deps.config.list('transaction.checkback.endpoints') ?? []),
      maxAttempts: deps.config.int('transaction.checkback.max.attempts'),
      backoffMs: deps.config.int('transaction.checkback.retry.backoff.ms'),
      timeoutMs: deps.config.int('transaction.checkback.request.timeout.ms')
    }),
    logger
  })
  leadership?.attach(runtime)
  if (routed !== undefined) coordinator.onClose(() => { routed.close() })
  coordinator.start()
  const stopExpiry = startProducerExpiry(deps.replicas, deps.config.int('producer.id.expiration.check.interval.ms'),
    deps.config.int('producer.id.expiration.ms'), logger)
  coordinator.onClose(stopExpiry)
  if (existing !== undefined) logger.info({ partitions: config.numPartitions }, 'transaction coordinator loaded')
  return { coordinator, leadership }
}

function notLeader (topic: string, index: number): { appendControl: (records: Buffer) => Promise<void> } {
  return {
    appendControl: async () => { throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `This broker does not lead ${topic}-${index}.`) }
  }
}

/**
 * A marker on a partition this broker holds: durable here, and on a replicated partition
 * acknowledged once the ISR has it (Kafka writes markers with acks=-1).
 */
async function appendMarker (partition: Partition, records: Buffer, deps: TxnCoordinatorStartDeps): Promise<void> {
  const replication = partition.replication
  const minIsr = topicSettings(deps.replicas.topic(partition.topic)?.info.configs ?? {}, deps.config).minInsyncReplicas
  if (partition.replicated) {
    if (replication === null) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `This broker does not lead ${partition.key}.`)
    replication.checkMinIsr(minIsr)
  }
  const result = await partition.append(records, true, 'coordinator')
  if (replication === null) return
  const code = await replication.waitForCommit(result.lastOffset + 1, minIsr, TXN_APPEND_TIMEOUT_MS)
  if (code !== ErrorCode.NONE) throw new KafkaError(code, `The marker on ${partition.key} was not replicated.`)
}
