// Config entries as DescribeConfigs (and CreateTopics v5+) report them: every config of the
// resource with its value, source, flags and synonyms, as Kafka does (TRAPS #10).
import type { BrokerConfig } from './broker-config.js'
import { BROKER_DEFS } from './broker-config.js'
import type { ConfigType } from './schema.js'
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

/** The broker's own configs. Brook has no dynamic broker configs: every one is read-only. */
export function describeBrokerConfigs (broker: BrokerConfig): DescribedConfig[] {
  return [...BROKER_DEFS.values()]
    .sort((a, b) => a.name < b.name ? -1 : 1)
    .map((def) => {
      const sensitive = def.type === 'password'
      const source = broker.isSet(def.name) ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG
      const value = sensitive ? null : broker.raw(def.name)
      return {
        name: def.name,
        value,
        readOnly: true,
        isDefault: source === ConfigSource.DEFAULT_CONFIG,
        configSource: source,
        isSensitive: sensitive,
        synonyms: [{ name: def.name, value, source }],
        configType: CONFIG_TYPE_CODES[def.type],
        documentation: null
      }
    })
}
