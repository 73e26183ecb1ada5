// The REST consumer instances of this HTTP server, by group and name. An instance unused for
// consumer.instance.timeout.ms (the REST Proxy's setting, 5 minutes) is closed, so a client that
// forgot to delete it does not hold its partitions forever. With authentication on, an instance
// belongs to the user who made it: it reads with that user's client, and only that user can use it.
import type { Logger } from '@brook/common'
import { RestCode, RestError } from '../errors.js'
import { ConsumerInstance, type InstanceSettings } from './instance.js'
import type { KafkaAccessLike } from './types.js'

const SWEEP_INTERVAL_MS = 10_000
/** Each instance holds a consumer and its connections: a bound keeps a client from exhausting them. */
const MAX_INSTANCES = 1_000

export class ConsumerInstances {
  readonly #instances = new Map<string, ConsumerInstance>()
  readonly #owners = new Map<ConsumerInstance, string | null>()
  readonly #logger: Logger
  readonly #idleTimeoutMs: number
  readonly #sweeper: NodeJS.Timeout

  constructor (logger: Logger, idleTimeoutMs: number) {
    this.#logger = logger
    this.#idleTimeoutMs = idleTimeoutMs
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(SWEEP_INTERVAL_MS, idleTimeoutMs))
    this.#sweeper.unref()
  }

  /** `kafka`: the client of the request's user (or the server's); `owner`: that user, null without authentication. */
  create (settings: InstanceSettings, kafka: KafkaAccessLike, owner: string | null): ConsumerInstance {
    const key = `${settings.group}\u0000${settings.name}`
    if (this.#instances.has(key)) throw new RestError(409, RestCode.CONSUMER_ALREADY_EXISTS, `Consumer with specified consumer ID already exists in the specified consumer group: ${settings.name}`)
    if (this.#instances.size >= MAX_INSTANCES) throw new RestError(429, 42901, `Too many consumer instances (${MAX_INSTANCES}); delete unused ones`)
    const instance = new ConsumerInstance(kafka, settings)
    this.#instances.set(key, instance)
    this.#owners.set(instance, owner)
    return instance
  }

  /** The instance, for `principal` (the request's user): another user's instance answers 403. */
  get (group: string, name: string, principal: string | null): ConsumerInstance {
    const instance = this.#instances.get(`${group}\u0000${name}`)
    if (instance === undefined) throw new RestError(404, RestCode.CONSUMER_INSTANCE_NOT_FOUND, `Consumer instance not found: ${name} in group ${group}`)
    const owner = this.#owners.get(instance) ?? null
    if (owner !== null && owner !== principal) throw new RestError(403, RestCode.UNAUTHORIZED, `Consumer instance ${name} in group ${group} belongs to another user`)
    instance.lastUsed = Date.now()
    return instance
  }

  /** Whether `user` owns an instance (its Kafka client must stay open). */
  owns (user: string): boolean {
    for (const owner of this.#owners.values()) if (owner === user) return true
    return false
  }

  async delete (group: string, name: string, principal: string | null): Promise<void> {
    const instance = this.get(group, name, principal)
    this.#instances.delete(`${group}\u0000${name}`)
    this.#owners.delete(instance)
    await instance.close()
  }

  #sweep (): void {
    const now = Date.now()
    for (const [key, instance] of this.#instances) {
      if (now - instance.lastUsed < this.#idleTimeoutMs) continue
      this.#instances.delete(key)
      this.#owners.delete(instance)
      this.#logger.info({ group: instance.settings.group, name: instance.settings.name }, 'closing idle REST consumer instance')
      instance.close().catch((err: unknown) => this.#logger.warn({ err }, 'closing an idle REST consumer instance failed'))
    }
  }

  async closeAll (): Promise<void> {
    clearInterval(this.#sweeper)
    const all = [...this.#instances.values()]
    this.#instances.clear()
    this.#owners.clear()
    const results = await Promise.allSettled(all.map(async (i) => await i.close()))
    for (const r of results) if (r.status === 'rejected') this.#logger.warn({ err: r.reason }, 'closing a REST consumer instance failed')
  }
}
