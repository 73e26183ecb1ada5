// Starting share groups inside a broker: the share service over `__share_group_state`
// (share.coordinator.state.topic.num.partitions partitions, compacted: every record is a whole
// snapshot of one share-partition, so compaction keeps exactly what a load needs). When the topic
// exists it is loaded before this resolves, so a restarted broker has every record's state before
// clients connect; otherwise it is created on first use.
import type { Logger } from '@brook/common'
import type { BrokerConfig } from '../config/broker-config.js'
import { internalTopicLogs } from '../coordinator/internal-topic.js'
import type { GroupCoordinator } from '../group/coordinator.js'
import type { FetchPurgatory } from '../purgatory/delayed-fetch.js'
import type { ReplicaManager } from '../partition/replica-manager.js'
import { ShareService } from './service.js'
import { SHARE_STATE_TOPIC } from './state/store.js'

export interface ShareServiceStartDeps {
  config: BrokerConfig
  replicas: ReplicaManager
  purgatory: FetchPurgatory
  groups: GroupCoordinator
  logger: Logger
}

export async function startShareService (deps: ShareServiceStartDeps): Promise<ShareService> {
  const logger = deps.logger.child({ component: 'share-coordinator' })
  const existing = deps.replicas.topic(SHARE_STATE_TOPIC)
  const partitions = existing?.partitions.length ?? deps.config.int('share.coordinator.state.topic.num.partitions')
  const service = new ShareService({
    config: deps.config,
    replicas: deps.replicas,
    purgatory: deps.purgatory,
    groupConfigs: deps.groups.runtime.groupConfigs,
    isOtherGroup: (groupId) => deps.groups.runtime.activeShards().some((s) => s.groups.has(groupId) || s.consumerGroups.has(groupId)),
    stateTopicPartitions: partitions,
    openStateLog: internalTopicLogs(deps.replicas, {
      name: SHARE_STATE_TOPIC,
      partitions,
      segmentBytes: deps.config.int('share.coordinator.state.topic.segment.bytes'),
      compressionType: 'producer'
    }, logger),
    logger
  })
  if (existing !== undefined) {
    await service.store.start()
    logger.info({ partitions }, 'share coordinator loaded')
  }
  return service
}
