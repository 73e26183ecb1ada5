// Settings of the group coordinator, with Kafka's broker config names and defaults. The broker's
// config module owns parsing; this is the typed view the coordinator reads.

export interface GroupCoordinatorConfig {
  /** group.min.session.timeout.ms */
  minSessionTimeoutMs: number
  /** group.max.session.timeout.ms */
  maxSessionTimeoutMs: number
  /** group.initial.rebalance.delay.ms */
  initialRebalanceDelayMs: number
  /** group.max.size */
  maxSize: number
  /** offsets.topic.num.partitions */
  offsetsTopicNumPartitions: number
  /** offsets.topic.replication.factor */
  offsetsTopicReplicationFactor: number
  /** offsets.topic.segment.bytes */
  offsetsTopicSegmentBytes: number
  /** offsets.retention.minutes, in ms */
  offsetsRetentionMs: number
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number
  /** A member that joined but never completed its first rebalance is dropped after this long (Kafka: 5 min, not configurable). */
  newMemberJoinTimeoutMs: number
}

export const OFFSETS_TOPIC = '__consumer_offsets'

export const DEFAULT_GROUP_CONFIG: Readonly<GroupCoordinatorConfig> = {
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1800000,
  initialRebalanceDelayMs: 3000,
  maxSize: 2147483647,
  offsetsTopicNumPartitions: 50,
  offsetsTopicReplicationFactor: 3,
  offsetsTopicSegmentBytes: 104857600,
  offsetsRetentionMs: 10080 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600000,
  offsetMetadataMaxBytes: 4096,
  newMemberJoinTimeoutMs: 5 * 60 * 1000
}

/** Kafka config name -> field, for building the view from the broker's properties. */
const GROUP_CONFIG_NAMES: Readonly<Record<string, keyof GroupCoordinatorConfig>> = {
  'group.min.session.timeout.ms': 'minSessionTimeoutMs',
  'group.max.session.timeout.ms': 'maxSessionTimeoutMs',
  'group.initial.rebalance.delay.ms': 'initialRebalanceDelayMs',
  'group.max.size': 'maxSize',
  'offsets.topic.num.partitions': 'offsetsTopicNumPartitions',
  'offsets.topic.replication.factor': 'offsetsTopicReplicationFactor',
  'offsets.topic.segment.bytes': 'offsetsTopicSegmentBytes',
  'offsets.retention.check.interval.ms': 'offsetsRetentionCheckIntervalMs',
  'offset.metadata.max.bytes': 'offsetMetadataMaxBytes'
}

/**
 * Builds the coordinator's view from broker properties (already-parsed numbers keyed by Kafka
 * name). offsets.retention.minutes is converted to ms; unknown names are ignored.
 */
export function groupConfigFrom (get: (name: string) => unknown): GroupCoordinatorConfig {
  const config: GroupCoordinatorConfig = { ...DEFAULT_GROUP_CONFIG }
  for (const [name, field] of Object.entries(GROUP_CONFIG_NAMES)) {
    const value = get(name)
    if (typeof value === 'number' && Number.isFinite(value)) config[field] = value
  }
  const retentionMinutes = get('offsets.retention.minutes')
  if (typeof retentionMinutes === 'number' && Number.isFinite(retentionMinutes)) {
    config.offsetsRetentionMs = retentionMinutes * 60 * 1000
  }
  return config
}
