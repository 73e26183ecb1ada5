// Per-group configs (Kafka 4's GROUP config resource, KIP-848): DescribeConfigs and
// IncrementalAlterConfigs on resource type 32 set a consumer group's session timeout and
// heartbeat interval, overriding group.consumer.session.timeout.ms / heartbeat.interval.ms.
// Values must lie within the broker's group.consumer.min/max.* bounds (INVALID_CONFIG).
// Kafka keeps them in its metadata log; Brook keeps them in one JSON file in the first log dir,
// written atomically before the change is answered:
//   { "version": 1, "groups": { "my-group": { "consumer.session.timeout.ms": "50000" } } }
// Recovery rule: a missing file is no overrides; one that does not parse stops the start.
import { join } from 'node:path'
import { SerialQueue } from '@brook/common'
import { readFileIfExists, writeFileAtomic } from '@brook/metadata'

export const GROUP_CONFIGS_FILE = 'brook-group-configs.json'
const FORMAT_VERSION = 1

export interface GroupConfigBounds {
  consumerSessionTimeoutMs: number
  consumerHeartbeatIntervalMs: number
  minSessionTimeoutMs: number
  maxSessionTimeoutMs: number
  minHeartbeatIntervalMs: number
  maxHeartbeatIntervalMs: number
}

export interface GroupConfigDef {
  name: string
  brokerDefault: (b: GroupConfigBounds) => number | string
  range: (b: GroupConfigBounds) => [number, number]
  boundNames: [string, string]
  /** A string config: one of these values (share.auto.offset.reset), or any string when empty (a topic name). */
  allowed?: readonly string[]
}

export const GROUP_CONFIG_DEFS: readonly GroupConfigDef[] = [
  {
    name: 'consumer.session.timeout.ms',
    brokerDefault: (b) => b.consumerSessionTimeoutMs,
    range: (b) => [b.minSessionTimeoutMs, b.maxSessionTimeoutMs],
    boundNames: ['group.consumer.min.session.timeout.ms', 'group.consumer.max.session.timeout.ms']
  },
  {
    name: 'consumer.heartbeat.interval.ms',
    brokerDefault: (b) => b.consumerHeartbeatIntervalMs,
    range: (b) => [b.minHeartbeatIntervalMs, b.maxHeartbeatIntervalMs],
    boundNames: ['group.consumer.min.heartbeat.interval.ms', 'group.consumer.max.heartbeat.interval.ms']
  }
]

export class InvalidGroupConfigError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'InvalidGroupConfigError'
  }
}

export type GroupOverrides = Readonly<Record<string, string>>

export interface GroupConfigChange {
  name: string
  value?: string | null
  /** IncrementalAlterConfigs: 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT. */
  op: number
}

export class GroupConfigs {
  readonly path: string
  readonly bounds: GroupConfigBounds
  /** The consumer group configs, then those other group types add (share groups). */
  readonly defs: readonly GroupConfigDef[]
  #groups = new Map<string, GroupOverrides>()
  readonly #writing = new SerialQueue()

  constructor (dir: string | null, bounds: GroupConfigBounds, extraDefs: readonly GroupConfigDef[] = []) {
    this.path = dir === null ? '' : join(dir, GROUP_CONFIGS_FILE)
    this.bounds = bounds
    this.defs = [...GROUP_CONFIG_DEFS, ...extraDefs]
  }

  async load (): Promise<void> {
    if (this.path === '') return
    const text = await readFileIfExists(this.path)
    if (text === null) return
    let parsed: { version?: unknown, groups?: unknown }
    try {
      parsed = JSON.parse(text) as typeof parsed
    } catch (err) {
      throw new Error(`BROOK_BAD_GROUP_CONFIGS_FILE: ${this.path} does not parse`, { cause: err })
    }
    if (parsed.version !== FORMAT_VERSION || typeof parsed.groups !== 'object' || parsed.groups === null) {
      throw new Error(`BROOK_BAD_GROUP_CONFIGS_FILE: ${this.path} is not a version ${FORMAT_VERSION} group config file`)
    }
    for (const [groupId, configs] of Object.entries(parsed.groups as Record<string, unknown>)) {
      if (typeof configs !== 'object' || configs === null) continue
      const entries = Object.entries(configs as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string')
      this.#groups.set(groupId, Object.fromEntries(entries))
    }
  }

  /** Groups that have config overrides (ListConfigResources' GROUP resources), in name order. */
  groupIds (): string[] {
    return [...this.#groups].filter(([, o]) => Object.keys(o).length > 0).map(([id]) => id).sort()
  }

  overrides (groupId: string): GroupOverrides {
    return this.#groups.get(groupId) ?? {}
  }

  /** The effective value (override, else the broker's setting) of a numeric group config. */
  value (groupId: string, name: string): number {
    return Number(this.text(groupId, name))
  }

  /** The effective value of any group config, as text. */
  text (groupId: string, name: string): string {
    const def = this.defs.find((d) => d.name === name)
    if (def === undefined) throw new Error(`unknown group config ${name}`)
    return this.overrides(groupId)[name] ?? String(def.brokerDefault(this.bounds))
  }

  sessionTimeoutMs (groupId: string): number {
    return this.value(groupId, 'consumer.session.timeout.ms')
  }

  heartbeatIntervalMs (groupId: string): number {
    return this.value(groupId, 'consumer.heartbeat.interval.ms')
  }

  /** DeleteGroups: a deleted group's overrides go with it, as in Kafka. */
  async remove (groupId: string): Promise<void> {
    if (!this.#groups.has(groupId)) return
    await this.alter(groupId, this.defs.map((d) => ({ name: d.name, op: 1 })), false)
  }

  /** Validates every change before applying any; persists unless validateOnly. */
  async alter (groupId: string, changes: readonly GroupConfigChange[], validateOnly: boolean): Promise<void> {
    const next: Record<string, string> = { ...this.overrides(groupId) }
    for (const c of changes) {
      const def = this.defs.find((d) => d.name === c.name)
      if (def === undefined) throw new InvalidGroupConfigError(`Unknown group config name: ${c.name}`)
      if (c.op === 1) {
        delete next[c.name]
        continue
      }
      if (c.op !== 0) throw new InvalidGroupConfigError(`Config ${c.name} is not a list: APPEND and SUBTRACT do not apply`)
      if (def.allowed !== undefined) {
        if (c.value == null || (def.allowed.length > 0 && !def.allowed.includes(c.value))) throw new InvalidGroupConfigError(`Invalid value ${String(c.value)} for configuration ${c.name}: String must be one of: ${def.allowed.join(', ')}`)
        next[c.name] = c.value
        continue
      }
      const value = c.value == null ? NaN : Number(c.value)
      const [min, max] = def.range(this.bounds)
      if (!Number.isInteger(value)) throw new InvalidGroupConfigError(`Invalid value ${String(c.value)} for configuration ${c.name}: Not a number of type INT`)
      if (value < min) throw new InvalidGroupConfigError(`${c.name} must be greater than or equal to ${def.boundNames[0]} (${min})`)
      if (value > max) throw new InvalidGroupConfigError(`${c.name} must be less than or equal to ${def.boundNames[1]} (${max})`)
      next[c.name] = String(value)
    }
    if (validateOnly) return
    await this.#writing.run(async () => {
      const groups = new Map(this.#groups)
      if (Object.keys(next).length === 0) groups.delete(groupId)
      else groups.set(groupId, next)
      if (this.path !== '') {
        const text = JSON.stringify({ version: FORMAT_VERSION, groups: Object.fromEntries(groups) }, null, 2) + '\n'
        await writeFileAtomic(this.path, text)
      }
      this.#groups = groups
    })
  }
}

/** Kafka's ConfigSource for a per-group setting (DYNAMIC_GROUP_CONFIG). */
const DYNAMIC_GROUP_CONFIG = 8
const DEFAULT_CONFIG = 5
const CONFIG_TYPE_INT = 3
const CONFIG_TYPE_STRING = 2

/** DescribeConfigs entries of one group: every group config, overridden or the broker's value. */
export function describeGroupConfigs (configs: GroupConfigs, groupId: string): Array<{
  name: string, value: string, readOnly: boolean, isDefault: boolean, configSource: number, isSensitive: boolean,
  synonyms: Array<{ name: string, value: string | null, source: number }>, configType: number, documentation: string | null
}> {
  const overrides = configs.overrides(groupId)
  return configs.defs.map((def) => {
    const set = overrides[def.name]
    return {
      name: def.name,
      value: set ?? String(def.brokerDefault(configs.bounds)),
      readOnly: false,
      isDefault: set === undefined,
      configSource: set === undefined ? DEFAULT_CONFIG : DYNAMIC_GROUP_CONFIG,
      isSensitive: false,
      synonyms: [],
      configType: def.allowed === undefined ? CONFIG_TYPE_INT : CONFIG_TYPE_STRING,
      documentation: null
    }
  })
}
