// DescribeClientQuotas filters as Kafka checks and applies them. Match types: 0 EXACT (the
// named entity), 1 DEFAULT (the default entity), 2 SPECIFIED (any named entity). Strict: the
// entity has exactly the filtered types; otherwise it may have more.
import { ErrorCode } from '@brook/protocol'
import { CLIENT_ID, IP, QuotaValidationError, USER, type QuotaEntity } from './quota-entity.js'

export const MatchType = { EXACT: 0, DEFAULT: 1, SPECIFIED: 2 } as const

export interface FilterComponent {
  readonly entityType: string
  readonly matchType: number
  readonly match?: string | null
}

/** Throws QuotaValidationError for a filter Kafka refuses. */
export function validateFilter (components: readonly FilterComponent[]): void {
  const types = new Set<string>()
  for (const { entityType, matchType, match } of components) {
    if (types.has(entityType)) throw new QuotaValidationError(`Entity type ${entityType} cannot appear more than once in the filter.`)
    types.add(entityType)
    if (entityType !== USER && entityType !== CLIENT_ID && entityType !== IP) {
      throw new QuotaValidationError(`Unsupported entity type ${entityType}`, ErrorCode.UNSUPPORTED_VERSION)
    }
    const hasMatch = match !== null && match !== undefined
    if (matchType === MatchType.EXACT && !hasMatch) throw new QuotaValidationError('Request specified MATCH_TYPE_EXACT, but set match string to null.')
    else if (matchType === MatchType.DEFAULT && hasMatch) throw new QuotaValidationError(`Request specified MATCH_TYPE_DEFAULT, but also specified the match string ${match}.`)
    else if (matchType === MatchType.SPECIFIED && hasMatch) throw new QuotaValidationError(`Request specified MATCH_TYPE_SPECIFIED, but also specified the match string ${match}.`)
    else if (matchType !== MatchType.EXACT && matchType !== MatchType.DEFAULT && matchType !== MatchType.SPECIFIED) throw new QuotaValidationError(`Unknown match type ${matchType}`)
  }
  if (types.has(IP) && (types.has(USER) || types.has(CLIENT_ID))) {
    throw new QuotaValidationError('Invalid entity filter component combination, IP filter component should not be used with user or clientId filter component.')
  }
}

export function matchesFilter (entity: QuotaEntity, components: readonly FilterComponent[], strict: boolean): boolean {
  if (strict && entity.size !== components.length) return false
  return components.every(({ entityType, matchType, match }) => {
    if (!entity.has(entityType)) return false
    const name = entity.get(entityType) ?? null
    if (matchType === MatchType.EXACT) return name === match
    if (matchType === MatchType.DEFAULT) return name === null
    return name !== null
  })
}
