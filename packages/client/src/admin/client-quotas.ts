// Client quotas through the admin API (KIP-546): AlterClientQuotas sets or removes quota values
// of an entity (user, client-id, both, or ip; a null name is the type's default entity), and
// DescribeClientQuotas lists the entities a filter matches with their values.
import { alterClientQuotasApi, describeClientQuotasApi, ErrorCode } from '@brook/protocol'
import type { Connection } from '../connection/connection.js'
import { kafkaError } from '../errors/kafka-errors.js'

/** Entity type -> name; null names the type's default entity (Kafka's `<default>`). */
export type ClientQuotaEntity = Record<string, string | null>

export interface ClientQuotaAlteration {
  entity: ClientQuotaEntity
  /** Quota key -> value to set, or null to remove the key. */
  quotas: Record<string, number | null>
}

/** One component of a describe filter: a named entity, the default one, or any named one. */
export interface ClientQuotaFilterComponent {
  entityType: string
  match: { name: string } | 'default' | 'any'
}

export interface ClientQuotaDescription {
  entity: ClientQuotaEntity
  quotas: Record<string, number>
}

const MATCH_EXACT = 0
const MATCH_DEFAULT = 1
const MATCH_ANY = 2

export async function alterClientQuotas (connection: Connection, alterations: readonly ClientQuotaAlteration[], validateOnly = false): Promise<void> {
  const r = await connection.request(alterClientQuotasApi, {
    validateOnly,
    entries: alterations.map((a) => ({
      entity: Object.entries(a.entity).map(([entityType, entityName]) => ({ entityType, entityName })),
      ops: Object.entries(a.quotas).map(([key, value]) => ({ key, value: value ?? 0, remove: value === null }))
    }))
  })
  for (const entry of r.entries) {
    if (entry.errorCode !== ErrorCode.NONE) {
      const entity = entry.entity.map((e) => `${e.entityType}=${e.entityName ?? '<default>'}`).join(',')
      throw kafkaError(entry.errorCode, entry.errorMessage ?? `client quotas of ${entity}`)
    }
  }
}

/**
 * The entities matching every component, with their quotas. `strict`: only entities made of
 * exactly the filtered types (otherwise entities with more types match too).
 */
export async function describeClientQuotas (connection: Connection, components: readonly ClientQuotaFilterComponent[], strict = false): Promise<ClientQuotaDescription[]> {
  const r = await connection.request(describeClientQuotasApi, {
    strict,
    components: components.map(({ entityType, match }) => typeof match === 'object'
      ? { entityType, matchType: MATCH_EXACT, match: match.name }
      : { entityType, matchType: match === 'default' ? MATCH_DEFAULT : MATCH_ANY, match: null })
  })
  if (r.errorCode !== ErrorCode.NONE) throw kafkaError(r.errorCode, r.errorMessage ?? 'DescribeClientQuotas')
  return (r.entries ?? []).map((e) => ({
    entity: Object.fromEntries(e.entity.map((c) => [c.entityType, c.entityName ?? null])),
    quotas: Object.fromEntries(e.values.map((v) => [v.key, v.value]))
  }))
}
