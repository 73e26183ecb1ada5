// Topic-level configs: the full list Kafka returns from DescribeConfigs for a topic, each with its
// broker-level synonyms (the broker setting that supplies the default when the topic has no
// override), in Kafka's precedence order. `scale` converts a broker unit into the topic's unit
// (log.retention.hours -> retention.ms).
import { CLEANUP_POLICIES, COMPRESSION_TYPES, TIMESTAMP_TYPES } from './broker-defs.js'
import { atLeast, between, type ConfigDef, listOf, LONG_MAX, oneOf } from './schema.js'

interface Synonym {
  readonly name: string
  readonly scale?: number
}

export interface TopicConfigDef extends ConfigDef {
  readonly synonyms: readonly Synonym[]
}

const HOUR = 3_600_000
const MINUTE = 60_000

function t (name: string, type: ConfigDef['type'], def: string, synonyms: Array<string | Synonym>,
  validate?: ConfigDef['validate']): TopicConfigDef {
  const syns = synonyms.map((syn) => typeof syn === 'string' ? { name: syn } : syn)
  return validate === undefined
    ? { name, type, default: def, synonyms: syns }
    : { name, type, default: def, synonyms: syns, validate }
}

/** Sorted by name, as Kafka lists them. */
export const TOPIC_CONFIG_DEFS: readonly TopicConfigDef[] = [
  t('cleanup.policy', 'list', 'delete', ['log.cleanup.policy'], listOf(...CLEANUP_POLICIES)),
  t('compression.gzip.level', 'int', '-1', ['compression.gzip.level'],
    (v) => typeof v === 'number' && v !== -1 && (v < 1 || v > 9) ? 'Value must be -1 or between 1 and 9' : undefined),
  t('compression.lz4.level', 'int', '9', ['compression.lz4.level'], between(1, 17)),
  t('compression.type', 'string', 'producer', ['compression.type'], oneOf(...COMPRESSION_TYPES)),
  t('compression.zstd.level', 'int', '3', ['compression.zstd.level'], between(-131072, 22)),
  t('delete.retention.ms', 'long', '86400000', ['log.cleaner.delete.retention.ms'], atLeast(0)),
  // Brook's: delayed and scheduled delivery (docs/delivery.md).
  t('delivery.delay.ms', 'long', '0', [], atLeast(0)),
  t('delivery.schedule.enable', 'boolean', 'false', []),
  t('errors.deadletterqueue.group.enable', 'boolean', 'false', []),
  // Brook's: exchanges (docs/exchanges.md); checked together by exchange/bindings.ts.
  t('exchange.alternate.topic', 'string', '', []),
  t('exchange.bindings', 'string', '', []),
  t('exchange.routing.key.header', 'string', '', []),
  t('exchange.type', 'string', '', []),
  t('file.delete.delay.ms', 'long', '60000', ['log.segment.delete.delay.ms'], atLeast(0)),
  t('flush.messages', 'long', LONG_MAX, ['log.flush.interval.messages'], atLeast(1)),
  t('flush.ms', 'long', LONG_MAX, ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'], atLeast(0)),
  t('follower.replication.throttled.replicas', 'list', '', []),
  t('index.interval.bytes', 'int', '4096', ['log.index.interval.bytes'], atLeast(0)),
  t('leader.replication.throttled.replicas', 'list', '', []),
  t('local.retention.bytes', 'long', '-2', ['log.local.retention.bytes'], atLeast(-2)),
  t('local.retention.ms', 'long', '-2', ['log.local.retention.ms'], atLeast(-2)),
  t('max.compaction.lag.ms', 'long', LONG_MAX, ['log.cleaner.max.compaction.lag.ms'], atLeast(1)),
  t('max.message.bytes', 'int', '1048588', ['message.max.bytes'], atLeast(0)),
  t('message.downconversion.enable', 'boolean', 'true', ['log.message.downconversion.enable']),
  t('message.format.version', 'string', '3.0-IV1', ['log.message.format.version']),
  t('message.timestamp.after.max.ms', 'long', LONG_MAX, ['log.message.timestamp.after.max.ms'], atLeast(0)),
  t('message.timestamp.before.max.ms', 'long', LONG_MAX, ['log.message.timestamp.before.max.ms'], atLeast(0)),
  t('message.timestamp.difference.max.ms', 'long', LONG_MAX, ['log.message.timestamp.difference.max.ms'], atLeast(0)),
  t('message.timestamp.type', 'string', 'CreateTime', ['log.message.timestamp.type'], oneOf(...TIMESTAMP_TYPES)),
  t('message.ttl.ms', 'long', '-1', [], atLeast(-1)),
  t('min.cleanable.dirty.ratio', 'double', '0.5', ['log.cleaner.min.cleanable.ratio'], between(0, 1)),
  t('min.compaction.lag.ms', 'long', '0', ['log.cleaner.min.compaction.lag.ms'], atLeast(0)),
  t('min.insync.replicas', 'int', '1', ['min.insync.replicas'], atLeast(1)),
  t('preallocate', 'boolean', 'false', ['log.preallocate']),
  t('remote.log.copy.disable', 'boolean', 'false', []),
  t('remote.log.delete.on.disable', 'boolean', 'false', []),
  t('remote.storage.enable', 'boolean', 'false', []),
  t('retention.bytes', 'long', '-1', ['log.retention.bytes']),
  t('retention.ms', 'long', '604800000',
    ['log.retention.ms', { name: 'log.retention.minutes', scale: MINUTE }, { name: 'log.retention.hours', scale: HOUR }],
    atLeast(-1)),
  t('segment.bytes', 'int', '1073741824', ['log.segment.bytes'], atLeast(14)),
  t('segment.index.bytes', 'int', '10485760', ['log.index.size.max.bytes'], atLeast(4)),
  t('segment.jitter.ms', 'long', '0', ['log.roll.jitter.ms', { name: 'log.roll.jitter.hours', scale: HOUR }], atLeast(0)),
  t('segment.ms', 'long', '604800000', ['log.roll.ms', { name: 'log.roll.hours', scale: HOUR }], atLeast(1)),
  t('unclean.leader.election.enable', 'boolean', 'false', ['unclean.leader.election.enable'])
]
