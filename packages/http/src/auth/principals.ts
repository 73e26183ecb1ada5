// One Kafka client per authenticated HTTP user, so every REST call reaches the brokers as that
// user (SASL with the user's own credentials) and the brokers' ACLs decide, as Confluent's REST
// Proxy does with principal propagation. A user's first request with a password proves it: the
// client authenticates to a broker before the request is served. Clients are cached by user and
// password (a hash of it) and closed after an idle time, unless the user still has REST consumer
// instances (they use the client's settings).
import { createHash } from 'node:crypto'
import type { ClientOptions, SaslOptions } from '@brook/client'
import type { Logger } from '@brook/common'
import { KafkaAccess } from '../kafka.js'
import type { Credentials } from './basic.js'

export type SaslMechanism = SaslOptions['mechanism']

export interface PrincipalClientsOptions {
  /** The cluster and how to reach it (TLS); `sasl` is replaced by each user's. */
  client: ClientOptions
  mechanism: SaslMechanism
  idleTimeoutMs: number
  logger: Logger
  /** Whether the user still holds something built on its client (REST consumer instances). */
  inUse: (username: string) => boolean
}

interface Entry {
  username: string
  ready: Promise<KafkaAccess>
  lastUsed: number
}

/** At most this many users' clients at once; the least recently used idle one makes room. */
const MAX_CLIENTS = 1_000

export class PrincipalClients {
  readonly #entries = new Map<string, Entry>()
  readonly #options: PrincipalClientsOptions
  readonly #sweeper: NodeJS.Timeout

  constructor (options: PrincipalClientsOptions) {
    this.#options = options
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(10_000, options.idleTimeoutMs))
    this.#sweeper.unref()
  }

  /**
   * The user's client, authenticated: rejects with the client's error (SASL_AUTHENTICATION_FAILED
   * for a wrong password) when the broker refuses the credentials.
   */
  async access (credentials: Credentials): Promise<KafkaAccess> {
    const key = `${credentials.username}\u0000${createHash('sha256').update(credentials.password).digest('base64')}`
    let entry = this.#entries.get(key)
    if (entry === undefined) {
      if (this.#entries.size >= MAX_CLIENTS) this.#evictOne()
      const access = new KafkaAccess({ ...this.#options.client, sasl: { mechanism: this.#options.mechanism, username: credentials.username, password: credentials.password } }, this.#options.logger)
      const made: Entry = { username: credentials.username, ready: authenticated(access), lastUsed: Date.now() }
      entry = made
      this.#entries.set(key, made)
      // A refused login is not cached: the next request tries again (the broker delays failures).
      made.ready.catch(() => { if (this.#entries.get(key) === made) this.#entries.delete(key) })
    }
    entry.lastUsed = Date.now()
    return await entry.ready
  }

  #sweep (): void {
    const now = Date.now()
    for (const [key, entry] of this.#entries) {
      if (now - entry.lastUsed < this.#options.idleTimeoutMs || this.#options.inUse(entry.username)) continue
      this.#close(key, entry)
    }
  }

  #evictOne (): void {
    let oldest: [string, Entry] | null = null
    for (const e of this.#entries) if (!this.#options.inUse(e[1].username) && (oldest === null || e[1].lastUsed < oldest[1].lastUsed)) oldest = e
    if (oldest !== null) this.#close(oldest[0], oldest[1])
  }

  #close (key: string, entry: Entry): void {
    this.#entries.delete(key)
    entry.ready.then(async (access) => { await access.close() }).catch((err: unknown) => {
      this.#options.logger.debug({ err, user: entry.username }, 'closing an HTTP user\'s Kafka client failed (or its login had failed)')
    })
  }

  async closeAll (): Promise<void> {
    clearInterval(this.#sweeper)
    const entries = [...this.#entries.values()]
    this.#entries.clear()
    const results = await Promise.allSettled(entries.map(async (e) => { await (await e.ready).close() }))
    for (const r of results) if (r.status === 'rejected') this.#options.logger.debug({ err: r.reason }, 'an HTTP user\'s Kafka client did not close cleanly (or its login had failed)')
  }
}

/** Connects once (SASL included), so bad credentials fail now, not on the first Kafka request. */
async function authenticated (access: KafkaAccess): Promise<KafkaAccess> {
  try {
    await access.admin.cluster.any()
    return access
  } catch (err) {
    await access.close()
    throw err
  }
}
