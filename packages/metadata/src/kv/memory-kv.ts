// The embedded backend: etcd's key-value semantics in one process's memory. Revisions, compares,
// leases with expiry, prefix watches with history and etcd's default transaction limits are
// reproduced, so the metadata rules behave here as on etcd; durability and reach are not (this is
// the single-broker store: it lives and dies with its broker).
import type {
  KvBackend, KvCompare, KvEntry, KvEvent, KvLimits, KvOp, KvTxn, KvTxnResult, KvWatch, KvWatchHandler, LeaseId
} from './kv-backend.js'
import { ETCD_DEFAULT_LIMITS, NO_LEASE, txnBytes } from './kv-backend.js'

/** Revisions kept for watches that start in the past; older starts get a reset. */
const HISTORY_REVISIONS = 1000

interface Lease {
  readonly ttlMs: number
  timer: NodeJS.Timeout
  readonly keys: Set<string>
}

interface Watcher {
  readonly prefix: string
  readonly handler: KvWatchHandler
  /** Revisions below this were delivered (or predate the watch). */
  next: number
  cancelled: boolean
}

export class MemoryKv implements KvBackend {
  readonly limits: KvLimits
  private revision = 1
  private nextLease = 1
  private closed = false
  private readonly entries = new Map<string, KvEntry>()
  private readonly leases = new Map<LeaseId, Lease>()
  private readonly history: Array<{ revision: number, events: KvEvent[] }> = []
  private readonly watchers = new Set<Watcher>()
  private delivering = false

  constructor (limits: KvLimits = ETCD_DEFAULT_LIMITS) {
    this.limits = limits
  }

  async range (prefix: string): Promise<{ entries: KvEntry[], revision: number }> {
    this.checkOpen()
    const entries = [...this.entries.values()].filter((e) => e.key.startsWith(prefix))
    entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    return { entries, revision: this.revision }
  }

  async get (key: string): Promise<KvEntry | null> {
    this.checkOpen()
    return this.entries.get(key) ?? null
  }

  async txn (txn: KvTxn): Promise<KvTxnResult> {
    this.checkOpen()
    if (txn.compares.length > this.limits.maxTxnOps || txn.success.length > this.limits.maxTxnOps) {
      throw new Error('etcdserver: too many operations in txn request')
    }
    if (txnBytes(txn) > this.limits.maxRequestBytes) throw new Error('etcdserver: request is too large')
    for (const op of txn.success) {
      if (op.type === 'put' && op.lease !== undefined && op.lease !== NO_LEASE && !this.leases.has(op.lease)) {
        throw new Error('etcdserver: requested lease not found')
      }
    }
    if (!txn.compares.every((c) => this.holds(c))) return { succeeded: false, revision: this.revision }
    if (txn.success.length === 0) return { succeeded: true, revision: this.revision }
    const revision = this.revision + 1
    const events: KvEvent[] = []
    for (const op of txn.success) this.apply(op, revision, events)
    if (events.length > 0) this.commit(revision, events)
    return { succeeded: true, revision: this.revision }
  }

  async grantLease (ttlSeconds: number): Promise<LeaseId> {
    this.checkOpen()
    const id = String(this.nextLease++)
    const ttlMs = Math.max(1, ttlSeconds) * 1000
    this.leases.set(id, { ttlMs, timer: this.expiryTimer(id, ttlMs), keys: new Set() })
    return id
  }

  async keepAlive (lease: LeaseId): Promise<boolean> {
    this.checkOpen()
    const l = this.leases.get(lease)
    if (l === undefined) return false
    clearTimeout(l.timer)
    l.timer = this.expiryTimer(lease, l.ttlMs)
    return true
  }

  async revokeLease (lease: LeaseId): Promise<void> {
    this.checkOpen()
    this.expire(lease)
  }

  async watch (prefix: string, fromRevision: number, handler: KvWatchHandler): Promise<KvWatch> {
    this.checkOpen()
    const watcher: Watcher = { prefix, handler, next: fromRevision, cancelled: false }
    const oldest = this.history[0]?.revision ?? this.revision + 1
    if (fromRevision < oldest && fromRevision <= this.revision) {
      const { entries, revision } = await this.range(prefix)
      handler.reset(entries, revision)
      watcher.next = revision + 1
    }
    this.watchers.add(watcher)
    this.deliver()
    return {
      cancel: async () => {
        watcher.cancelled = true
        this.watchers.delete(watcher)
      }
    }
  }

  /** Forgets history up to `revision`, as etcd's compaction does: older watches get a reset. */
  compact (revision: number): void {
    while ((this.history[0]?.revision ?? Infinity) <= revision) this.history.shift()
  }

  /**
   * One more client of this backend, as several sessions inside one process share it (each store
   * its own client): closing the client leaves the backend to the others.
   */
  client (): KvBackend {
    return {
      limits: this.limits,
      range: async (prefix) => await this.range(prefix),
      get: async (key) => await this.get(key),
      txn: async (txn) => await this.txn(txn),
      grantLease: async (ttl) => await this.grantLease(ttl),
      keepAlive: async (lease) => await this.keepAlive(lease),
      revokeLease: async (lease) => await this.revokeLease(lease),
      watch: async (prefix, from, handler) => await this.watch(prefix, from, handler),
      close: async () => {}
    }
  }

  async close (): Promise<void> {
    this.closed = true
    for (const lease of this.leases.values()) clearTimeout(lease.timer)
    this.leases.clear()
    this.watchers.clear()
  }

  private checkOpen (): void {
    if (this.closed) throw new Error('metadata store closed')
  }

  private holds (c: KvCompare): boolean {
    const e = this.entries.get(c.key)
    const actual = e === undefined ? 0 : c.target === 'create' ? e.createRevision : e.modRevision
    return actual === c.revision
  }

  private apply (op: KvOp, revision: number, events: KvEvent[]): void {
    if (op.type === 'put') {
      const prev = this.entries.get(op.key)
      if (prev !== undefined && prev.lease !== NO_LEASE) this.leases.get(prev.lease)?.keys.delete(op.key)
      const lease = op.lease ?? NO_LEASE
      const entry: KvEntry = {
        key: op.key, value: op.value, lease, modRevision: revision, createRevision: prev?.createRevision ?? revision
      }
      this.entries.set(op.key, entry)
      if (lease !== NO_LEASE) this.leases.get(lease)?.keys.add(op.key)
      events.push({ type: 'put', key: op.key, value: op.value, modRevision: revision, createRevision: entry.createRevision })
      return
    }
    const keys = op.type === 'delete' ? [op.key] : [...this.entries.keys()].filter((k) => k.startsWith(op.prefix))
    for (const key of keys) {
      const prev = this.entries.get(key)
      if (prev === undefined) continue
      if (prev.lease !== NO_LEASE) this.leases.get(prev.lease)?.keys.delete(key)
      this.entries.delete(key)
      events.push({ type: 'delete', key, value: '', modRevision: revision, createRevision: 0 })
    }
  }

  private commit (revision: number, events: KvEvent[]): void {
    this.revision = revision
    this.history.push({ revision, events })
    if (this.history.length > HISTORY_REVISIONS) this.history.shift()
    this.deliver()
  }

  private expiryTimer (lease: LeaseId, ttlMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.expire(lease), ttlMs)
    // The broker's own lifetime decides when the process ends, not its lease.
    timer.unref()
    return timer
  }

  /** Deletes a lease and its keys at one revision, as etcd does. */
  private expire (lease: LeaseId): void {
    const l = this.leases.get(lease)
    if (l === undefined) return
    clearTimeout(l.timer)
    this.leases.delete(lease)
    if (l.keys.size === 0) return
    const revision = this.revision + 1
    const events: KvEvent[] = []
    for (const key of [...l.keys].sort()) this.apply({ type: 'delete', key }, revision, events)
    this.commit(revision, events)
  }

  /**
   * Hands history to watchers in revision order. Delivery is deferred to a microtask and never
   * re-entered, so a handler that writes cannot interleave a newer revision before an older one.
   */
  private deliver (): void {
    if (this.delivering) return
    this.delivering = true
    queueMicrotask(() => {
      try {
        for (const watcher of this.watchers) {
          for (const { revision, events } of this.history) {
            if (watcher.cancelled) break
            if (revision < watcher.next) continue
            watcher.next = revision + 1
            const mine = events.filter((e) => e.key.startsWith(watcher.prefix))
            if (mine.length > 0) watcher.handler.events(revision, mine)
          }
        }
      } finally {
        this.delivering = false
      }
      if (this.watchers.size > 0 && [...this.watchers].some((w) => w.next <= this.revision)) this.deliver()
    })
  }
}
