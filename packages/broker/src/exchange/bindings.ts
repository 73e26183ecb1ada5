// An exchange's topic configs (docs/exchanges.md), parsed: exchange.type, exchange.bindings,
// exchange.routing.key.header and exchange.alternate.topic. Bindings are one string so that every
// Kafka admin tool can set them: entries separated by ';', each `destination` (fanout),
// `destination:key` (direct), `destination:pattern` (topic) or `destination:all|any:h1=v1,h2=v2`
// (headers). Topic names cannot hold ':' or ';', so the first ':' ends the destination.
import type { TopicOverrides } from '../config/topic-config.js'
import { ConfigError } from '../config/schema.js'
import { invalidPatternReason } from './topic-pattern.js'

export const EXCHANGE_TYPES = ['direct', 'topic', 'fanout', 'headers'] as const
export type ExchangeType = typeof EXCHANGE_TYPES[number]

export type Binding =
  | { destination: string, kind: 'key', key: string }
  | { destination: string, kind: 'pattern', pattern: string }
  | { destination: string, kind: 'all' }
  | { destination: string, kind: 'headers', match: 'all' | 'any', headers: ReadonlyArray<{ name: string, value: string }> }

export interface ExchangeConfig {
  type: ExchangeType
  bindings: Binding[]
  /** The header whose value is the routing key; null: the record key. */
  routingKeyHeader: string | null
  alternateTopic: string | null
}

const TYPE = 'exchange.type'
const BINDINGS = 'exchange.bindings'
const KEY_HEADER = 'exchange.routing.key.header'
const ALTERNATE = 'exchange.alternate.topic'
export const EXCHANGE_CONFIG_NAMES = [TYPE, BINDINGS, KEY_HEADER, ALTERNATE] as const

/** The topic's exchange config, null for an ordinary topic. Throws ConfigError when invalid. */
export function exchangeConfig (overrides: TopicOverrides): ExchangeConfig | null {
  const type = overrides[TYPE] ?? ''
  if (type === '') {
    for (const name of [BINDINGS, KEY_HEADER, ALTERNATE]) {
      if ((overrides[name] ?? '') !== '') throw new ConfigError(name, `${name} needs ${TYPE} (one of ${EXCHANGE_TYPES.join(', ')})`)
    }
    return null
  }
  if (!(EXCHANGE_TYPES as readonly string[]).includes(type)) throw new ConfigError(TYPE, `Invalid value ${type} for configuration ${TYPE}: String must be one of: ${EXCHANGE_TYPES.join(', ')}`)
  const header = overrides[KEY_HEADER] ?? ''
  const alternate = overrides[ALTERNATE] ?? ''
  return {
    type: type as ExchangeType,
    bindings: parseBindings(type as ExchangeType, overrides[BINDINGS] ?? ''),
    routingKeyHeader: header === '' ? null : header,
    alternateTopic: alternate === '' ? null : alternate
  }
}

/**
 * Checks an exchange's configs against the topics that exist (CreateTopics, AlterConfigs): every
 * destination and the alternate topic must exist and differ from the exchange itself.
 */
export function checkExchangeConfigs (topic: string, overrides: TopicOverrides, exists: (topic: string) => boolean): void {
  const config = exchangeConfig(overrides)
  if (config === null) return
  const targets: Array<[string, string]> = config.bindings.map((b) => [BINDINGS, b.destination])
  if (config.alternateTopic !== null) targets.push([ALTERNATE, config.alternateTopic])
  for (const [name, target] of targets) {
    if (target === topic) throw new ConfigError(name, `Exchange ${topic} cannot route to itself`)
    if (!exists(target)) throw new ConfigError(name, `Destination topic ${target} of exchange ${topic} does not exist (create it first)`)
  }
}

function parseBindings (type: ExchangeType, raw: string): Binding[] {
  const out: Binding[] = []
  for (const entry of raw.split(';').map((e) => e.trim()).filter((e) => e !== '')) {
    const colon = entry.indexOf(':')
    const destination = (colon < 0 ? entry : entry.slice(0, colon)).trim()
    const spec = colon < 0 ? null : entry.slice(colon + 1)
    const bad = (why: string): ConfigError => new ConfigError(BINDINGS, `Invalid binding '${entry}' for a ${type} exchange: ${why}`)
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(destination)) throw bad(`'${destination}' is not a valid topic name`)
    switch (type) {
      case 'fanout':
        if (spec !== null) throw bad('a fanout binding names only its destination topic')
        out.push({ destination, kind: 'all' })
        break
      case 'direct':
        if (spec === null) throw bad('expected destination:key')
        out.push({ destination, kind: 'key', key: spec })
        break
      case 'topic': {
        if (spec === null) throw bad('expected destination:pattern')
        const reason = invalidPatternReason(spec)
        if (reason !== null) throw bad(reason)
        out.push({ destination, kind: 'pattern', pattern: spec })
        break
      }
      case 'headers':
        out.push(parseHeadersBinding(destination, spec, bad))
        break
    }
  }
  return out
}

function parseHeadersBinding (destination: string, spec: string | null, bad: (why: string) => ConfigError): Binding {
  const m = spec === null ? null : /^(all|any):(.+)$/.exec(spec)
  if (m === null) throw bad('expected destination:all:name=value,... or destination:any:name=value,...')
  const headers = (m[2] as string).split(',').map((pair) => {
    const eq = pair.indexOf('=')
    const name = eq < 0 ? '' : pair.slice(0, eq).trim()
    if (name === '') throw bad(`'${pair}' is not name=value`)
    return { name, value: pair.slice(eq + 1) }
  })
  return { destination, kind: 'headers', match: m[1] as 'all' | 'any', headers }
}
