// The REST consumer instances of this HTTP server, by group and name. An instance unused for
// consumer.instance.timeout.ms (the REST Proxy's setting, 5 minutes) is closed, so a client that
// forgot to delete it does not hold its partitions forever.
import type { Logger } from '@brook/common'
import { RestCode, RestError } from '../errors.js'
import { ConsumerInstance, type InstanceSettings } from './instance.js'
import type { KafkaAccessLike } from './types.js'

const SWEEP_INTERVAL_MS = 10_000
/** Each instance holds a consumer and its connections: a bound keeps a client from exhausting them. */
const MAX_INSTANCES = 1_000

export class ConsumerInstances {
  readonly #instances = new Map<string, ConsumerInstance>()
  readonly #kafka: KafkaAccessLike
  readonly #logger: Logger
  readonly #idleTimeoutMs: number
  readonly #sweeper: NodeJS.Timeout

  constructor (kafka: KafkaAccessLike, logger: Logger, idleTimeoutMs: number) {
    this.#kafka = kafka
    this.#logger = logger
    this.#idleTimeoutMs = idleTimeoutMs
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(SWEEP_INTERVAL_MS, idleTimeoutMs))
    this.#sweeper.unref()
  }

  create (settings: InstanceSettings): ConsumerInstance {
    const key = `${settings.group}\u0000${settings.name}`
    if (this.#instances.has(key)) throw new RestError(409, RestCode.CONSUMER_ALREADY_EXISTS, `Consumer with specified consumer ID already exists in the specified consumer group: ${settings.name}`)
    if (this.#instances.size >= MAX_INSTANCES) throw new RestError(429, 42901, `Too many consumer instances (${MAX_INSTANCES}); delete unused ones`)
    const instance = new ConsumerInstance(this.#kafka, settings)
    this.#instances.set(key, instance)
    return instance
  }

  get (group: string, name: string): ConsumerInstance {
    const instance = this.#instances.get(`${group}\u0000${name}`)
    if (instance === undefined) throw new RestError(404, RestCode.CONSUMER_INSTANCE_NOT_FOUND, `Consumer instance not found: ${name} in group ${group}`)
    instance.lastUsed = Date.now()
    return instance
  }

  async delete (group: string, name: string): Promise<void> {
    const instance = this.get(group, name)
    this.#instances.delete(`${group}\u0000${name}`)
    await instance.close()
  }

  #sweep (): void {
    const now = Date.now()
    for (const [key, instance] of this.#instances) {
      if (now - instance.lastUsed < this.#idleTimeoutMs) continue
      this.#instances.delete(key)
      this.#logger.info({ group: instance.settings.group, name: instance.settings.name }, 'closing idle REST consumer instance')
      instance.close().catch((err: unknown) => this.#logger.warn({ err }, 'closing an idle REST consumer instance failed'))
    }
  }

  async closeAll (): Promise<void> {
    clearInterval(this.#sweeper)
    const all = [...this.#instances.values()]
    this.#instances.clear()
    const results = await Promise.allSettled(all.map(async (i) => await i.close()))
    for (const r of results) if (r.status === 'rejected') this.#logger.warn({ err: r.reason }, 'closing a REST consumer instance failed')
  }
}
