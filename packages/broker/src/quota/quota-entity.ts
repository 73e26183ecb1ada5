// Client quota entities and keys as Kafka names them. An entity is a set of (type, name)
// components: `user`, `client-id` (together or alone) or `ip` (alone); a null name is the
// default entity of that type (`<default>`). Each entity type admits only its own quota keys.
import { ErrorCode } from '@brook/protocol'
import type { QuotaEntity } from '@brook/metadata'

export const USER = 'user'
export const CLIENT_ID = 'client-id'
export const IP = 'ip'

export type { QuotaEntity }

export const PRODUCER_BYTE_RATE = 'producer_byte_rate'
export const CONSUMER_BYTE_RATE = 'consumer_byte_rate'
export const REQUEST_PERCENTAGE = 'request_percentage'
export const CONTROLLER_MUTATION_RATE = 'controller_mutation_rate'
export const CONNECTION_CREATION_RATE = 'connection_creation_rate'

type KeyKind = 'long' | 'double' | 'int'

const CLIENT_KEYS = new Map<string, KeyKind>([
  [PRODUCER_BYTE_RATE, 'long'], [CONSUMER_BYTE_RATE, 'long'], [REQUEST_PERCENTAGE, 'double'], [CONTROLLER_MUTATION_RATE, 'double']
])
const IP_KEYS = new Map<string, KeyKind>([[CONNECTION_CREATION_RATE, 'int']])

export class QuotaValidationError extends Error {
  readonly code: number
  constructor (message: string, code: number = ErrorCode.INVALID_REQUEST) {
    super(message)
    this.code = code
  }
}

/** Kafka's checks of an AlterClientQuotas entity; throws QuotaValidationError. */
export function validateEntity (components: ReadonlyArray<{ entityType: string, entityName?: string | null }>): QuotaEntity {
  if (components.length === 0) throw new QuotaValidationError('Invalid empty client quota entity')
  const entity = new Map<string, string | null>()
  for (const { entityType, entityName } of components) {
    if (entityType !== USER && entityType !== CLIENT_ID && entityType !== IP) throw new QuotaValidationError(`Unhandled client quota entity type: ${entityType}`)
    if (entity.has(entityType)) throw new QuotaValidationError(`Duplicate ${entityType} entity in the client quota entity`)
    if (entityName !== null && entityName !== undefined && entityName.length === 0) throw new QuotaValidationError(`Invalid empty ${entityType} entity name`)
    entity.set(entityType, entityName ?? null)
  }
  if (entity.has(IP)) {
    if (entity.size > 1) throw new QuotaValidationError('Invalid quota entity combination, IP entity should not be combined with User or ClientId entities')
    const ip = entity.get(IP)
    if (ip !== null && ip !== undefined && !isIpAddress(ip)) throw new QuotaValidationError(`${ip} is not a valid IP or resolvable host.`)
  }
  return entity
}

/** Kafka's checks of a quota key and value for the entity; throws QuotaValidationError. */
export function validateQuotaValue (entity: QuotaEntity, key: string, value: number): void {
  const kind = (entity.has(IP) ? IP_KEYS : CLIENT_KEYS).get(key)
  if (kind === undefined) throw new QuotaValidationError(`Invalid configuration key ${key}`)
  if (!(value > 0)) throw new QuotaValidationError(`Quota ${key} must be greater than 0`)
  if (kind === 'long' && (value > Number.MAX_SAFE_INTEGER || value !== Math.round(value))) throw new QuotaValidationError(`Configuration ${key} must be a Long value`)
  if (kind === 'int' && (value > 2147483647 || value !== Math.round(value))) throw new QuotaValidationError(`Configuration ${key} must be an Integer value`)
}

function isIpAddress (s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s))
}
