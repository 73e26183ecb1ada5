// Config entries as DescribeConfigs (and CreateTopics v5+) report them: every config of the
// resource with its value, source, flags and synonyms, as Kafka does.
import type { BrokerConfig } from './broker-config.js'
import { BROKER_DEFS } from './broker-config.js'
import type { ConfigType } from './schema.js'
import { DYNAMIC_BROKER_CONFIGS } from './dynamic-configs.js'
import { ConfigSource, type ConfigSynonymEntry, resolveAllTopicConfigs, type TopicOverrides } from './topic-config.js'

/** DescribeConfigs resource types (Kafka's ConfigResource.Type). */
export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const

/** DescribeConfigs config_type (v3+). */
const CONFIG_TYPE_CODES: Readonly<Record<ConfigType, number>> = {
  boolean: 1, string: 2, int: 3, short: 4, long: 5, double: 6, list: 7, class: 8, password: 9
}

export interface DescribedConfig {
  name: string
  value: string | null
  readOnly: boolean
  isDefault: boolean
  configSource: number
  isSensitive: boolean
  synonyms: ConfigSynonymEntry[]
  configType: number
  documentation: string | null
}

export function describeTopicConfigs (overrides: TopicOverrides, broker: BrokerConfig): DescribedConfig[] {
  return resolveAllTopicConfigs(overrides, broker).map((c) => ({
    name: c.def.name,
    value: c.value,
    readOnly: false,
    isDefault: c.source === ConfigSource.DEFAULT_CONFIG,
    configSource: c.source,
    isSensitive: false,
    synonyms: c.synonyms,
    configType: CONFIG_TYPE_CODES[c.def.type],
    documentation: null
  }))
}

/** A broker config's layers, most specific first (Kafka lists a broker config's synonyms so). */
function brokerLayers (broker: BrokerConfig, name: string): ConfigSynonymEntry[] {
  const entries: ConfigSynonymEntry[] = []
  const dynamicBroker = broker.dynamic('broker').get(name)
  if (dynamicBroker !== undefined) entries.push({ name, value: dynamicBroker, source: ConfigSource.DYNAMIC_BROKER_CONFIG })
  const dynamicDefault = broker.dynamic('default').get(name)
  if (dynamicDefault !== undefined) entries.push({ name, value: dynamicDefault, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG })
  const fixed = broker.originals.get(name)
  if (fixed !== undefined) entries.push({ name, value: fixed, source: ConfigSource.STATIC_BROKER_CONFIG })
  const builtin = broker.defaultValue(name)
  if (builtin !== null) entries.push({ name, value: builtin, source: ConfigSource.DEFAULT_CONFIG })
  return entries
}

/** The broker's own configs: every one, with its effective value; the dynamic ones are not read-only. */
export function describeBrokerConfigs (broker: BrokerConfig): DescribedConfig[] {
  return [...BROKER_DEFS.values()]
    .sort((a, b) => a.name < b.name ? -1 : 1)
    .map((def) => {
      const sensitive = def.type === 'password'
      const layers = brokerLayers(broker, def.name)
      const source = layers[0]?.source ?? ConfigSource.DEFAULT_CONFIG
      return {
        name: def.name,
        value: sensitive ? null : broker.raw(def.name),
        readOnly: !DYNAMIC_BROKER_CONFIGS.has(def.name),
        isDefault: source === ConfigSource.DEFAULT_CONFIG,
        configSource: source,
        isSensitive: sensitive,
        synonyms: sensitive ? layers.map((l) => ({ ...l, value: null })) : layers,
        configType: CONFIG_TYPE_CODES[def.type],
        documentation: null
      }
    })
}

/** The cluster-default resource (empty name): only the dynamic defaults, as Kafka lists them. */
export function describeDefaultBrokerConfigs (broker: BrokerConfig): DescribedConfig[] {
  return [...broker.dynamic('default').entries()]
    .sort(([a], [b]) => a < b ? -1 : 1)
    .map(([name, value]) => {
      const def = BROKER_DEFS.get(name)
      const source = ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG
      return {
        name,
        value,
        readOnly: false,
        isDefault: false,
        configSource: source,
        isSensitive: false,
        synonyms: [{ name, value, source }],
        configType: def === undefined ? 0 : CONFIG_TYPE_CODES[def.type],
        documentation: null
      }
    })
}
