// Where client quotas live. The interface is what the handlers and the enforcement need: every
// entity with its values, and atomic batches of changes persisted before they are visible.
// The embedded implementation is a JSON file in the first log dir, replaced atomically (write a
// temporary file, fsync, rename). A cluster-wide (etcd) implementation plugs in behind the same
// interface.
import { open, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { entityFromKey, entityKey, type QuotaEntity } from './quota-entity.js'

export interface QuotaRecord {
  readonly entity: QuotaEntity
  /** quota key -> value */
  readonly values: ReadonlyMap<string, number>
}

/** One op of AlterClientQuotas: value null removes the key. */
export interface QuotaChange {
  readonly entity: QuotaEntity
  readonly key: string
  readonly value: number | null
}

export interface ClientQuotaStore {
  /** Every entity that has at least one quota. */
  records (): readonly QuotaRecord[]
  /** The values of one entity (empty when it has none). */
  valuesOf (entity: QuotaEntity): ReadonlyMap<string, number>
  /** Applies the changes together; resolves once they are durable (and visible). */
  apply (changes: readonly QuotaChange[]): Promise<void>
  close (): Promise<void>
}

export const QUOTA_FILE = 'brook-client-quotas.json'

interface FileFormat {
  version: 1
  quotas: Array<{ entity: Array<[string, string | null]>, values: Record<string, number> }>
}

export class FileClientQuotaStore implements ClientQuotaStore {
  private readonly path: string
  private entries: Map<string, Map<string, number>>
  private writing: Promise<void> = Promise.resolve()

  private constructor (path: string, entries: Map<string, Map<string, number>>) {
    this.path = path
    this.entries = entries
  }

  static async open (dir: string): Promise<FileClientQuotaStore> {
    const path = join(dir, QUOTA_FILE)
    let text: string | null = null
    try {
      text = await readFile(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    const entries = new Map<string, Map<string, number>>()
    if (text !== null) {
      const parsed = JSON.parse(text) as FileFormat
      if (parsed.version !== 1) throw new Error(`BROOK_QUOTA_FILE: unknown version in ${path}`)
      for (const q of parsed.quotas) entries.set(entityKey(new Map(q.entity)), new Map(Object.entries(q.values)))
    }
    return new FileClientQuotaStore(path, entries)
  }

  records (): readonly QuotaRecord[] {
    return [...this.entries].map(([key, values]) => ({ entity: entityFromKey(key), values }))
  }

  valuesOf (entity: QuotaEntity): ReadonlyMap<string, number> {
    return this.entries.get(entityKey(entity)) ?? new Map()
  }

  async apply (changes: readonly QuotaChange[]): Promise<void> {
    // Writes are serialized: each persists the state after its own changes and every earlier one.
    const run = this.writing.then(async () => {
      const next = new Map([...this.entries].map(([k, v]) => [k, new Map(v)]))
      for (const { entity, key, value } of changes) {
        const k = entityKey(entity)
        const values = next.get(k) ?? new Map<string, number>()
        if (value === null) values.delete(key)
        else values.set(key, value)
        if (values.size === 0) next.delete(k)
        else next.set(k, values)
      }
      await this.persist(next)
      this.entries = next
    })
    this.writing = run.catch(() => { /* the caller of this apply sees the failure; later writes still run */ })
    await run
  }

  private async persist (entries: Map<string, Map<string, number>>): Promise<void> {
    const body: FileFormat = {
      version: 1,
      quotas: [...entries].map(([key, values]) => ({ entity: [...entityFromKey(key)], values: Object.fromEntries(values) }))
    }
    const tmp = `${this.path}.tmp`
    const file = await open(tmp, 'w')
    try {
      await file.writeFile(JSON.stringify(body, null, 2))
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(tmp, this.path)
  }

  async close (): Promise<void> {
    await this.writing
  }
}
