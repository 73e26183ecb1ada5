// Client quotas as stored: per quota entity (a set of entity type -> name, null naming the type's
// default entity, as Kafka's `<default>`) the configured quota values by key
// (producer_byte_rate, consumer_byte_rate, request_percentage, controller_mutation_rate,
// connection_creation_rate). The broker validates and enforces them; stores keep them durably and
// share them across a cluster.
//
// Guarantees every store gives (test/quota-conformance.ts):
// - apply() makes all its changes durable and visible in records()/valuesOf() of this store
//   before it resolves; changes of one apply() are applied in order (the last one to a key wins);
// - an entity left without values is gone from records();
// - every store on the same storage converges to the same quotas (etcd: by watch);
// - quotas survive closing and reopening the store.

/** type -> name; null is the type's default entity. */
export type QuotaEntity = ReadonlyMap<string, string | null>

export interface QuotaRecord {
  readonly entity: QuotaEntity
  /** quota key -> value */
  readonly values: ReadonlyMap<string, number>
}

/** One change: value null removes the key. */
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
  /** Whether any entity has a value for `key`: cheap, asked on every request. */
  hasKey (key: string): boolean
  /** Applies the changes together; resolves once they are durable and visible here. */
  apply (changes: readonly QuotaChange[]): Promise<void>
  close (): Promise<void>
}

/** A canonical string for the entity (sorted by type): the stores' key. */
export function quotaEntityKey (entity: QuotaEntity): string {
  return JSON.stringify([...entity].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
}

/** quotaEntityKey back to the entity; null when the text is not one. */
export function quotaEntityFromKey (key: string): QuotaEntity | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(key)
  } catch {
    return null // not JSON: not a key this module wrote
  }
  if (!Array.isArray(parsed)) return null
  const entity = new Map<string, string | null>()
  for (const part of parsed as unknown[]) {
    if (!Array.isArray(part) || part.length !== 2) return null
    const [type, name] = part as [unknown, unknown]
    if (typeof type !== 'string' || (name !== null && typeof name !== 'string')) return null
    entity.set(type, name)
  }
  return entity.size > 0 ? entity : null
}
