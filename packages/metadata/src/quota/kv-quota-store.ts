// The ClientQuotaStore over the metadata key-value seam (etcd in cluster mode): one key per entity
// and quota key under <prefix>/client-quotas/<entity key, base64url>/<quota key>, holding the
// value, mirrored by a prefix watch (records/kv-record-map.ts), so a quota altered through any
// broker is enforced by every broker. One key per value: two brokers changing different keys of
// one entity at once both win.
import type { Logger } from '@brook/common'
import type { KvBackend } from '../kv/kv-backend.js'
import { KvRecordMap } from '../records/kv-record-map.js'
import { quotaEntityFromKey, quotaEntityKey, type ClientQuotaStore, type QuotaChange, type QuotaEntity, type QuotaRecord } from './quota-records.js'

export interface KvClientQuotaStoreOptions {
  /** The cluster's key prefix (etcd.prefix). */
  prefix: string
  logger: Logger
  /** Whether close() also closes the backend (true when the store opened it). */
  ownsBackend: boolean
}

const entityPart = (entity: QuotaEntity): string => Buffer.from(quotaEntityKey(entity)).toString('base64url')
const parseValue = (value: unknown): number | null => typeof value === 'number' && Number.isFinite(value) ? value : null

export class KvClientQuotaStore implements ClientQuotaStore {
  private readonly kv: KvBackend
  private readonly map: KvRecordMap<number>
  private readonly ownsBackend: boolean
  /** The mirror grouped by entity (base64url key part), rebuilt after the mirror changes. */
  private index: Map<string, Map<string, number>> | null = null
  private keys = new Set<string>()

  private constructor (kv: KvBackend, map: KvRecordMap<number>, ownsBackend: boolean) {
    this.kv = kv
    this.map = map
    this.ownsBackend = ownsBackend
    map.subscribe(() => { this.index = null })
  }

  static async open (kv: KvBackend, options: KvClientQuotaStoreOptions): Promise<KvClientQuotaStore> {
    const map = await KvRecordMap.open(kv, { dir: `${options.prefix}/client-quotas/`, parse: parseValue, logger: options.logger })
    return new KvClientQuotaStore(kv, map, options.ownsBackend)
  }

  records (): readonly QuotaRecord[] {
    const out: QuotaRecord[] = []
    for (const [part, values] of this.grouped()) {
      const entity = quotaEntityFromKey(Buffer.from(part, 'base64url').toString())
      if (entity !== null) out.push({ entity, values })
    }
    return out
  }

  valuesOf (entity: QuotaEntity): ReadonlyMap<string, number> {
    return this.grouped().get(entityPart(entity)) ?? new Map()
  }

  hasKey (key: string): boolean {
    this.grouped()
    return this.keys.has(key)
  }

  private grouped (): Map<string, Map<string, number>> {
    if (this.index !== null) return this.index
    const index = new Map<string, Map<string, number>>()
    const keys = new Set<string>()
    for (const [name, value] of this.map.entries) {
      const at = name.indexOf('/')
      if (at < 0) continue
      const part = name.slice(0, at)
      let values = index.get(part)
      if (values === undefined) index.set(part, values = new Map())
      values.set(name.slice(at + 1), value)
      keys.add(name.slice(at + 1))
    }
    this.index = index
    this.keys = keys
    return index
  }

  async apply (changes: readonly QuotaChange[]): Promise<void> {
    // The last change to an entity's key wins, as applying them in order would leave it.
    const last = new Map<string, number | null>()
    for (const { entity, key, value } of changes) last.set(`${entityPart(entity)}/${key}`, value)
    const puts: Array<readonly [string, number]> = []
    const deletes: string[] = []
    for (const [name, value] of last) {
      if (value === null) deletes.push(name)
      else puts.push([name, value])
    }
    await this.map.write(puts, deletes)
  }

  async close (): Promise<void> {
    await this.map.close()
    if (this.ownsBackend) await this.kv.close()
  }
}
