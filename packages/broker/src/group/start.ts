// Starting the group coordinator inside a broker: make sure `__consumer_offsets` exists
// (offsets.topic.num.partitions partitions, compacted, as Kafka creates it; a single broker caps
// the replication factor at 1), then replay every partition. The partition count of an existing
// topic wins over the config, as in Kafka: it decides which partition owns which group.
// Cluster mode: the topic lives in the cluster (offsets.topic.replication.factor, capped by the
// brokers registered at creation) and this broker loads only the partitions it leads, as it
// becomes their leader (coordinator/leadership.ts).
import type { BrokerConfig } from '../config/broker-config.js'
import type { Logger } from '@brook/common'
import type { ReplicaManager } from '../partition/replica-manager.js'
import { groupConfigBounds, groupConfigFrom, OFFSETS_TOPIC } from './config.js'
import { GroupConfigs } from './group-configs.js'
import { GroupCoordinator } from './coordinator.js'
import { ensureInternalTopic, internalTopicLogs } from '../coordinator/internal-topic.js'
import { CoordinatorLeadership } from '../coordinator/leadership.js'
import type { ClusterNode } from '../cluster/cluster-node.js'
import { topicSettings } from '../config/topic-config.js'
import { GroupCoordinatorRuntime } from './runtime.js'
import { shareGroupConfigDefs } from '../share/config.js'

export interface GroupCoordinatorDeps {
  replicas: ReplicaManager
  config: BrokerConfig
  logger: Logger
  /** Cluster mode: the cluster this broker is (about to be) part of. */
  cluster?: ClusterNode
}

/** The coordinator and, in cluster mode, the leadership it follows (hand its onLeadership to the cluster). */
export interface StartedGroupCoordinator {
  coordinator: GroupCoordinator
  leadership: CoordinatorLeadership | null
}

/**
 * Creates the coordinator. When `__consumer_offsets` exists it is loaded before this resolves (the
 * groups of a restarted broker are back before clients connect); otherwise the topic is created and
 * loaded on first use (Kafka creates it on the first FindCoordinator for a group), so brokers
 * that never see a group do not pay for 50 partitions.
 */
export async function startGroupCoordinator (deps: GroupCoordinatorDeps): Promise<GroupCoordinator> {
  return (await startGroupCoordinatorIn(deps)).coordinator
}

export async function startGroupCoordinatorIn (deps: GroupCoordinatorDeps): Promise<StartedGroupCoordinator> {
  const config = groupConfigFrom((name) => {
    if (name === 'group.consumer.assignors') return deps.config.list(name)
    if (name === 'group.consumer.migration.policy') return deps.config.string(name)
    return deps.config.int(name)
  })
  const cluster = deps.cluster
  const existing = cluster === undefined ? deps.replicas.topic(OFFSETS_TOPIC) : undefined
  const inCluster = cluster?.snapshot().topics.get(OFFSETS_TOPIC)?.partitions.length
  if (existing !== undefined) config.offsetsTopicNumPartitions = existing.partitions.length
  if (inCluster !== undefined) config.offsetsTopicNumPartitions = inCluster
  const logger = deps.logger.child({ component: 'group-coordinator' })
  const spec = {
    name: OFFSETS_TOPIC,
    partitions: config.offsetsTopicNumPartitions,
    segmentBytes: config.offsetsTopicSegmentBytes,
    compressionType: 'producer'
  }
  const leadership = cluster === undefined
    ? null
    : new CoordinatorLeadership(OFFSETS_TOPIC, {
      minInsyncReplicas: () => topicSettings(deps.replicas.topic(OFFSETS_TOPIC)?.info.configs ?? {}, deps.config).minInsyncReplicas,
      timeoutMs: deps.config.int('offsets.commit.timeout.ms')
    }, logger)
  const groupConfigs = new GroupConfigs(deps.config.logDirs[0] ?? null, groupConfigBounds(config), shareGroupConfigDefs(deps.config))
  await groupConfigs.load()
  const runtime = new GroupCoordinatorRuntime({
    groupConfigs,
    config,
    logger,
    topicExists: () => deps.replicas.topic(OFFSETS_TOPIC) !== undefined,
    topics: {
      byName: (name) => deps.replicas.topic(name)?.info,
      byId: (id) => deps.replicas.topicById(id)?.info,
      all: () => deps.replicas.topics().map((t) => t.info)
    },
    ...(cluster === undefined || leadership === null
      ? { openLog: internalTopicLogs(deps.replicas, spec, logger) }
      : {
          openLog: leadership.openLog,
          ownership: 'elected' as const,
          prepare: async () => {
            await ensureInternalTopic(deps.replicas, { ...spec, replicationFactor: Math.min(config.offsetsTopicReplicationFactor, Math.max(1, cluster.liveBrokers)) })
          }
        })
  })
  leadership?.attach(runtime)
  const coordinator = new GroupCoordinator(runtime, logger)
  if (existing !== undefined) {
    await coordinator.ready()
    logger.info({ partitions: config.offsetsTopicNumPartitions }, 'group coordinator loaded')
  }
  return { coordinator, leadership }
}
