// What a share group runs with: the broker's group.share.* settings, overridden per group by the
// GROUP config resource (Kafka 4.2's share.* group configs, kept by the group coordinator's
// GroupConfigs), plus Brook's redelivery back-off. Read at each use, so an override applies to the
// next acquisition, lock or heartbeat.
import type { BrokerConfig } from '../config/broker-config.js'
import type { GroupConfigDef, GroupConfigs } from '../group/group-configs.js'

export interface ShareSettings {
  sessionTimeoutMs: number
  heartbeatIntervalMs: number
  recordLockDurationMs: number
  deliveryCountLimit: number
  maxRecordLocks: number
  autoOffsetReset: 'earliest' | 'latest'
  isolationLevel: 'read_uncommitted' | 'read_committed'
  backoffMs: number
  backoffMaxMs: number
  backoffMultiplier: number
  /** KIP-1191: the group's dead-letter topic ('' = none) and whether DLQ records copy the original. */
  deadLetterTopic: string
  deadLetterCopyRecord: boolean
}

/** Share group configs on the GROUP resource, with their broker defaults and bounds. */
export function shareGroupConfigDefs (config: BrokerConfig): GroupConfigDef[] {
  const int = (name: string, brokerName: string, min: string, max: string): GroupConfigDef => ({
    name,
    brokerDefault: () => config.int(brokerName),
    range: () => [config.int(min), config.int(max)],
    boundNames: [min, max]
  })
  const open = (name: string, brokerName: string): GroupConfigDef => ({
    name,
    brokerDefault: () => config.int(brokerName),
    range: () => [0, 2147483647],
    boundNames: ['0', String(2147483647)]
  })
  return [
    int('share.session.timeout.ms', 'group.share.session.timeout.ms', 'group.share.min.session.timeout.ms', 'group.share.max.session.timeout.ms'),
    int('share.heartbeat.interval.ms', 'group.share.heartbeat.interval.ms', 'group.share.min.heartbeat.interval.ms', 'group.share.max.heartbeat.interval.ms'),
    int('share.record.lock.duration.ms', 'group.share.record.lock.duration.ms', 'group.share.min.record.lock.duration.ms', 'group.share.max.record.lock.duration.ms'),
    int('share.delivery.count.limit', 'group.share.delivery.count.limit', 'group.share.min.delivery.count.limit', 'group.share.max.delivery.count.limit'),
    { name: 'share.auto.offset.reset', brokerDefault: () => 'latest', range: () => [0, 0], boundNames: ['', ''], allowed: ['earliest', 'latest'] },
    { name: 'share.isolation.level', brokerDefault: () => 'read_uncommitted', range: () => [0, 0], boundNames: ['', ''], allowed: ['read_uncommitted', 'read_committed'] },
    { name: 'errors.deadletterqueue.topic.name', brokerDefault: () => '', range: () => [0, 0], boundNames: ['', ''], allowed: [] },
    { name: 'errors.deadletterqueue.copy.record.enable', brokerDefault: () => 'false', range: () => [0, 0], boundNames: ['', ''], allowed: ['true', 'false'] },
    open('share.delivery.backoff.ms', 'share.delivery.backoff.ms'),
    open('share.delivery.backoff.max.ms', 'share.delivery.backoff.max.ms')
  ]
}

export function shareSettings (config: BrokerConfig, groups: GroupConfigs | undefined, groupId: string): ShareSettings {
  const text = (name: string, fallback: string): string => {
    try {
      return groups?.text(groupId, name) ?? fallback
    } catch {
      // The group configs know no share configs (a coordinator built without them): broker values.
      return fallback
    }
  }
  const int = (name: string, brokerName: string): number => Number(text(name, String(config.int(brokerName))))
  const reset = text('share.auto.offset.reset', 'latest')
  const isolation = text('share.isolation.level', 'read_uncommitted')
  return {
    sessionTimeoutMs: int('share.session.timeout.ms', 'group.share.session.timeout.ms'),
    heartbeatIntervalMs: int('share.heartbeat.interval.ms', 'group.share.heartbeat.interval.ms'),
    recordLockDurationMs: int('share.record.lock.duration.ms', 'group.share.record.lock.duration.ms'),
    deliveryCountLimit: int('share.delivery.count.limit', 'group.share.delivery.count.limit'),
    maxRecordLocks: config.int('group.share.partition.max.record.locks'),
    autoOffsetReset: reset === 'earliest' ? 'earliest' : 'latest',
    isolationLevel: isolation === 'read_committed' ? 'read_committed' : 'read_uncommitted',
    backoffMs: int('share.delivery.backoff.ms', 'share.delivery.backoff.ms'),
    backoffMaxMs: int('share.delivery.backoff.max.ms', 'share.delivery.backoff.max.ms'),
    backoffMultiplier: Number(config.raw('share.delivery.backoff.multiplier') ?? '2'),
    deadLetterTopic: text('errors.deadletterqueue.topic.name', ''),
    deadLetterCopyRecord: text('errors.deadletterqueue.copy.record.enable', 'false') === 'true'
  }
}

/** Brook's redelivery back-off: backoffMs × multiplier^(deliveries − 1), capped; 0 when off. */
export function redeliveryBackoff (s: ShareSettings, deliveryCount: number): number {
  if (s.backoffMs <= 0) return 0
  const delay = s.backoffMs * Math.pow(s.backoffMultiplier, Math.max(0, deliveryCount - 1))
  return Math.min(delay, s.backoffMaxMs)
}
