// The etcd backend: the KvBackend seam over the `etcd3` client (etcd's v3 gRPC API, tested against
// etcd 3.4). Only the client's public API is used. Writes are never retried here: a transaction
// whose answer was lost may have committed, and only the caller can tell (it re-reads).
import { createRequire } from 'node:module'
import type { Etcd3, IKeyValue, IWatchResponse, Lease, Watcher } from 'etcd3'
import { noop } from 'cockatiel'
import type { Logger } from '@brook/common'
import type {
  KvBackend, KvEntry, KvEvent, KvLimits, KvTxn, KvTxnResult, KvWatch, KvWatchHandler, LeaseId
} from './kv-backend.js'
import { ETCD_DEFAULT_LIMITS, NO_LEASE } from './kv-backend.js'

export interface EtcdKvOptions {
  /** Client URLs, e.g. ['http://127.0.0.1:2379']. */
  endpoints: readonly string[]
  /** Deadline of each unary call. */
  requestTimeoutMs: number
  logger: Logger
  limits?: KvLimits
}

/**
 * The etcd3 client and its gRPC stack take seconds to load on a busy machine: loaded on first use,
 * so a broker without etcd never pays for them.
 */
let etcd3Module: typeof import('etcd3') | undefined
function etcd3 (): typeof import('etcd3') {
  etcd3Module ??= createRequire(import.meta.url)('etcd3') as typeof import('etcd3')
  return etcd3Module
}

function entryOf (kv: IKeyValue): KvEntry {
  return {
    key: kv.key.toString(),
    value: kv.value.toString(),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    lease: kv.lease === '' ? NO_LEASE : String(kv.lease)
  }
}

export class EtcdKv implements KvBackend {
  readonly limits: KvLimits
  private readonly client: Etcd3
  private readonly logger: Logger
  /** Lease handles granted here, by id, for keepalive and revoke. */
  private readonly leases = new Map<LeaseId, Lease>()

  constructor (options: EtcdKvOptions) {
    this.limits = options.limits ?? ETCD_DEFAULT_LIMITS
    this.logger = options.logger
    const timeout = options.requestTimeoutMs
    this.client = new (etcd3().Etcd3)({
      hosts: [...options.endpoints],
      dialTimeout: timeout,
      // No client-side retries or circuit breaker: a retried write may apply twice, and an open
      // breaker would keep the store away from an etcd that is already back.
      faultHandling: { global: noop, host: () => noop },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout })
    })
  }

  async range (prefix: string): Promise<{ entries: KvEntry[], revision: number }> {
    const res = await this.client.getAll().prefix(prefix).exec()
    return { entries: res.kvs.map(entryOf), revision: Number(res.header.revision) }
  }

  async get (key: string): Promise<KvEntry | null> {
    const res = await this.client.get(key).exec()
    const kv = res.kvs[0]
    return kv === undefined ? null : entryOf(kv)
  }

  async txn (txn: KvTxn): Promise<KvTxnResult> {
    const [first, ...rest] = txn.compares
    // Every write of the metadata store is conditional (at least its writer's fence).
    if (first === undefined) throw new Error('an etcd transaction here needs at least one compare')
    let builder = this.client.if(first.key, first.target === 'create' ? 'Create' : 'Mod', '==', first.revision)
    for (const c of rest) builder = builder.and(c.key, c.target === 'create' ? 'Create' : 'Mod', '==', c.revision)
    const ops = txn.success.map((op) => {
      if (op.type === 'put') {
        const put = this.client.put(op.key).value(op.value)
        return op.lease !== undefined && op.lease !== NO_LEASE ? put.lease(op.lease) : put
      }
      if (op.type === 'delete') return this.client.delete().key(op.key)
      return this.client.delete().prefix(op.prefix)
    })
    const res = await builder.then(...ops).commit()
    return { succeeded: res.succeeded, revision: Number(res.header.revision) }
  }

  async grantLease (ttlSeconds: number): Promise<LeaseId> {
    const lease = this.client.lease(ttlSeconds, { autoKeepAlive: false })
    // The handle reports a failed grant both by rejecting grant() and by 'lost'; grant() is
    // where the caller hears it, so 'lost' only needs a listener.
    lease.on('lost', (err: Error) => this.logger.debug({ err: err.message }, 'etcd lease lost'))
    const id = await lease.grant()
    this.leases.set(id, lease)
    return id
  }

  async keepAlive (lease: LeaseId): Promise<boolean> {
    const handle = this.leases.get(lease)
    if (handle === undefined) return false
    try {
      await handle.keepaliveOnce()
      return true
    } catch (err) {
      if (err instanceof etcd3().EtcdLeaseInvalidError) {
        this.leases.delete(lease)
        return false
      }
      throw err
    }
  }

  async revokeLease (lease: LeaseId): Promise<void> {
    const handle = this.leases.get(lease)
    if (handle === undefined) return
    this.leases.delete(lease)
    await handle.revoke()
  }

  async watch (prefix: string, fromRevision: number, handler: KvWatchHandler): Promise<KvWatch> {
    const stream = new ResumingWatch(this.client, prefix, fromRevision, handler, this.logger, async () => await this.range(prefix))
    await stream.start()
    return { cancel: async () => await stream.cancel() }
  }

  async close (): Promise<void> {
    this.leases.clear()
    this.client.close()
  }
}

/**
 * A prefix watch that survives etcd restarts and lost connections without losing or reordering a
 * change: it remembers the last revision it handed on, and every new stream starts right after
 * it (events at or below it are dropped as repeats). If etcd compacted that history away, it
 * re-reads the prefix and hands it on as a reset.
 */
class ResumingWatch {
  private watcher: Watcher | null = null
  private applied: number
  private cancelled = false

  constructor (
    private readonly client: Etcd3,
    private readonly prefix: string,
    fromRevision: number,
    private readonly handler: KvWatchHandler,
    private readonly logger: Logger,
    private readonly rangeAll: () => Promise<{ entries: KvEntry[], revision: number }>
  ) {
    this.applied = fromRevision - 1
  }

  /** Opens a stream from the revision after the last one handed on; resolves once etcd accepted it. */
  async start (): Promise<void> {
    if (this.cancelled) return
    const watcher = this.client.watch().prefix(this.prefix).startRevision(String(this.applied + 1)).watcher()
    this.watcher = watcher
    let connected = false
    const accepted = new Promise<void>((resolve, reject) => {
      watcher.once('connected', () => { connected = true; resolve() })
      watcher.once('error', reject)
    })
    watcher.on('data', (res: IWatchResponse) => this.onData(res))
    // Before the first connection the client retries with back-off from our revision. After it,
    // the client would resume from a revision computed from response headers, which can pass
    // events not yet received; a fresh watcher from our own revision cannot.
    watcher.on('disconnected', () => { if (connected) this.restart(watcher, 'disconnected') })
    watcher.on('error', (err: Error) => {
      // Before acceptance the error rejects start(), whose caller decides; after it, etcd
      // cancelled a live watch (its history was compacted): re-read and resume.
      if (!connected) return
      this.logger.warn({ err: err.message }, 'etcd watch cancelled; re-reading the metadata prefix')
      this.restart(watcher, 'cancelled')
    })
    try {
      await accepted
    } catch (err) {
      if (this.watcher === watcher) this.watcher = null
      await watcher.cancel()
      throw err
    }
  }

  async cancel (): Promise<void> {
    this.cancelled = true
    const w = this.watcher
    this.watcher = null
    if (w !== null) await w.cancel()
  }

  private onData (res: IWatchResponse): void {
    let batch: KvEvent[] = []
    let batchRevision = 0
    const flush = (): void => {
      if (batch.length > 0 && batchRevision > this.applied) {
        this.applied = batchRevision
        this.handler.events(batchRevision, batch)
      }
      batch = []
    }
    for (const ev of res.events) {
      const revision = Number(ev.kv.mod_revision)
      if (revision !== batchRevision) {
        flush()
        batchRevision = revision
      }
      batch.push({
        type: ev.type === 'Put' ? 'put' : 'delete',
        key: ev.kv.key.toString(),
        value: ev.type === 'Put' ? ev.kv.value.toString() : '',
        modRevision: revision,
        createRevision: Number(ev.kv.create_revision)
      })
    }
    flush()
  }

  private restart (old: Watcher, why: 'disconnected' | 'cancelled'): void {
    if (this.cancelled || this.watcher !== old) return
    this.watcher = null
    old.removeAllListeners('data')
    setImmediate(() => { void this.reopen(old, why === 'cancelled') })
  }

  /** Replaces a broken stream; keeps trying (with back-off) until one is accepted or cancelled. */
  private async reopen (old: Watcher, resync: boolean): Promise<void> {
    try {
      await old.cancel()
    } catch (err) {
      // The old stream is dropped either way; its cancellation only tidies the client.
      this.logger.debug({ err }, 'cancelling a broken etcd watch failed')
    }
    for (let attempt = 0; !this.cancelled; attempt++) {
      try {
        if (resync) await this.resync()
        await this.start()
        return
      } catch (err) {
        this.logger.warn({ err, attempt }, 'etcd watch could not be re-created; retrying')
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * 2 ** attempt)))
      }
    }
  }

  /** After a compaction: the whole prefix at one revision, then events after it. */
  private async resync (): Promise<void> {
    for (let attempt = 0; !this.cancelled; attempt++) {
      try {
        const { entries, revision } = await this.rangeAll()
        this.applied = revision
        this.handler.reset(entries, revision)
        return
      } catch (err) {
        this.logger.warn({ err, attempt }, 'etcd unreachable while re-reading the metadata prefix')
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * 2 ** attempt)))
      }
    }
  }
}
