import type { GroupConfigBounds } from './group-configs.js'

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
  /** group.consumer.session.timeout.ms */
  consumerSessionTimeoutMs: number
  /** group.consumer.heartbeat.interval.ms */
  consumerHeartbeatIntervalMs: number
  /** group.consumer.max.size */
  consumerMaxSize: number
  /** group.consumer.min.session.timeout.ms */
  consumerMinSessionTimeoutMs: number
  /** group.consumer.max.session.timeout.ms */
  consumerMaxSessionTimeoutMs: number
  /** group.consumer.min.heartbeat.interval.ms */
  consumerMinHeartbeatIntervalMs: number
  /** group.consumer.max.heartbeat.interval.ms */
  consumerMaxHeartbeatIntervalMs: number
  /** group.consumer.assignors (short names; the first is the default) */
  consumerAssignors: string[]
  /** group.consumer.migration.policy: which online conversions between classic and consumer groups happen. */
  consumerMigrationPolicy: MigrationPolicy
  /** A member that joined but never completed its first rebalance is dropped after this long (Kafka: 5 min, not configurable). */
  newMemberJoinTimeoutMs: number
}

export const MIGRATION_POLICIES = ['disabled', 'upgrade', 'downgrade', 'bidirectional'] as const
export type MigrationPolicy = typeof MIGRATION_POLICIES[number]

export function upgradeEnabled (policy: MigrationPolicy): boolean {
  return policy === 'upgrade' || policy === 'bidirectional'
}

export function downgradeEnabled (policy: MigrationPolicy): boolean {
  return policy === 'downgrade' || policy === 'bidirectional'
}

function isMigrationPolicy (value: string): value is MigrationPolicy {
  return (MIGRATION_POLICIES as readonly string[]).includes(value)
}

type NumericField = { [K in keyof GroupCoordinatorConfig]: GroupCoordinatorConfig[K] extends number ? K : never }[keyof GroupCoordinatorConfig]

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
  newMemberJoinTimeoutMs: 5 * 60 * 1000,
  consumerSessionTimeoutMs: 45000,
  consumerHeartbeatIntervalMs: 5000,
  consumerMaxSize: 2147483647,
  consumerMinSessionTimeoutMs: 45000,
  consumerMaxSessionTimeoutMs: 60000,
  consumerMinHeartbeatIntervalMs: 5000,
  consumerMaxHeartbeatIntervalMs: 15000,
  consumerAssignors: ['uniform', 'range'],
  consumerMigrationPolicy: 'bidirectional'
}

/** Kafka config name -> field, for building the view from the broker's properties. */
export const GROUP_CONFIG_NAMES: Readonly<Record<string, NumericField>> = {
  'group.min.session.timeout.ms': 'minSessionTimeoutMs',
  'group.max.session.timeout.ms': 'maxSessionTimeoutMs',
  'group.initial.rebalance.delay.ms': 'initialRebalanceDelayMs',
  'group.max.size': 'maxSize',
  'offsets.topic.num.partitions': 'offsetsTopicNumPartitions',
  'offsets.topic.replication.factor': 'offsetsTopicReplicationFactor',
  'offsets.topic.segment.bytes': 'offsetsTopicSegmentBytes',
  'offsets.retention.check.interval.ms': 'offsetsRetentionCheckIntervalMs',
  'offset.metadata.max.bytes': 'offsetMetadataMaxBytes',
  'group.consumer.session.timeout.ms': 'consumerSessionTimeoutMs',
  'group.consumer.heartbeat.interval.ms': 'consumerHeartbeatIntervalMs',
  'group.consumer.max.size': 'consumerMaxSize',
  'group.consumer.min.session.timeout.ms': 'consumerMinSessionTimeoutMs',
  'group.consumer.max.session.timeout.ms': 'consumerMaxSessionTimeoutMs',
  'group.consumer.min.heartbeat.interval.ms': 'consumerMinHeartbeatIntervalMs',
  'group.consumer.max.heartbeat.interval.ms': 'consumerMaxHeartbeatIntervalMs'
}

/** The bounds per-group configs are checked against. */
export function groupConfigBounds (c: GroupCoordinatorConfig): GroupConfigBounds {
  return {
    consumerSessionTimeoutMs: c.consumerSessionTimeoutMs,
    consumerHeartbeatIntervalMs: c.consumerHeartbeatIntervalMs,
    minSessionTimeoutMs: c.consumerMinSessionTimeoutMs,
    maxSessionTimeoutMs: c.consumerMaxSessionTimeoutMs,
    minHeartbeatIntervalMs: c.consumerMinHeartbeatIntervalMs,
    maxHeartbeatIntervalMs: c.consumerMaxHeartbeatIntervalMs
  }
}

/** Kafka accepts the assignors' class names too; the coordinator works with the short names. */
export function assignorShortName (name: string): string {
  const simple = name.slice(name.lastIndexOf('.') + 1)
  if (simple === 'UniformAssignor') return 'uniform'
  if (simple === 'RangeAssignor') return 'range'
  return name
}

/**
 * Builds the coordinator's view from broker properties (already-parsed numbers keyed by Kafka
 * name). offsets.retention.minutes is converted to ms; unknown names are ignored.
 */
export function groupConfigFrom (get: (name: string) => unknown): GroupCoordinatorConfig {
  const config: GroupCoordinatorConfig = { ...DEFAULT_GROUP_CONFIG, consumerAssignors: [...DEFAULT_GROUP_CONFIG.consumerAssignors] }
  const assignors = get('group.consumer.assignors')
  if (Array.isArray(assignors) && assignors.length > 0) config.consumerAssignors = assignors.map((a) => assignorShortName(String(a).trim()))
  // Kafka compares the policy case-insensitively (BIDIRECTIONAL and bidirectional alike).
  const policy = get('group.consumer.migration.policy')
  if (typeof policy === 'string' && isMigrationPolicy(policy.toLowerCase())) config.consumerMigrationPolicy = policy.toLowerCase() as MigrationPolicy
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
