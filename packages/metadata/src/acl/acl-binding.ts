// An ACL binding as Kafka's AdminClient and the CreateAcls/DescribeAcls/DeleteAcls APIs carry it:
// a resource pattern (type, name, pattern type) and an entry (principal, host, operation,
// permission), every enum as Kafka's wire code. Stores keep bindings exactly; what they mean is
// the authorizer's business.

/** Kafka's ResourceType codes. */
export const ResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const
/** Kafka's PatternType codes (ANY and MATCH are filters only). */
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const
/** Kafka's AclOperation codes. */
export const AclOperation = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14, TWO_PHASE_COMMIT: 15
} as const
/** Kafka's AclPermissionType codes. */
export const AclPermission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const

export interface AclBinding {
  readonly resourceType: number
  readonly resourceName: string
  readonly patternType: number
  /** "Type:name", e.g. User:alice or User:* */
  readonly principal: string
  /** An IP address or * */
  readonly host: string
  readonly operation: number
  readonly permissionType: number
}

/** One text per distinct binding: the identity stores deduplicate on. */
export function aclKey (b: AclBinding): string {
  return JSON.stringify([b.resourceType, b.patternType, b.resourceName, b.principal, b.host, b.operation, b.permissionType])
}

const CONCRETE_TYPES = new Set<number>([ResourceType.TOPIC, ResourceType.GROUP, ResourceType.CLUSTER, ResourceType.TRANSACTIONAL_ID, ResourceType.DELEGATION_TOKEN, ResourceType.USER])
const CONCRETE_OPERATIONS = new Set<number>(Object.values(AclOperation).filter((op) => op >= AclOperation.ALL))

/**
 * Why a binding cannot be stored (Kafka's answers to CreateAcls), or null. Concrete values only:
 * no ANY/MATCH/UNKNOWN, a principal "Type:name", the cluster resource named kafka-cluster.
 */
export function invalidBindingReason (b: AclBinding): string | null {
  if (!CONCRETE_TYPES.has(b.resourceType)) return `Invalid resource type ${b.resourceType}`
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED) return `Invalid pattern type ${b.patternType}`
  if (!CONCRETE_OPERATIONS.has(b.operation)) return `Invalid operation ${b.operation}`
  if (b.permissionType !== AclPermission.ALLOW && b.permissionType !== AclPermission.DENY) return `Invalid permission type ${b.permissionType}`
  if (b.resourceName === '') return 'Resource name should not be empty'
  if (b.resourceType === ResourceType.CLUSTER && (b.resourceName !== 'kafka-cluster' || b.patternType !== PatternType.LITERAL)) {
    return 'The only valid name for the CLUSTER resource is kafka-cluster'
  }
  const colon = b.principal.indexOf(':')
  if (colon <= 0 || colon === b.principal.length - 1) return `Could not parse principal from \`${b.principal}\` (no colon is present separating the principal type from the principal name)`
  if (b.host === '') return 'Host should not be empty'
  return null
}

/** A stored binding read back: every field checked, so a damaged entry is refused, not trusted. */
export function parseBinding (value: unknown): AclBinding | null {
  if (typeof value !== 'object' || value === null) return null
  const v = value as Record<string, unknown>
  const ints = ['resourceType', 'patternType', 'operation', 'permissionType'] as const
  const texts = ['resourceName', 'principal', 'host'] as const
  if (!ints.every((k) => Number.isInteger(v[k])) || !texts.every((k) => typeof v[k] === 'string')) return null
  const binding: AclBinding = {
    resourceType: v.resourceType as number,
    resourceName: v.resourceName as string,
    patternType: v.patternType as number,
    principal: v.principal as string,
    host: v.host as string,
    operation: v.operation as number,
    permissionType: v.permissionType as number
  }
  return invalidBindingReason(binding) === null ? binding : null
}
