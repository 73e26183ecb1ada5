// Starting the transaction coordinator inside a broker. When `__transaction_state` exists, every
// partition is replayed before this resolves, then the timers start and what a restart left half
// done is finished. Otherwise the topic is created (transaction.state.log.num.partitions
// partitions, compacted, as Kafka creates it; a single broker caps the replication factor at 1)
// and loaded on first use, as Kafka does on the first transactional request, so brokers that
// never see a transaction do not pay for 50 partitions. An existing topic's partition count wins
// over the config: it decides which partition owns which transactional id.
import type { BrokerConfig } from '../config/broker-config.js'
import { SystemTimer, systemClock, type Logger } from '@brook/common'
import type { ReplicaManager } from '../partition/replica-manager.js'
import { internalTopicLogs } from '../coordinator/internal-topic.js'
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
}

/** Creates the coordinator; when __transaction_state exists, resolves once every partition is replayed. */
export async function startTransactionCoordinator (deps: TxnCoordinatorStartDeps): Promise<TransactionCoordinator> {
  const config = txnConfigFrom((name) => deps.config.int(name))
  const existing = deps.replicas.topic(TXN_TOPIC)
  if (existing !== undefined) config.numPartitions = existing.partitions.length
  const logger = deps.logger.child({ component: 'txn-coordinator' })
  const runtime = new TxnRuntime({
    numPartitions: config.numPartitions,
    logger,
    openLog: internalTopicLogs(deps.replicas, {
      name: TXN_TOPIC,
      partitions: config.numPartitions,
      segmentBytes: config.segmentBytes,
      compressionType: 'uncompressed'
    }, logger)
  })
  if (existing !== undefined) await runtime.start()
  const offsets: TransactionalOffsets | undefined = deps.groups
  const markers = new PartitionMarkerWriter((topicName, index) => {
    const partition = deps.replicas.partition(topicName, index)
    if (partition === undefined) return undefined
    return {
      appendControl: async (records, marker) => {
        await deps.beforeMarker?.(topicName, index, marker.producerId, marker.commit)
        return await partition.append(records, true, 'coordinator')
      }
    }
  }, offsets, logger)
  const coordinator = new TransactionCoordinator({
    runtime,
    config,
    allocateProducerId: async () => await deps.producerIds.allocate(),
    markers,
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
  coordinator.start()
  const stopExpiry = startProducerExpiry(deps.replicas, deps.config.int('producer.id.expiration.check.interval.ms'),
    deps.config.int('producer.id.expiration.ms'), logger)
  coordinator.onClose(stopExpiry)
  if (existing !== undefined) logger.info({ partitions: config.numPartitions }, 'transaction coordinator loaded')
  return coordinator
}
