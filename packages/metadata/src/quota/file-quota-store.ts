// The embedded ClientQuotaStore: brook-client-quotas.json in the broker's first log dir, replaced
// atomically on every change, so after a crash it holds the old or the new table.
// Format: {version:1, quotas:[{entity:[[type, name|null], ...], values:{key: value}}]}.
// Changes run one at a time.
import { join } from 'node:path'
import { SerialQueue } from '@brook/common'
import { readFileIfExists, writeFileAtomic } from '../records/atomic-file.js'
import { quotaEntityFromKey, quotaEntityKey, type ClientQuotaStore, type QuotaChange, type QuotaEntity, type QuotaRecord } from './quota-records.js'

export const QUOTA_FILE = 'brook-client-quotas.json'

type Table = Map<string, Map<string, number>>

export class FileClientQuotaStore implements ClientQuotaStore {
  private readonly path: string
  private table: Table = new Map()
  private keys = new Set<string>()
  private readonly writes = new SerialQueue()

  private constructor (dir: string) {
    this.path = join(dir, QUOTA_FILE)
  }

  static async open (dir: string): Promise<FileClientQuotaStore> {
    const store = new FileClientQuotaStore(dir)
    const text = await readFileIfExists(store.path)
    if (text !== null) store.table = parse(store.path, text)
    store.keys = keysOf(store.table)
    return store
  }

  records (): readonly QuotaRecord[] {
    return recordsOf(this.table)
  }

  valuesOf (entity: QuotaEntity): ReadonlyMap<string, number> {
    return this.table.get(quotaEntityKey(entity)) ?? new Map()
  }

  hasKey (key: string): boolean {
    return this.keys.has(key)
  }

  async apply (changes: readonly QuotaChange[]): Promise<void> {
    await this.writes.run(async () => {
      const next: Table = new Map([...this.table].map(([k, v]) => [k, new Map(v)]))
      for (const { entity, key, value } of changes) {
        const k = quotaEntityKey(entity)
        const values = next.get(k) ?? new Map<string, number>()
        if (value === null) values.delete(key)
        else values.set(key, value)
        if (values.size === 0) next.delete(k)
        else next.set(k, values)
      }
      const file = { version: 1, quotas: recordsOf(next).map((r) => ({ entity: [...r.entity], values: Object.fromEntries(r.values) })) }
      await writeFileAtomic(this.path, JSON.stringify(file, null, 2))
      this.table = next
      this.keys = keysOf(next)
    })
  }

  async close (): Promise<void> {
    await this.writes.run(async () => {})
  }
}

function keysOf (table: Table): Set<string> {
  const keys = new Set<string>()
  for (const values of table.values()) for (const key of values.keys()) keys.add(key)
  return keys
}

function recordsOf (table: Table): QuotaRecord[] {
  const out: QuotaRecord[] = []
  for (const [key, values] of table) {
    const entity = quotaEntityFromKey(key)
    if (entity !== null) out.push({ entity, values })
  }
  return out
}

function parse (path: string, text: string): Table {
  let file: { version?: unknown, quotas?: unknown }
  try {
    file = JSON.parse(text) as typeof file
  } catch (err) {
    throw new Error(`BROOK_QUOTA_FILE: ${path} is not valid JSON: ${(err as Error).message}`)
  }
  if (file.version !== 1 || !Array.isArray(file.quotas)) throw new Error(`BROOK_QUOTA_FILE: ${path} has an unknown format`)
  const table: Table = new Map()
  for (const q of file.quotas as Array<{ entity?: unknown, values?: unknown }>) {
    const entity = quotaEntityFromKey(JSON.stringify(q.entity ?? null))
    const values = new Map<string, number>()
    for (const [key, value] of Object.entries((q.values ?? {}) as Record<string, unknown>)) {
      if (typeof value === 'number' && Number.isFinite(value)) values.set(key, value)
    }
    if (entity === null) throw new Error(`BROOK_QUOTA_FILE: ${path} holds an invalid quota entity`)
    if (values.size > 0) table.set(quotaEntityKey(entity), values)
  }
  return table
}
