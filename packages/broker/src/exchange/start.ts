// Starts the exchange router a broker runs: the local one on a single broker, the cluster one in
// cluster mode (router.ts says how they differ).
import { join } from 'node:path'
import type { ClientOptions } from '@brook/client'
import type { Logger } from '@brook/common'
import { NodeFileSystem } from '@brook/storage'
import type { Registry } from 'prom-client'
import type { GroupCoordinator } from '../group/coordinator.js'
import type { ReplicaManager } from '../partition/replica-manager.js'
import { ClusterExchangeRouter } from './cluster-router.js'
import { LocalExchangeRouter } from './local-router.js'
import { exchangePositionGroup, type ExchangeRouter } from './router.js'

/** The local router's directory under the first log dir. */
const EXCHANGE_DIR = 'brook-exchange'

export interface StartExchangeRouterOptions {
  clustered: boolean
  replicas: ReplicaManager
  groups: GroupCoordinator
  firstLogDir: string
  allocateProducerId: () => Promise<number>
  /** This broker's own address for the cluster router's client ("host:port"). */
  selfAddress: () => string
  /** How that client connects (the inter-broker listener's TLS and SASL settings). */
  selfConnection?: () => Pick<ClientOptions, 'tls' | 'sasl'>
  logger: Logger
  registry: Registry
}

export async function startExchangeRouter (options: StartExchangeRouterOptions): Promise<ExchangeRouter> {
  const { replicas, groups } = options
  const logger = options.logger.child({ component: 'exchange-router' })
  if (options.clustered) {
    return ClusterExchangeRouter.start({ topics: () => replicas.topics(), topic: (name) => replicas.topic(name), bootstrap: () => [options.selfAddress()], connection: options.selfConnection, logger, registry: options.registry })
  }
  return await LocalExchangeRouter.start({
    fs: new NodeFileSystem(),
    dir: join(options.firstLogDir, EXCHANGE_DIR),
    allocateProducerId: options.allocateProducerId,
    topics: () => replicas.topics(),
    topic: (name) => replicas.topic(name),
    partition: (topic, index) => replicas.partition(topic, index),
    logger,
    registry: options.registry,
    // The positions as offsets of a group committed without membership, as admin tools do.
    publishPositions: async (exchange, positions) => {
      const groupId = exchangePositionGroup(exchange)
      const result = await groups.commitOffsets({ clientId: 'brook-exchange-router', clientHost: '', apiVersion: 9 }, {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [{
          name: exchange,
          partitions: positions.map((p) => ({ partitionIndex: p.partition, committedOffset: BigInt(p.offset), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }))
        }]
      })
      const failed = result.topics.flatMap((t) => t.partitions).find((p) => p.errorCode !== 0)
      if (failed !== undefined) throw new Error(`committing ${groupId} failed with error code ${failed.errorCode}`)
    }
  })
}
