// Client metrics subscriptions (KIP-714's CLIENT_METRICS config resource, type 16): named sets of
// `metrics` (metric name prefixes, `*` for all), `interval.ms` (push interval) and `match`
// (selectors a client must all match, none = every client), set with IncrementalAlterConfigs and
// read with DescribeConfigs / ListConfigResources. A client's subscription is the union of the
// metrics of every subscription it matches, pushed at the smallest of their intervals.
// Kafka keeps them in its metadata log; Brook keeps them in one JSON file in the first log dir,
// written atomically before the change is answered:
//   { "version": 1, "subscriptions": { "all": { "metrics": "*", "interval.ms": "500" } } }
// Recovery rule: a missing file is no subscriptions; one that does not parse stops the start.
// `version` counts changes, so the telemetry store knows when to hand clients a new subscription.
import { join } from 'node:path'
import { SerialQueue } from '@brook/common'
import { readFileIfExists, writeFileAtomic } from '@brook/metadata'
import { compileWholeNameRegex, InvalidRegexError, type NameMatcher } from '../regex/whole-name.js'

export const CLIENT_METRICS_FILE = 'brook-client-metrics.json'
const FORMAT_VERSION = 1

export const DEFAULT_INTERVAL_MS = 300_000
const MIN_INTERVAL_MS = 100
const MAX_INTERVAL_MS = 3_600_000
export const ALL_METRICS = '*'

/** What a client is matched on (KIP-714's selectors). */
export interface ClientSelectorInput {
  clientId: string | null
  clientInstanceId: string
  clientSoftwareName: string | null
  clientSoftwareVersion: string | null
  clientSourceAddress: string | null
  clientSourcePort: number | null
}

const SELECTORS: Readonly<Record<string, (c: ClientSelectorInput) => string>> = {
  client_id: (c) => c.clientId ?? '',
  client_instance_id: (c) => c.clientInstanceId,
  client_software_name: (c) => c.clientSoftwareName ?? '',
  client_software_version: (c) => c.clientSoftwareVersion ?? '',
  client_source_address: (c) => c.clientSourceAddress ?? '',
  client_source_port: (c) => c.clientSourcePort === null ? '' : String(c.clientSourcePort)
}

export class InvalidClientMetricsConfigError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'InvalidClientMetricsConfigError'
  }
}

export interface ClientMetricsChange {
  name: string
  value?: string | null
  /** IncrementalAlterConfigs: 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT. */
  op: number
}

export type SubscriptionConfigs = Readonly<Record<string, string>>

interface Compiled {
  metrics: string[]
  intervalMs: number
  selectors: Array<[(c: ClientSelectorInput) => string, NameMatcher]>
}

const CONFIG_NAMES = ['metrics', 'interval.ms', 'match'] as const
const LIST_CONFIGS = new Set(['metrics', 'match'])

const listOf = (value: string | undefined): string[] => (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')

/** Validates one subscription's configs into its compiled form; throws InvalidClientMetricsConfigError. */
function compile (configs: SubscriptionConfigs): Compiled {
  for (const name of Object.keys(configs)) {
    if (!(CONFIG_NAMES as readonly string[]).includes(name)) throw new InvalidClientMetricsConfigError(`Unknown client metrics configuration: ${name}`)
  }
  let intervalMs = DEFAULT_INTERVAL_MS
  if (configs['interval.ms'] !== undefined) {
    const text = configs['interval.ms']
    intervalMs = /^-?\d+$/.test(text.trim()) ? Number(text) : NaN
    if (!Number.isSafeInteger(intervalMs)) throw new InvalidClientMetricsConfigError(`Invalid value ${text} for configuration interval.ms: Not a number of type INT`)
    if (intervalMs < MIN_INTERVAL_MS || intervalMs > MAX_INTERVAL_MS) {
      throw new InvalidClientMetricsConfigError(`Invalid value ${intervalMs} for interval.ms, interval must be between ${MIN_INTERVAL_MS} and ${MAX_INTERVAL_MS}`)
    }
  }
  const selectors: Compiled['selectors'] = []
  for (const entry of listOf(configs.match)) {
    const eq = entry.indexOf('=')
    if (eq <= 0) throw new InvalidClientMetricsConfigError(`Illegal client matching pattern: ${entry} (expected <selector>=<regex>)`)
    const selector = entry.slice(0, eq).trim()
    const read = SELECTORS[selector]
    if (read === undefined) {
      throw new InvalidClientMetricsConfigError(`Unknown client matching selector ${selector}: one of ${Object.keys(SELECTORS).join(', ')}`)
    }
    try {
      selectors.push([read, compileWholeNameRegex(entry.slice(eq + 1).trim())])
    } catch (err) {
      if (err instanceof InvalidRegexError) throw new InvalidClientMetricsConfigError(`Illegal regex for ${selector}: ${err.message}`)
      throw err
    }
  }
  return { metrics: listOf(configs.metrics), intervalMs, selectors }
}

export class ClientMetricsSubscriptions {
  readonly path: string
  #subscriptions = new Map<string, { configs: SubscriptionConfigs, compiled: Compiled }>()
  #version = 0
  readonly #writing = new SerialQueue()

  constructor (dir: string | null) {
    this.path = dir === null ? '' : join(dir, CLIENT_METRICS_FILE)
  }

  /** Changes with every applied alteration: clients matched under an older one are re-matched. */
  get version (): number {
    return this.#version
  }

  async load (): Promise<void> {
    if (this.path === '') return
    const text = await readFileIfExists(this.path)
    if (text === null) return
    let parsed: { version?: unknown, subscriptions?: unknown }
    try {
      parsed = JSON.parse(text) as typeof parsed
    } catch (err) {
      throw new Error(`BROOK_BAD_CLIENT_METRICS_FILE: ${this.path} does not parse`, { cause: err })
    }
    if (parsed.version !== FORMAT_VERSION || typeof parsed.subscriptions !== 'object' || parsed.subscriptions === null) {
      throw new Error(`BROOK_BAD_CLIENT_METRICS_FILE: ${this.path} is not a version ${FORMAT_VERSION} client metrics file`)
    }
    for (const [name, configs] of Object.entries(parsed.subscriptions as Record<string, unknown>)) {
      if (typeof configs !== 'object' || configs === null) continue
      const entries = Object.entries(configs as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string')
      const valid = Object.fromEntries(entries)
      try {
        this.#subscriptions.set(name, { configs: valid, compiled: compile(valid) })
      } catch (err) {
        throw new Error(`BROOK_BAD_CLIENT_METRICS_FILE: ${this.path}: subscription ${name}: ${(err as Error).message}`, { cause: err })
      }
    }
    this.#version++
  }

  /** Subscription names (ListConfigResources' CLIENT_METRICS resources), in name order. */
  names (): string[] {
    return [...this.#subscriptions.keys()].sort()
  }

  configs (name: string): SubscriptionConfigs {
    return this.#subscriptions.get(name)?.configs ?? {}
  }

  /** The union of the metrics of every subscription the client matches, at the smallest interval. */
  subscriptionFor (client: ClientSelectorInput): { requestedMetrics: string[], pushIntervalMs: number } {
    const metrics = new Set<string>()
    let intervalMs: number | null = null
    for (const { compiled } of this.#subscriptions.values()) {
      if (!compiled.selectors.every(([read, matcher]) => matcher.test(read(client)))) continue
      for (const m of compiled.metrics) metrics.add(m)
      intervalMs = Math.min(intervalMs ?? compiled.intervalMs, compiled.intervalMs)
    }
    // `*` alone means every metric; clients read it so (librdkafka compares the sole entry).
    const requestedMetrics = metrics.has(ALL_METRICS) ? [ALL_METRICS] : [...metrics].sort()
    return { requestedMetrics, pushIntervalMs: intervalMs ?? DEFAULT_INTERVAL_MS }
  }

  /** Validates every change before applying any; persists unless validateOnly. A subscription left with no configs is removed. */
  async alter (name: string, changes: readonly ClientMetricsChange[], validateOnly: boolean): Promise<void> {
    if (name === '') throw new InvalidClientMetricsConfigError('Subscription name must not be empty')
    const next: Record<string, string> = { ...this.configs(name) }
    for (const c of changes) {
      if (!(CONFIG_NAMES as readonly string[]).includes(c.name)) throw new InvalidClientMetricsConfigError(`Unknown client metrics configuration: ${c.name}`)
      if (c.op === 1) {
        delete next[c.name]
      } else if (c.op === 0) {
        if (c.value == null) throw new InvalidClientMetricsConfigError(`Null value not supported for ${c.name}`)
        next[c.name] = c.value
      } else if ((c.op === 2 || c.op === 3) && LIST_CONFIGS.has(c.name)) {
        const current = listOf(next[c.name])
        const items = listOf(c.value ?? '')
        const updated = c.op === 2 ? [...current, ...items.filter((i) => !current.includes(i))] : current.filter((i) => !items.includes(i))
        next[c.name] = updated.join(',')
      } else if (c.op === 2 || c.op === 3) {
        throw new InvalidClientMetricsConfigError(`Config value append or subtract is not allowed for config key ${c.name}`)
      } else {
        throw new InvalidClientMetricsConfigError(`Unknown config operation ${c.op}`)
      }
    }
    const compiled = compile(next)
    if (validateOnly) return
    await this.#writing.run(async () => {
      const subscriptions = new Map(this.#subscriptions)
      if (Object.keys(next).length === 0) subscriptions.delete(name)
      else subscriptions.set(name, { configs: next, compiled })
      if (this.path !== '') {
        const files = Object.fromEntries([...subscriptions].map(([n, s]) => [n, s.configs]))
        await writeFileAtomic(this.path, JSON.stringify({ version: FORMAT_VERSION, subscriptions: files }, null, 2) + '\n')
      }
      this.#subscriptions = subscriptions
      this.#version++
    })
  }
}

/** Kafka's ConfigSource for a client metrics setting (DYNAMIC_CLIENT_METRICS_CONFIG). */
const DYNAMIC_CLIENT_METRICS_CONFIG = 7
const DEFAULT_CONFIG = 5
const CONFIG_TYPE_INT = 3
const CONFIG_TYPE_LIST = 7

/** DescribeConfigs entries of one subscription: its three configs, set or default. */
export function describeClientMetrics (subscriptions: ClientMetricsSubscriptions, name: string): Array<{
  name: string, value: string, readOnly: boolean, isDefault: boolean, configSource: number, isSensitive: boolean,
  synonyms: Array<{ name: string, value: string | null, source: number }>, configType: number, documentation: string | null
}> {
  const set = subscriptions.configs(name)
  const defaults: Record<string, string> = { metrics: '', 'interval.ms': String(DEFAULT_INTERVAL_MS), match: '' }
  return CONFIG_NAMES.map((config) => ({
    name: config,
    value: set[config] ?? defaults[config] ?? '',
    readOnly: false,
    isDefault: set[config] === undefined,
    configSource: set[config] === undefined ? DEFAULT_CONFIG : DYNAMIC_CLIENT_METRICS_CONFIG,
    isSensitive: false,
    synonyms: [],
    configType: LIST_CONFIGS.has(config) ? CONFIG_TYPE_LIST : CONFIG_TYPE_INT,
    documentation: null
  }))
}
