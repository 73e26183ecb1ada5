// A topic's effective configuration: its overrides, else the broker synonyms, else Kafka's
// default; with the source and synonym chain DescribeConfigs reports, and the mapping to the
// storage LogConfig.
import type { LogConfig } from '@brook/storage'
import type { BrokerConfig } from './broker-config.js'
import { ConfigError, type ConfigValue, indexDefs, parseConfigValue } from './schema.js'
import { brokerConfigSynonyms, brokerSynonymEntries, ConfigSource, type ConfigSynonymEntry } from './synonyms.js'
import { TOPIC_CONFIG_DEFS, type TopicConfigDef } from './topic-defs.js'

export { ConfigSource, type ConfigSynonymEntry } from './synonyms.js'

export const TOPIC_DEFS = indexDefs(TOPIC_CONFIG_DEFS) as ReadonlyMap<string, TopicConfigDef>

export interface ResolvedConfig {
  def: TopicConfigDef
  value: string | null
  source: number
  /** Most specific first: the topic override, then broker settings, then defaults. */
  synonyms: ConfigSynonymEntry[]
}

export type TopicOverrides = Readonly<Record<string, string>>

/** Throws ConfigError (INVALID_CONFIG) for an unknown name or a value that does not validate. */
export function validateTopicOverrides (overrides: TopicOverrides): void {
  for (const [name, value] of Object.entries(overrides)) {
    const def = TOPIC_DEFS.get(name)
    if (def === undefined) throw new ConfigError(name, `Unknown topic config name: ${name}`)
    parseConfigValue(def, value)
  }
}

/**
 * The broker-level value a topic config falls back to, as Kafka computes it: the first of its
 * broker synonyms (log.retention.ms, then .minutes, then .hours) that has a value in any layer
 * (dynamic per-broker, dynamic default, static, Kafka's default), in the topic's unit.
 */
function brokerValue (def: TopicConfigDef, broker: BrokerConfig): string | null {
  for (const syn of def.synonyms) {
    const value = broker.raw(syn.name)
    if (value === null) continue
    if (syn.scale === undefined) return value
    // Kafka treats any negative retention or roll time as "unlimited" (-1).
    const n = Number(value)
    return n < 0 ? '-1' : String(n * syn.scale)
  }
  return null
}

export function resolveTopicConfig (name: string, overrides: TopicOverrides, broker: BrokerConfig): ResolvedConfig {
  const def = TOPIC_DEFS.get(name)
  if (def === undefined) throw new ConfigError(name, `Unknown topic config name: ${name}`)
  const primary = def.synonyms[0]?.name
  const fromBroker = primary === undefined ? [] : brokerSynonymEntries(broker, primary, brokerConfigSynonyms(primary), false)
  const override = overrides[name]
  if (override !== undefined) {
    return {
      def,
      value: override,
      source: ConfigSource.DYNAMIC_TOPIC_CONFIG,
      synonyms: [{ name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG }, ...fromBroker]
    }
  }
  return { def, value: brokerValue(def, broker) ?? def.default, source: fromBroker[0]?.source ?? ConfigSource.DEFAULT_CONFIG, synonyms: fromBroker }
}

/** Every topic config, sorted by name, as DescribeConfigs lists them. */
export function resolveAllTopicConfigs (overrides: TopicOverrides, broker: BrokerConfig): ResolvedConfig[] {
  return TOPIC_CONFIG_DEFS.map((def) => resolveTopicConfig(def.name, overrides, broker))
}

export function topicConfigValue (name: string, overrides: TopicOverrides, broker: BrokerConfig): ConfigValue {
  const resolved = resolveTopicConfig(name, overrides, broker)
  return parseConfigValue(resolved.def, resolved.value)
}

function num (name: string, overrides: TopicOverrides, broker: BrokerConfig): number {
  const value = topicConfigValue(name, overrides, broker)
  if (typeof value !== 'number') throw new Error(`BROOK_CONFIG_TYPE: ${name} has no number value`)
  return value
}

/** The typed settings the broker itself acts on per topic (beyond what storage reads). */
export interface TopicSettings {
  maxMessageBytes: number
  compressionType: string
  messageTimestampType: 'CreateTime' | 'LogAppendTime'
  minInsyncReplicas: number
  /** message.timestamp.before.max.ms / after.max.ms: how far a CreateTime may lie from now. */
  timestampBeforeMaxMs: number
  timestampAfterMaxMs: number
  /** cleanup.policy includes compact: records need a key. */
  compacted: boolean
  /** delivery.delay.ms (Brook's): how long after its append a record becomes visible. */
  deliveryDelayMs: number
  /** delivery.schedule.enable (Brook's): per-record delivery times by header. */
  scheduling: boolean
}

// Produce looks the settings up on every request: resolved once per overrides object (topics get a
// new one when their configs change) and broker config version (dynamic broker configs).
const settingsCache = new WeakMap<TopicOverrides, { broker: BrokerConfig, version: number, settings: TopicSettings }>()

export function topicSettings (overrides: TopicOverrides, broker: BrokerConfig): TopicSettings {
  const cached = settingsCache.get(overrides)
  if (cached !== undefined && cached.broker === broker && cached.version === broker.version) return cached.settings
  const settings = Object.freeze(resolveTopicSettings(overrides, broker))
  settingsCache.set(overrides, { broker, version: broker.version, settings })
  return settings
}

function resolveTopicSettings (overrides: TopicOverrides, broker: BrokerConfig): TopicSettings {
  return {
    maxMessageBytes: num('max.message.bytes', overrides, broker),
    compressionType: String(topicConfigValue('compression.type', overrides, broker)),
    messageTimestampType: topicConfigValue('message.timestamp.type', overrides, broker) === 'LogAppendTime' ? 'LogAppendTime' : 'CreateTime',
    minInsyncReplicas: num('min.insync.replicas', overrides, broker),
    timestampBeforeMaxMs: num('message.timestamp.before.max.ms', overrides, broker),
    timestampAfterMaxMs: num('message.timestamp.after.max.ms', overrides, broker),
    compacted: cleanupPolicyOf(overrides, broker).includes('compact'),
    deliveryDelayMs: num('delivery.delay.ms', overrides, broker),
    scheduling: topicConfigValue('delivery.schedule.enable', overrides, broker) === true
  }
}

function cleanupPolicyOf (overrides: TopicOverrides, broker: BrokerConfig): Array<'delete' | 'compact'> {
  const policy = topicConfigValue('cleanup.policy', overrides, broker)
  return (Array.isArray(policy) ? policy : ['delete'])
    .filter((p): p is 'delete' | 'compact' => p === 'delete' || p === 'compact')
}

export function toLogConfig (overrides: TopicOverrides, broker: BrokerConfig): LogConfig {
  const cleanupPolicy = cleanupPolicyOf(overrides, broker)
  return {
    segmentBytes: num('segment.bytes', overrides, broker),
    segmentMs: num('segment.ms', overrides, broker),
    segmentIndexBytes: num('segment.index.bytes', overrides, broker),
    indexIntervalBytes: num('index.interval.bytes', overrides, broker),
    retentionMs: num('retention.ms', overrides, broker),
    retentionBytes: num('retention.bytes', overrides, broker),
    cleanupPolicy,
    deleteRetentionMs: num('delete.retention.ms', overrides, broker),
    minCleanableDirtyRatio: num('min.cleanable.dirty.ratio', overrides, broker),
    minCompactionLagMs: num('min.compaction.lag.ms', overrides, broker),
    maxCompactionLagMs: num('max.compaction.lag.ms', overrides, broker),
    flushMessages: num('flush.messages', overrides, broker),
    flushMs: num('flush.ms', overrides, broker),
    fileDeleteDelayMs: num('file.delete.delay.ms', overrides, broker),
    messageTimestampType: topicSettings(overrides, broker).messageTimestampType,
    preallocate: topicConfigValue('preallocate', overrides, broker) === true
  }
}
