// Altering a set of config overrides (a topic's, or a dynamic broker layer's): AlterConfigs
// replaces the whole set; IncrementalAlterConfigs applies SET / DELETE / APPEND / SUBTRACT per
// name (APPEND and SUBTRACT only on list configs, starting from the effective value), as Kafka's
// ConfigAdminManager.
import { ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'
import type { BrokerConfig } from './broker-config.js'
import { ConfigError, type ConfigDef } from './schema.js'
import { resolveTopicConfig, TOPIC_DEFS, type TopicOverrides } from './topic-config.js'

const AlterOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const

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

/** What incremental changes need to know of the configs they alter. */
export interface AlterableConfigs {
  /** The definition of `name`; throws (with the Kafka error to answer) when it cannot be altered. */
  def: (name: string) => ConfigDef
  /** The effective value of `name` with `overrides` in place (APPEND / SUBTRACT start there). */
  effective: (name: string, overrides: Readonly<Record<string, string>>) => string | null
}

/** A topic's overrides, with the broker supplying the defaults. */
export function topicConfigs (broker: BrokerConfig): AlterableConfigs {
  return {
    def: (name) => {
      const def = TOPIC_DEFS.get(name)
      if (def === undefined) throw new ConfigError(name, `Unknown topic config name: ${name}`)
      return def
    },
    effective: (name, overrides: TopicOverrides) => resolveTopicConfig(name, overrides, broker).value
  }
}

export function applyIncremental (current: Readonly<Record<string, string>>, changes: readonly IncrementalChange[], configs: AlterableConfigs): Record<string, string> {
  checkDuplicates(changes)
  const next: Record<string, string> = { ...current }
  for (const c of changes) {
    const def = configs.def(c.name)
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
    const effective = configs.effective(c.name, next) ?? ''
    const items = effective.split(',').map((s) => s.trim()).filter((s) => s !== '')
    const given = c.value.split(',').map((s) => s.trim()).filter((s) => s !== '')
    const result = c.op === AlterOp.APPEND
      ? [...items, ...given.filter((g) => !items.includes(g))]
      : items.filter((i) => !given.includes(i))
    next[c.name] = result.join(',')
  }
  return next
}
