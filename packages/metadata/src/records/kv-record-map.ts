// A map of JSON records under one key prefix of the metadata key-value seam, mirrored locally: the
// whole prefix is read at open, then a prefix watch keeps the mirror current, so reads are
// synchronous and every process that opens the same prefix converges to the same records. A
// write resolves once this mirror has caught up with it (read-your-writes). The durable stores
// that live in etcd beside the cluster metadata (ACLs, SCRAM credentials) are built on it.
import type { Logger } from '@brook/common'
import type { KvBackend, KvEntry, KvEvent, KvOp, KvWatch } from '../kv/kv-backend.js'

export interface KvRecordMapOptions<T> {
  /** The prefix the records live under, ending with '/'. */
  dir: string
  /** A stored value back to a record; null (logged, skipped) when it is not one. */
  parse: (value: unknown) => T | null
  logger: Logger
}

export class KvRecordMap<T> {
  private readonly kv: KvBackend
  private readonly options: KvRecordMapOptions<T>
  private readonly records = new Map<string, T>()
  private readonly listeners = new Set<() => void>()
  private applied = 0
  private waiters: Array<{ revision: number, resolve: () => void }> = []
  private watch: KvWatch | null = null

  private constructor (kv: KvBackend, options: KvRecordMapOptions<T>) {
    this.kv = kv
    this.options = options
  }

  static async open<T> (kv: KvBackend, options: KvRecordMapOptions<T>): Promise<KvRecordMap<T>> {
    const map = new KvRecordMap(kv, options)
    const { entries, revision } = await kv.range(options.dir)
    map.reset(entries, revision)
    map.watch = await kv.watch(options.dir, revision + 1, {
      events: (rev, events) => map.onEvents(rev, events),
      reset: (all, rev) => map.reset(all, rev)
    })
    return map
  }

  /** Records by name (the key after the prefix). */
  get entries (): ReadonlyMap<string, T> {
    return this.records
  }

  /** Whether the record exists in the store now (not only in the mirror). */
  async exists (name: string): Promise<boolean> {
    return await this.kv.get(this.options.dir + name) !== null
  }

  /** Puts and deletes, in transactions under the backend's limits; resolves once mirrored. */
  async write (puts: ReadonlyArray<readonly [string, T]>, deletes: readonly string[]): Promise<void> {
    const ops: KvOp[] = [
      ...puts.map(([name, record]): KvOp => ({ type: 'put', key: this.options.dir + name, value: JSON.stringify(record) })),
      ...deletes.map((name): KvOp => ({ type: 'delete', key: this.options.dir + name }))
    ]
    // The etcd seam wants a condition on every transaction; these writes need none, so each
    // carries one that always holds: a key that is never written is absent.
    const always = { key: `${this.options.dir.slice(0, -1)}-unwritten`, target: 'create' as const, revision: 0 }
    const limit = Math.max(1, this.kv.limits.maxTxnOps - 1)
    let last = 0
    for (let i = 0; i < ops.length; i += limit) {
      last = (await this.kv.txn({ compares: [always], success: ops.slice(i, i + limit) })).revision
    }
    if (last > this.applied) await new Promise<void>((resolve) => this.waiters.push({ revision: last, resolve }))
  }

  /** Called after every change of the mirror. Returns unsubscribe. */
  subscribe (listener: () => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  async close (): Promise<void> {
    await this.watch?.cancel()
    this.watch = null
    this.listeners.clear()
    for (const w of this.waiters) w.resolve()
    this.waiters = []
  }

  private reset (entries: readonly KvEntry[], revision: number): void {
    this.records.clear()
    for (const e of entries) this.put(e.key, e.value)
    this.advance(revision)
  }

  private onEvents (revision: number, events: readonly KvEvent[]): void {
    for (const e of events) {
      if (e.type === 'put') this.put(e.key, e.value)
      else this.records.delete(e.key.slice(this.options.dir.length))
    }
    this.advance(revision)
  }

  private put (key: string, value: string): void {
    const name = key.slice(this.options.dir.length)
    let record: T | null = null
    try {
      record = this.options.parse(JSON.parse(value))
    } catch (err) {
      this.options.logger.warn({ err, key }, 'ignoring a stored record that is not JSON')
      return
    }
    if (record === null) this.options.logger.warn({ key }, 'ignoring an invalid stored record')
    else this.records.set(name, record)
  }

  private advance (revision: number): void {
    this.applied = Math.max(this.applied, revision)
    for (const listener of this.listeners) listener()
    const ready = this.waiters.filter((w) => w.revision <= this.applied)
    this.waiters = this.waiters.filter((w) => w.revision > this.applied)
    for (const w of ready) w.resolve()
  }
}
