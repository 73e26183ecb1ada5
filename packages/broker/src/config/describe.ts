// Config entries as DescribeConfigs (and CreateTopics v5+) report them: every config of the
// resource with its value, source, flags, synonyms (Kafka's rule: synonyms.ts) and
// documentation, as Kafka does.
import type { BrokerConfig } from './broker-config.js'
import { BROKER_DEFS } from './broker-config.js'
import { brokerDocumentation, topicDocumentation } from './documentation.js'
import type { ConfigDef, ConfigType } from './schema.js'
import { baseDefOf, isDynamicBrokerConfig } from './dynamic-rules.js'
import { brokerConfigSynonyms, brokerSynonymEntries, ConfigSource, type ConfigSynonymEntry } from './synonyms.js'
import { resolveAllTopicConfigs, type TopicOverrides } from './topic-config.js'

/** DescribeConfigs resource types (Kafka's ConfigResource.Type). */
export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const

/** DescribeConfigs config_type (v3+); 0 is UNKNOWN. */
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
    documentation: topicDocumentation(c.def.name)
  }))
}

/** One broker config (a known name, or a listener-prefixed one) as Kafka's createBrokerConfigEntry. */
function brokerEntry (broker: BrokerConfig, name: string, def: ConfigDef | undefined, value: string | null, perBroker: boolean): DescribedConfig {
  const sensitive = def?.type === 'password'
  const synonyms = brokerSynonymEntries(broker, name, brokerConfigSynonyms(name), sensitive)
    .filter((s) => perBroker || s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
  const source = synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG
  return {
    name,
    value: sensitive ? null : value,
    readOnly: !isDynamicBrokerConfig(name),
    isDefault: source === ConfigSource.DEFAULT_CONFIG,
    configSource: source,
    isSensitive: sensitive,
    synonyms,
    configType: def === undefined ? 0 : CONFIG_TYPE_CODES[def.type],
    documentation: brokerDocumentation(name)
  }
}

/** Dynamic settings whose names are not config names of their own (listener.name.<l>.<config>). */
function prefixedDynamicNames (broker: BrokerConfig): string[] {
  return [...new Set([...broker.dynamic('broker').keys(), ...broker.dynamic('default').keys()])].filter((n) => !BROKER_DEFS.has(n))
}

/** The broker's own configs: every one, with its effective value; the dynamic ones are not read-only. */
export function describeBrokerConfigs (broker: BrokerConfig): DescribedConfig[] {
  const known = [...BROKER_DEFS.values()].map((def) => brokerEntry(broker, def.name, def, broker.raw(def.name), true))
  const prefixed = prefixedDynamicNames(broker).map((name) =>
    brokerEntry(broker, name, baseDefOf(name), broker.dynamic('broker').get(name) ?? broker.dynamic('default').get(name) ?? null, true))
  return [...known, ...prefixed].sort((a, b) => a.name < b.name ? -1 : 1)
}

/** The cluster-default resource (empty name): only the dynamic defaults, as Kafka lists them. */
export function describeDefaultBrokerConfigs (broker: BrokerConfig): DescribedConfig[] {
  return [...broker.dynamic('default').entries()]
    .sort(([a], [b]) => a < b ? -1 : 1)
    .map(([name, value]) => brokerEntry(broker, name, BROKER_DEFS.get(name) ?? baseDefOf(name), value, false))
}
