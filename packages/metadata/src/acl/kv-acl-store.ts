// The AclStore over the metadata key-value seam (etcd in cluster mode; MemoryKv in tests): one key
// per binding under <prefix>/acls/, its value the binding as JSON. Each store keeps a mirror fed
// by a prefix watch, so a change made through any broker reaches every broker's authorizer. A
// write resolves once this store's mirror has caught up with it (read-your-writes).
import type { Logger } from '@brook/common'
import type { KvBackend, KvEntry, KvEvent, KvOp, KvWatch } from '../kv/kv-backend.js'
import { type AclBinding, aclKey, parseBinding } from './acl-binding.js'
import type { AclListener, AclStore } from './acl-store.js'

export interface KvAclStoreOptions {
  /** The cluster's key prefix (etcd.prefix); bindings live under <prefix>/acls/. */
  prefix: string
  logger: Logger
  /** Whether close() also closes the backend (true when the store opened it). */
  ownsBackend: boolean
}

export class KvAclStore implements AclStore {
  private readonly kv: KvBackend
  private readonly dir: string
  private readonly logger: Logger
  private readonly ownsBackend: boolean
  private readonly bindings = new Map<string, AclBinding>()
  private readonly listeners = new Set<AclListener>()
  private applied = 0
  private waiters: Array<{ revision: number, resolve: () => void }> = []
  private watch: KvWatch | null = null

  private constructor (kv: KvBackend, options: KvAclStoreOptions) {
    this.kv = kv
    this.dir = `${options.prefix}/acls/`
    this.logger = options.logger
    this.ownsBackend = options.ownsBackend
  }

  static async open (kv: KvBackend, options: KvAclStoreOptions): Promise<KvAclStore> {
    const store = new KvAclStore(kv, options)
    const { entries, revision } = await kv.range(store.dir)
    store.reset(entries, revision)
    store.watch = await kv.watch(store.dir, revision + 1, {
      events: (rev, events) => store.onEvents(rev, events),
      reset: (all, rev) => store.reset(all, rev)
    })
    return store
  }

  list (): readonly AclBinding[] {
    return [...this.bindings.values()]
  }

  async create (bindings: readonly AclBinding[]): Promise<void> {
    const fresh = new Map<string, AclBinding>()
    for (const b of bindings) if (!this.bindings.has(aclKey(b))) fresh.set(aclKey(b), b)
    await this.write([...fresh].map(([key, b]) => ({ type: 'put', key: this.keyOf(key), value: JSON.stringify(b) })))
  }

  async remove (bindings: readonly AclBinding[]): Promise<AclBinding[]> {
    const removed: AclBinding[] = []
    const ops: KvOp[] = []
    for (const b of bindings) {
      const key = this.keyOf(aclKey(b))
      if (ops.some((op) => op.type === 'delete' && op.key === key)) continue
      if (await this.kv.get(key) === null) continue
      removed.push(b)
      ops.push({ type: 'delete', key })
    }
    await this.write(ops)
    return removed
  }

  subscribe (listener: AclListener): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  async close (): Promise<void> {
    await this.watch?.cancel()
    this.watch = null
    this.listeners.clear()
    for (const w of this.waiters) w.resolve()
    this.waiters = []
    if (this.ownsBackend) await this.kv.close()
  }

  /** Writes in transactions under the backend's limits, then waits for the mirror to see them. */
  private async write (ops: readonly KvOp[]): Promise<void> {
    // The etcd seam wants a condition on every transaction; ACL writes need none, so each carries
    // one that always holds: a key that is never written is absent.
    const always = { key: `${this.dir.slice(0, -1)}-unwritten`, target: 'create' as const, revision: 0 }
    const limit = Math.max(1, this.kv.limits.maxTxnOps - 1)
    let last = 0
    for (let i = 0; i < ops.length; i += limit) {
      const result = await this.kv.txn({ compares: [always], success: ops.slice(i, i + limit) })
      last = result.revision
    }
    if (last > this.applied) await new Promise<void>((resolve) => this.waiters.push({ revision: last, resolve }))
  }

  private keyOf (identity: string): string {
    return `${this.dir}${Buffer.from(identity).toString('base64url')}`
  }

  private reset (entries: readonly KvEntry[], revision: number): void {
    this.bindings.clear()
    for (const e of entries) this.put(e.key, e.value)
    this.advance(revision)
  }

  private onEvents (revision: number, events: readonly KvEvent[]): void {
    for (const e of events) {
      if (e.type === 'put') this.put(e.key, e.value)
      else this.bindings.delete(e.key)
    }
    this.advance(revision)
  }

  private put (key: string, value: string): void {
    let binding: AclBinding | null = null
    try {
      binding = parseBinding(JSON.parse(value))
    } catch (err) {
      this.logger.warn({ err, key }, 'ignoring an ACL entry that is not JSON')
      return
    }
    if (binding === null) this.logger.warn({ key }, 'ignoring an invalid ACL entry')
    else this.bindings.set(key, binding)
  }

  private advance (revision: number): void {
    this.applied = Math.max(this.applied, revision)
    const all = this.list()
    for (const listener of this.listeners) listener(all)
    const ready = this.waiters.filter((w) => w.revision <= this.applied)
    this.waiters = this.waiters.filter((w) => w.revision > this.applied)
    for (const w of ready) w.resolve()
  }
}
