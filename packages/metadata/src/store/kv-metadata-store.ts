// The ClusterMetadataStore over a KvBackend: one local mirror fed by a prefix watch, and broker
// sessions that write through fenced transactions. Used with the embedded backend (single node)
// and with etcd.
import type { Logger } from '@brook/common'
import type { BrokerRegistrationRequest, BrokerSession, ClusterMetadataStore } from '../cluster-metadata.js'
import { MetadataError } from '../errors.js'
import type { KvBackend, KvWatch } from '../kv/kv-backend.js'
import type { MetadataSnapshot, MetadataUpdate } from '../snapshot.js'
import { KvBrokerSession } from './broker-session.js'
import { MetadataKeys } from './keys.js'
import { StateMirror } from './state-mirror.js'
import type { StoreContext } from './store-context.js'

export interface KvMetadataStoreOptions {
  prefix: string
  leaseTtlSeconds: number
  heartbeatIntervalMs: number
  /** How long a write waits for its own change to reach the local snapshot. */
  requestTimeoutMs: number
  logger: Logger
}

export class KvMetadataStore implements ClusterMetadataStore {
  private readonly ctx: StoreContext
  private readonly mirror: StateMirror
  private readonly sessions = new Set<KvBrokerSession>()
  private watch: KvWatch | null = null
  private closed = false

  private constructor (private readonly kv: KvBackend, private readonly options: KvMetadataStoreOptions) {
    const keys = new MetadataKeys(options.prefix)
    this.mirror = new StateMirror(keys, options.logger)
    this.ctx = {
      kv,
      keys,
      mirror: this.mirror,
      logger: options.logger,
      leaseTtlSeconds: options.leaseTtlSeconds,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      waitFor: async (revision) => await this.waitForRevision(revision)
    }
  }

  /** Reads the whole prefix once, then follows it from the next revision on. */
  static async open (kv: KvBackend, options: KvMetadataStoreOptions): Promise<KvMetadataStore> {
    const store = new KvMetadataStore(kv, options)
    const all = store.ctx.keys.all
    const { entries, revision } = await kv.range(all)
    store.mirror.reset(entries, revision)
    store.watch = await kv.watch(all, revision + 1, {
      events: (rev, events) => { store.mirror.apply(rev, events) },
      reset: (kvs, rev) => { store.mirror.reset(kvs, rev) }
    })
    return store
  }

  snapshot (): MetadataSnapshot {
    return this.mirror.snapshot()
  }

  async clusterId (proposed: string): Promise<string> {
    const key = this.ctx.keys.clusterId
    // Created only if absent (mod revision 0); a lost race reads the winner's on the next pass.
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await this.kv.get(key)
      if (stored !== null) return stored.value
      const { succeeded } = await this.kv.txn({ compares: [{ key, target: 'mod', revision: 0 }], success: [{ type: 'put', key, value: proposed }] })
      if (succeeded) return proposed
    }
    throw new MetadataError('REQUEST_TIMED_OUT', `${key} neither readable nor writable`)
  }

  subscribe (listener: (update: MetadataUpdate) => void): () => void {
    return this.mirror.subscribe(listener)
  }

  async waitForRevision (revision: number, timeoutMs = this.options.requestTimeoutMs): Promise<MetadataSnapshot> {
    const current = this.mirror.snapshot()
    if (current.revision >= revision) return current
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new MetadataError('REQUEST_TIMED_OUT', `revision ${revision} not seen within ${timeoutMs} ms`))
      }, timeoutMs)
    })
    try {
      return await Promise.race([this.mirror.waitFor(revision), timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  async registerBroker (request: BrokerRegistrationRequest): Promise<BrokerSession> {
    if (this.closed) throw new MetadataError('INVALID_REQUEST', 'metadata store closed')
    const session = await KvBrokerSession.register(this.ctx, request)
    this.sessions.add(session)
    session.onFenced(() => { this.sessions.delete(session) })
    return session
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    // Sessions stop heartbeating; their leases lapse on their own (a store closed without
    // closing its sessions behaves like a broker that died).
    for (const s of this.sessions) s.pauseHeartbeats()
    this.sessions.clear()
    await this.watch?.cancel()
    await this.kv.close()
  }
}
