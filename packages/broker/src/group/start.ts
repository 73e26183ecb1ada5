// Starting the group coordinator inside a broker: make sure `__consumer_offsets` exists
// (offsets.topic.num.partitions partitions, compacted, as Kafka creates it; a single broker caps
// the replication factor at 1), then replay every partition. The partition count of an existing
// topic wins over the config, as in Kafka: it decides which partition owns which group.
import type { BrokerConfig } from '../config/broker-config.js'
import type { Logger } from '@brook/common'
import type { ReplicaManager } from '../partition/replica-manager.js'
import { groupConfigBounds, groupConfigFrom, OFFSETS_TOPIC } from './config.js'
import { GroupConfigs } from './group-configs.js'
import { GroupCoordinator } from './coordinator.js'
import { internalTopicLogs } from '../coordinator/internal-topic.js'
import { GroupCoordinatorRuntime } from './runtime.js'
import { shareGroupConfigDefs } from '../share/config.js'

export interface GroupCoordinatorDeps {
  replicas: ReplicaManager
  config: BrokerConfig
  logger: Logger
}

/**
 * Creates the coordinator. When `__consumer_offsets` exists it is loaded before this resolves (the
 * groups of a restarted broker are back before clients connect); otherwise the topic is created and
 * loaded on first use (Kafka creates it on the first FindCoordinator for a group), so brokers
 * that never see a group do not pay for 50 partitions.
 */
export async function startGroupCoordinator (deps: GroupCoordinatorDeps): Promise<GroupCoordinator> {
  const config = groupConfigFrom((name) => {
    if (name === 'group.consumer.assignors') return deps.config.list(name)
    if (name === 'group.consumer.migration.policy') return deps.config.string(name)
    return deps.config.int(name)
  })
  const existing = deps.replicas.topic(OFFSETS_TOPIC)
  if (existing !== undefined) config.offsetsTopicNumPartitions = existing.partitions.length
  const logger = deps.logger.child({ component: 'group-coordinator' })
  const groupConfigs = new GroupConfigs(deps.config.logDirs[0] ?? null, groupConfigBounds(config), shareGroupConfigDefs(deps.config))
  await groupConfigs.load()
  const runtime = new GroupCoordinatorRuntime({
    groupConfigs,
    config,
    logger,
    topics: {
      byName: (name) => deps.replicas.topic(name)?.info,
      byId: (id) => deps.replicas.topicById(id)?.info,
      all: () => deps.replicas.topics().map((t) => t.info)
    },
    openLog: internalTopicLogs(deps.replicas, {
      name: OFFSETS_TOPIC,
      partitions: config.offsetsTopicNumPartitions,
      segmentBytes: config.offsetsTopicSegmentBytes,
      compressionType: 'producer'
    }, logger)
  })
  const coordinator = new GroupCoordinator(runtime, logger)
  if (existing !== undefined) {
    await coordinator.ready()
    logger.info({ partitions: config.offsetsTopicNumPartitions }, 'group coordinator loaded')
  }
  return coordinator
}
