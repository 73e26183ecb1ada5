// Dynamic broker configs: AlterConfigs / IncrementalAlterConfigs on a broker resource, as Kafka's
// DynamicBrokerConfig does for the settings a running broker can take over: the broker-level
// defaults of topic configs (log.retention.ms, message.max.bytes, log.cleanup.policy, ...; Kafka's
// DynamicLogConfig set). Resource name "" is the cluster-wide default layer, the broker's node id
// its own layer (more specific; both above server.properties). A change is validated as a whole,
// persisted (cluster/dynamic-config-store.ts), put into the BrokerConfig layers, and then every log
// gets its recomputed LogConfig (onChange). Other broker configs are read-only, as in Kafka:
// altering them gets INVALID_REQUEST.
import { ErrorCode } from '@brook/protocol'
import { SerialQueue } from '@brook/common'
import type { DynamicConfigLayers, DynamicConfigStore } from '../cluster/dynamic-config-store.js'
import { KafkaError } from '../errors.js'
import type { AlterableConfigs } from './alter.js'
import { BROKER_DEFS, type BrokerConfig } from './broker-config.js'
import { type ConfigDef, parseConfigValue } from './schema.js'
import { TOPIC_CONFIG_DEFS } from './topic-defs.js'

/** Broker configs that can be altered while the broker runs. */
export const DYNAMIC_BROKER_CONFIGS: ReadonlySet<string> = new Set(TOPIC_CONFIG_DEFS.flatMap((d) => d.synonyms.map((s) => s.name)))

export type DynamicLayer = 'broker' | 'default'

function notDynamic (names: readonly string[]): KafkaError {
  return new KafkaError(ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: Set(${names.join(', ')})`)
}

/** Throws INVALID_REQUEST for names that are not dynamic, INVALID_CONFIG for values that do not parse. */
function validate (layer: Readonly<Record<string, string>>): void {
  const names = Object.keys(layer)
  const refused = names.filter((n) => !DYNAMIC_BROKER_CONFIGS.has(n))
  if (refused.length > 0) throw notDynamic(refused)
  for (const name of names) parseConfigValue(BROKER_DEFS.get(name) as ConfigDef, layer[name] as string)
}

export class DynamicConfigs {
  readonly #config: BrokerConfig
  readonly #nodeId: number
  readonly #store: DynamicConfigStore
  readonly #onChange: () => Promise<void>
  readonly #serial = new SerialQueue()

  private constructor (config: BrokerConfig, nodeId: number, store: DynamicConfigStore, onChange: () => Promise<void>) {
    this.#config = config
    this.#nodeId = nodeId
    this.#store = store
    this.#onChange = onChange
  }

  /**
   * Loads the persisted layers into `config` (before any log opens, so that logs start with them).
   * `onChange` runs after every applied change.
   */
  static async open (config: BrokerConfig, nodeId: number, store: DynamicConfigStore, onChange: () => Promise<void>): Promise<DynamicConfigs> {
    const layers = await store.load()
    try {
      validate(layers.broker)
      validate(layers.default)
    } catch (err) {
      throw new Error(`BROOK_BAD_DYNAMIC_CONFIGS_FILE: ${store.path} holds a setting this broker cannot take`, { cause: err })
    }
    config.setDynamic(layers.broker, layers.default)
    return new DynamicConfigs(config, nodeId, store, onChange)
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
        const def = BROKER_DEFS.get(name)
        if (def === undefined || !DYNAMIC_BROKER_CONFIGS.has(name)) throw notDynamic([name])
        return def
      },
      effective: (name, overrides) => overrides[name] ??
        (layer === 'broker' ? this.#config.dynamic('default').get(name) : undefined) ??
        this.#config.originals.get(name) ?? this.#config.defaultValue(name)
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
      validate(next)
      if (validateOnly) return
      const layers: DynamicConfigLayers = layer === 'broker' ? { broker: next, default: this.current('default') } : { broker: this.current('broker'), default: next }
      await this.#store.save(layers)
      this.#config.setDynamic(layers.broker, layers.default)
      await this.#onChange()
    })
  }
}
