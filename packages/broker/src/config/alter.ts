// Altering a topic's overrides: AlterConfigs replaces the whole set; IncrementalAlterConfigs
// applies SET / DELETE / APPEND / SUBTRACT per name (APPEND and SUBTRACT only on list configs,
// starting from the effective value), as Kafka's ConfigAdminManager.
import { ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'
import type { BrokerConfig } from './broker-config.js'
import { ConfigError } from './schema.js'
import { resolveTopicConfig, TOPIC_DEFS, type TopicOverrides } from './topic-config.js'

export const AlterOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const

export interface ConfigChange {
  name: string
  value?: string | null
}

export interface IncrementalChange extends ConfigChange {
  op: number
}

function checkDuplicates (changes: readonly ConfigChange[]): void {
  const names = changes.map((c) => c.name)
  if (new Set(names).size !== names.length) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys')
}

/** AlterConfigs: the given configs become the topic's only overrides. */
export function replaceOverrides (changes: readonly ConfigChange[]): Record<string, string> {
  checkDuplicates(changes)
  const next: Record<string, string> = {}
  for (const c of changes) {
    if (c.value === null || c.value === undefined) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${c.name}`)
    next[c.name] = c.value
  }
  return next
}

export function applyIncremental (current: TopicOverrides, changes: readonly IncrementalChange[], broker: BrokerConfig): Record<string, string> {
  checkDuplicates(changes)
  const next: Record<string, string> = { ...current }
  for (const c of changes) {
    const def = TOPIC_DEFS.get(c.name)
    if (def === undefined) throw new ConfigError(c.name, `Unknown topic config name: ${c.name}`)
    if (c.op === AlterOp.DELETE) {
      delete next[c.name]
      continue
    }
    if (c.value === null || c.value === undefined) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${c.name}`)
    if (c.op === AlterOp.SET) {
      next[c.name] = c.value
      continue
    }
    if (c.op !== AlterOp.APPEND && c.op !== AlterOp.SUBTRACT) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown config operation ${c.op}`)
    if (def.type !== 'list') {
      const verb = c.op === AlterOp.APPEND ? 'append' : 'subtract'
      throw new ConfigError(c.name, `Config value ${verb} is not allowed for config key: ${c.name}`)
    }
    const effective = resolveTopicConfig(c.name, next, broker).value ?? ''
    const items = effective.split(',').map((s) => s.trim()).filter((s) => s !== '')
    const given = c.value.split(',').map((s) => s.trim()).filter((s) => s !== '')
    const result = c.op === AlterOp.APPEND
      ? [...items, ...given.filter((g) => !items.includes(g))]
      : items.filter((i) => !given.includes(i))
    next[c.name] = result.join(',')
  }
  return next
}
