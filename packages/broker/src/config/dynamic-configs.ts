// Dynamic broker configs: AlterConfigs / IncrementalAlterConfigs on a broker resource, as Kafka's
// DynamicBrokerConfig does for the settings a running broker can take over: the broker-level
// defaults of topic configs (log.retention.ms, message.max.bytes, log.cleanup.policy, ...; Kafka's
// DynamicLogConfig set) and the rest of Kafka's dynamic set (config/dynamic-rules.ts; most are
// stored and reported but not used by Brook yet). Resource name "" is the cluster-wide default
// layer, the broker's node id its own layer (more specific; both above server.properties). A
// change is validated as a whole, persisted (cluster/dynamic-config-store.ts), put into the
// BrokerConfig layers, and then every log gets its recomputed LogConfig (onChange). Other broker
// configs are read-only, as in Kafka: altering them gets INVALID_REQUEST.
import { type Logger, SerialQueue } from '@brook/common'
import { ErrorCode } from '@brook/protocol'
import type { DynamicConfigLayers, DynamicConfigStore } from '../cluster/dynamic-config-store.js'
import { KafkaError } from '../errors.js'
import type { AlterableConfigs } from './alter.js'
import { BROKER_DEFS, type BrokerConfig } from './broker-config.js'
import { checkThreadCounts, dynamicDefOf, notDynamic, validateDynamicLayer } from './dynamic-rules.js'

export type DynamicLayer = 'broker' | 'default'

export class DynamicConfigs {
  readonly #config: BrokerConfig
  readonly #nodeId: number
  readonly #store: DynamicConfigStore
  readonly #onChange: () => Promise<void>
  readonly #serial = new SerialQueue()
  readonly #checks: Array<() => void> = []

  private constructor (config: BrokerConfig, nodeId: number, store: DynamicConfigStore, onChange: () => Promise<void>) {
    this.#config = config
    this.#nodeId = nodeId
    this.#store = store
    this.#onChange = onChange
  }

  /**
   * Loads the persisted layers into `config` (before any log opens, so that logs start with them).
   * A persisted setting this broker cannot take (a file written by another version, or edited by
   * hand) is left out with an error log, as Kafka drops invalid dynamic configs at start instead of
   * refusing to run. `onChange` runs after every applied change.
   */
  static async open (config: BrokerConfig, nodeId: number, store: DynamicConfigStore, logger: Logger,
    onChange: () => Promise<void>): Promise<DynamicConfigs> {
    const layers = await store.load()
    const usable = (layer: Readonly<Record<string, string>>, perBroker: boolean): Record<string, string> => {
      const kept: Record<string, string> = {}
      for (const [name, value] of Object.entries(layer)) {
        try {
          validateDynamicLayer({ [name]: value }, perBroker, config)
          kept[name] = value
        } catch (err) {
          logger.error({ file: store.path, config: name, level: perBroker ? 'broker' : 'cluster default', err },
            `dynamic config ${name} in ${store.path} ignored: ${(err as Error).message}`)
        }
      }
      return kept
    }
    config.setDynamic(usable(layers.broker, true), usable(layers.default, false))
    return new DynamicConfigs(config, nodeId, store, onChange)
  }

  /**
   * A check of the broker's settings as a change would leave them (a TLS listener's keystore
   * must still load); it throws to refuse the change. Checks run synchronously with the candidate
   * layers in place, so no request sees them.
   */
  addCheck (check: () => void): void {
    this.#checks.push(check)
  }

  /** The layer a broker resource name addresses: "" the cluster default, the node id this broker. */
  layerOf (resourceName: string): DynamicLayer {
    if (resourceName === '') return 'default'
    if (resourceName === String(this.#nodeId)) return 'broker'
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${this.#nodeId} or empty string, but received ${resourceName}`)
  }

  /** The layer's settings as a plain record (BrokerConfig holds them). */
  current (layer: DynamicLayer): Record<string, string> {
    return Object.fromEntries(this.#config.dynamic(layer))
  }

  /** What IncrementalAlterConfigs needs to alter `layer` (config/alter.ts). */
  alterable (layer: DynamicLayer): AlterableConfigs {
    return {
      def: (name) => {
        const def = dynamicDefOf(name)
        if (def === undefined) throw notDynamic([name])
        return def
      },
      effective: (name, overrides) => overrides[name] ??
        (layer === 'broker' ? this.#config.dynamic('default').get(name) : undefined) ??
        this.#config.originals.get(name) ?? BROKER_DEFS.get(name)?.default ?? null
    }
  }

  /**
   * Computes the new content of `layer` from its current one (under a lock, so concurrent changes
   * do not lose each other), validates it as a whole and, unless validateOnly, persists and
   * applies it.
   */
  async alter (layer: DynamicLayer, compute: (current: Record<string, string>) => Record<string, string>, validateOnly: boolean): Promise<void> {
    await this.#serial.run(async () => {
      const next = compute(this.current(layer))
      validateDynamicLayer(next, layer === 'broker', this.#config)
      checkThreadCounts(next, this.#config)
      const layers: DynamicConfigLayers = layer === 'broker' ? { broker: next, default: this.current('default') } : { broker: this.current('broker'), default: next }
      this.#runChecks(layers)
      if (validateOnly) return
      await this.#store.save(layers)
      this.#config.setDynamic(layers.broker, layers.default)
      await this.#onChange()
    })
  }

  #runChecks (candidate: DynamicConfigLayers): void {
    if (this.#checks.length === 0) return
    const before = { broker: this.current('broker'), default: this.current('default') }
    this.#config.setDynamic(candidate.broker, candidate.default)
    try {
      for (const check of this.#checks) check()
    } finally {
      this.#config.setDynamic(before.broker, before.default)
    }
  }
}
