// Where one record of an exchange goes: the destination topics its routing key (or headers)
// matches, each once however many of its bindings match (as in RabbitMQ), else the alternate
// topic, else nowhere. The routing key is the record key, or the value of the header named by
// exchange.routing.key.header (its last occurrence); a null key matches no direct or topic
// binding. Keys are compared as UTF-8 text (direct: byte for byte).
import type { KafkaRecord } from '@brook/protocol'
import type { Binding, ExchangeConfig } from './bindings.js'
import { matchesPattern } from './topic-pattern.js'

export interface CompiledExchange {
  config: ExchangeConfig
  patterns: Map<string, string[]>
}

export function compileExchange (config: ExchangeConfig): CompiledExchange {
  const patterns = new Map<string, string[]>()
  for (const b of config.bindings) if (b.kind === 'pattern') patterns.set(b.pattern, b.pattern.split('.'))
  return { config, patterns }
}

export type RouteDecision = { kind: 'routed', destinations: string[] } | { kind: 'alternate', topic: string } | { kind: 'unroutable' }

export function routeRecord (exchange: CompiledExchange, record: KafkaRecord): RouteDecision {
  const { config } = exchange
  const routingKey = routingKeyOf(config, record)
  const destinations: string[] = []
  let words: string[] | null = null
  for (const b of config.bindings) {
    if (destinations.includes(b.destination)) continue
    if (b.kind === 'pattern' && routingKey !== null) words ??= routingKey.toString('utf8').split('.')
    if (bindingMatches(exchange, b, routingKey, words, record)) destinations.push(b.destination)
  }
  if (destinations.length > 0) return { kind: 'routed', destinations }
  return config.alternateTopic === null ? { kind: 'unroutable' } : { kind: 'alternate', topic: config.alternateTopic }
}

function routingKeyOf (config: ExchangeConfig, record: KafkaRecord): Buffer | null {
  if (config.routingKeyHeader === null) return record.key
  let value: Buffer | null = null
  for (const h of record.headers) if (h.key === config.routingKeyHeader) value = h.value
  return value
}

function bindingMatches (exchange: CompiledExchange, b: Binding, key: Buffer | null, words: string[] | null, record: KafkaRecord): boolean {
  switch (b.kind) {
    case 'all': return true
    case 'key': return key !== null && key.equals(Buffer.from(b.key, 'utf8'))
    case 'pattern': return words !== null && matchesPattern(exchange.patterns.get(b.pattern) ?? [], words)
    case 'headers': {
      const has = (name: string, value: string): boolean => record.headers.some((h) => h.key === name && h.value !== null && h.value.toString('utf8') === value)
      return b.match === 'all' ? b.headers.every((h) => has(h.name, h.value)) : b.headers.some((h) => has(h.name, h.value))
    }
  }
}
