// The broker's configuration: operator settings (Kafka names) checked against the schema, with
// typed accessors and the derived values Kafka computes (listener, log dirs, retention).
// Layers, most specific first, as Kafka resolves them: dynamic per-broker, dynamic cluster default
// (both set through AlterConfigs, config/dynamic-configs.ts), static (server.properties and
// --override), Kafka's default.
import { BROKER_CONFIG_DEFS } from './broker-defs.js'
import { type Endpoint, isSecurityProtocol, LISTENER_SETTING, parseEndpoint, parseProtocolMap, type SecurityProtocol } from './listeners.js'
import { ConfigError, type ConfigDef, type ConfigValue, indexDefs, parseConfigValue } from './schema.js'

export const BROKER_DEFS = indexDefs(BROKER_CONFIG_DEFS)

export class BrokerConfig {
  /** Known settings the operator gave, as strings (DescribeConfigs: STATIC_BROKER_CONFIG). */
  readonly originals: ReadonlyMap<string, string>
  /** Names not in the schema: accepted and reported, never used. */
  readonly unknown: readonly string[]
  /** listener.name.<listener>.<config> settings (per-listener TLS and SASL), lower-case prefix. */
  readonly listenerOverrides: ReadonlyMap<string, string>
  private readonly values = new Map<string, ConfigValue>()
  private dynamicBroker: ReadonlyMap<string, string> = new Map()
  private dynamicDefault: ReadonlyMap<string, string> = new Map()
  private changes = 0

  constructor (settings: Record<string, string>) {
    const originals = new Map<string, string>()
    const unknown: string[] = []
    const listenerOverrides = new Map<string, string>()
    for (const [name, raw] of Object.entries(settings)) {
      const prefixed = LISTENER_SETTING.exec(name)
      if (prefixed !== null) {
        listenerOverrides.set(`listener.name.${(prefixed[1] as string).toLowerCase()}.${prefixed[2] as string}`, raw)
        continue
      }
      const def = BROKER_DEFS.get(name)
      if (def === undefined) {
        unknown.push(name)
        continue
      }
      originals.set(name, raw)
    }
    this.originals = originals
    this.unknown = unknown
    this.listenerOverrides = listenerOverrides
    for (const def of BROKER_DEFS.values()) {
      this.values.set(def.name, parseConfigValue(def, originals.get(def.name) ?? def.default))
    }
    this.check()
  }

  /** The effective setting as a string, through the layers (null when there is no value). */
  raw (name: string): string | null {
    return this.dynamicBroker.get(name) ?? this.dynamicDefault.get(name) ?? this.originals.get(name) ?? this.def(name).default
  }

  /** Set in server.properties or by --override (STATIC_BROKER_CONFIG). */
  isSet (name: string): boolean {
    return this.originals.has(name)
  }

  /** Kafka's default for the name (DEFAULT_CONFIG). */
  defaultValue (name: string): string | null {
    return this.def(name).default
  }

  /** The dynamic settings of one layer: this broker's, or the cluster-wide default. */
  dynamic (layer: 'broker' | 'default'): ReadonlyMap<string, string> {
    return layer === 'broker' ? this.dynamicBroker : this.dynamicDefault
  }

  /**
   * Replaces both dynamic layers (values already validated: config/dynamic-configs.ts). Bumps
   * `version`, which caches of derived settings compare against.
   */
  setDynamic (broker: Readonly<Record<string, string>>, defaults: Readonly<Record<string, string>>): void {
    const touched = new Set([...this.dynamicBroker.keys(), ...this.dynamicDefault.keys(), ...Object.keys(broker), ...Object.keys(defaults)])
    this.dynamicBroker = new Map(Object.entries(broker))
    this.dynamicDefault = new Map(Object.entries(defaults))
    for (const name of touched) {
      const def = BROKER_DEFS.get(name)
      if (def !== undefined) this.values.set(def.name, parseConfigValue(def, this.raw(def.name)))
    }
    this.changes++
  }

  /** Changes with every setDynamic(). */
  get version (): number {
    return this.changes
  }

  int (name: string): number {
    return this.typed(name, 'number') as number
  }

  bool (name: string): boolean {
    return this.typed(name, 'boolean') as boolean
  }

  string (name: string): string | null {
    const value = this.values.get(this.def(name).name)
    return typeof value === 'string' ? value : null
  }

  list (name: string): string[] | null {
    const value = this.values.get(this.def(name).name)
    return Array.isArray(value) ? value : null
  }

  /** A number that may be unset (log.retention.ms): null then. */
  optionalNumber (name: string): number | null {
    const value = this.values.get(this.def(name).name)
    return typeof value === 'number' ? value : null
  }

  /** node.id, else broker.id; null when neither is set (meta.properties or 1 decides). */
  get nodeId (): number | null {
    const nodeId = this.int('node.id')
    const brokerId = this.int('broker.id')
    if (nodeId >= 0) return nodeId
    return brokerId >= 0 ? brokerId : null
  }

  get logDirs (): string[] {
    const dirs = this.list('log.dirs')
    if (dirs !== null && dirs.length > 0) return dirs
    return [this.string('log.dir') ?? '/tmp/kafka-logs']
  }

  /** The listeners Brook binds: every one not named in controller.listener.names, in order. */
  get brokerListeners (): Endpoint[] {
    const controllers = (this.string('controller.listener.names') ?? '').split(',').map((s) => s.trim().toUpperCase())
    const chosen = this.endpoints('listeners').filter((e) => !controllers.includes(e.name))
    if (chosen.length === 0) throw new ConfigError('listeners', 'listeners must name at least one broker listener')
    return chosen
  }

  /** The first broker listener: the one the "listening on" line and startBroker() report. */
  get listener (): Endpoint {
    return this.brokerListeners[0] as Endpoint
  }

  /** The advertised.listeners entry with the same name as `listenerName`, if any. */
  advertisedFor (listenerName: string): Endpoint | null {
    if (this.list('advertised.listeners') === null) return null
    return this.endpoints('advertised.listeners').find((e) => e.name === listenerName) ?? null
  }

  get advertisedListener (): Endpoint | null {
    return this.advertisedFor(this.listener.name)
  }

  /** The security protocol of a listener name, through listener.security.protocol.map. */
  securityProtocol (listenerName: string): SecurityProtocol {
    const protocols = parseProtocolMap('listener.security.protocol.map', this.string('listener.security.protocol.map') ?? '')
    const protocol = protocols.get(listenerName.toUpperCase())
    if (protocol === undefined) {
      throw new ConfigError('listener.security.protocol.map', `No security protocol defined for listener ${listenerName}`)
    }
    if (!isSecurityProtocol(protocol)) {
      throw new ConfigError('listener.security.protocol.map', `Invalid security protocol ${protocol} for listener ${listenerName}`)
    }
    return protocol
  }

  /**
   * A setting for one listener: listener.name.<listener>.<name> when set (dynamic layers first),
   * else the broker-wide config of that name when it is one, else null, as Kafka resolves them.
   */
  listenerSetting (listenerName: string, name: string): string | null {
    const key = `listener.name.${listenerName.toLowerCase()}.${name}`
    const own = this.dynamicBroker.get(key) ?? this.dynamicDefault.get(key) ?? this.listenerOverrides.get(key)
    if (own !== undefined) return own
    return BROKER_DEFS.has(name) ? this.raw(name) : null
  }

  /** Kafka's log.retention.{ms,minutes,hours} precedence; negative means unlimited (-1). */
  get logRetentionMs (): number {
    const ms = this.optionalNumber('log.retention.ms') ??
      (this.optionalNumber('log.retention.minutes') ?? this.int('log.retention.hours') * 60) * 60_000
    return ms < 0 ? -1 : ms
  }

  /** Listeners with their names; all of them. */
  endpoints (name: 'listeners' | 'advertised.listeners'): Endpoint[] {
    return (this.list(name) ?? []).filter((s) => s !== '').map((text) => parseEndpoint(name, text))
  }

  private check (): void {
    const nodeId = this.int('node.id')
    const brokerId = this.int('broker.id')
    if (nodeId >= 0 && brokerId >= 0 && nodeId !== brokerId) {
      throw new ConfigError('node.id', `If both node.id (${nodeId}) and broker.id (${brokerId}) are set, they must match`)
    }
    const names = new Set<string>()
    for (const listener of this.brokerListeners) {
      if (names.has(listener.name)) throw new ConfigError('listeners', `Each listener must have a different name, listeners: ${this.raw('listeners') ?? ''}`)
      names.add(listener.name)
      this.securityProtocol(listener.name)
    }
    const interBroker = this.string('inter.broker.listener.name')
    if (interBroker !== null && interBroker !== '') {
      if (this.isSet('security.inter.broker.protocol')) {
        throw new ConfigError('inter.broker.listener.name', 'Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.')
      }
      if (!names.has(interBroker.toUpperCase())) {
        throw new ConfigError('inter.broker.listener.name', `inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are ${[...names].join(',')}`)
      }
    }
    // Parse advertised.listeners now so that a malformed value fails at start, not at first Metadata.
    void this.advertisedListener
  }

  private def (name: string): ConfigDef {
    const def = BROKER_DEFS.get(name)
    if (def === undefined) throw new Error(`BROOK_UNKNOWN_CONFIG: ${name} is not a broker config`)
    return def
  }

  private typed (name: string, kind: 'number' | 'boolean'): number | boolean {
    const value = this.values.get(this.def(name).name)
    if (typeof value !== kind) throw new Error(`BROOK_CONFIG_TYPE: ${name} has no ${kind} value`)
    return value as number | boolean
  }
}
