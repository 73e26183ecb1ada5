// The synonym lists DescribeConfigs reports, by Kafka's rule (ConfigHelper.configSynonyms):
// for a config and the broker names that can set it (brokerConfigSynonyms), every name set in the
// dynamic per-broker layer, then in the dynamic cluster-default layer, then statically, then
// Kafka's non-null defaults; then everything before the first entry carrying the config's own
// (primary) name is dropped. So a topic's retention.ms lists log.retention.ms wherever it is set
// and whatever follows it (e.g. the default log.retention.hours=168), but nothing at all when
// log.retention.ms is not set anywhere, even if log.retention.hours is.
import type { BrokerConfig } from './broker-config.js'
import { BROKER_DEFS } from './broker-config.js'

/** DescribeConfigs config_source values. */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5
} as const

export interface ConfigSynonymEntry {
  name: string
  value: string | null
  source: number
}

/** `listener.name.<listener>.<config>`: a per-listener setting of <config>. */
export const LISTENER_PREFIX = /^listener\.name\.[^.]*\.(.+)$/

/** SASL settings a listener sets per mechanism: listener.name.<l>.<mechanism>.<config>. */
export const LISTENER_MECHANISM_CONFIGS = [
  'sasl.jaas.config', 'sasl.login.callback.handler.class', 'sasl.login.class', 'sasl.server.callback.handler.class',
  'connections.max.reauth.ms'
]

const GROUPS: ReadonlyArray<readonly string[]> = [
  ['log.roll.ms', 'log.roll.hours'],
  ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
  ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours']
]

/** Every broker name that sets `name`'s value, most specific first (Kafka's brokerConfigSynonyms). */
export function brokerConfigSynonyms (name: string): string[] {
  const group = GROUPS.find((g) => g.includes(name))
  if (group !== undefined) return [...group]
  // log.flush.scheduler.interval.ms is log.flush.interval.ms's default, not the other way round.
  if (name === 'log.flush.interval.ms') return [name, 'log.flush.scheduler.interval.ms']
  const listener = LISTENER_PREFIX.exec(name)
  if (listener !== null) {
    const base = listener[1] as string
    return [name, LISTENER_MECHANISM_CONFIGS.find((m) => base.endsWith(m)) ?? base]
  }
  return [name]
}

/**
 * Kafka's synonym list for `primary` over the broker names `names` (see the header). Sensitive
 * values are reported as null.
 */
export function brokerSynonymEntries (broker: BrokerConfig, primary: string, names: readonly string[], sensitive: boolean): ConfigSynonymEntry[] {
  const layers: Array<[number, (name: string) => string | null | undefined]> = [
    [ConfigSource.DYNAMIC_BROKER_CONFIG, (n) => broker.dynamic('broker').get(n)],
    [ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, (n) => broker.dynamic('default').get(n)],
    [ConfigSource.STATIC_BROKER_CONFIG, (n) => broker.originals.get(n)],
    [ConfigSource.DEFAULT_CONFIG, (n) => BROKER_DEFS.get(n)?.default]
  ]
  const entries: ConfigSynonymEntry[] = []
  for (const [source, lookup] of layers) {
    for (const name of names) {
      const value = lookup(name)
      if (value !== undefined && value !== null) entries.push({ name, value: sensitive ? null : value, source })
    }
  }
  const first = entries.findIndex((e) => e.name === primary)
  return first === -1 ? [] : entries.slice(first)
}
