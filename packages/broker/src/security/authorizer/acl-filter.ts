// Kafka's AclBindingFilter, as DescribeAcls and DeleteAcls carry it: every field either a value or
// "any" (ANY codes, a null name/principal/host). The pattern type filter MATCH selects the
// bindings that would apply to the named resource: LITERAL of that name, LITERAL *, and PREFIXED
// patterns the name starts with.
import { type AclBinding, AclOperation, AclPermission, PatternType, ResourceType } from '@brook/metadata'
import { WILDCARD_RESOURCE } from './acl-match.js'

export interface AclFilter {
  readonly resourceType: number
  readonly resourceName: string | null
  readonly patternType: number
  readonly principal: string | null
  readonly host: string | null
  readonly operation: number
  readonly permissionType: number
}

/** Why a filter cannot be used (UNKNOWN codes), or null. */
export function invalidFilterReason (f: AclFilter): string | null {
  if (f.resourceType === ResourceType.UNKNOWN || f.resourceType > ResourceType.USER) return 'Resource type is UNKNOWN'
  if (f.patternType === PatternType.UNKNOWN || f.patternType > PatternType.PREFIXED) return 'Pattern type is UNKNOWN'
  if (f.operation === AclOperation.UNKNOWN || f.operation > AclOperation.TWO_PHASE_COMMIT) return 'Operation is UNKNOWN'
  if (f.permissionType === AclPermission.UNKNOWN || f.permissionType > AclPermission.ALLOW) return 'Permission type is UNKNOWN'
  return null
}

export function filterMatches (f: AclFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false
  if (!patternFilterMatches(f, b)) return false
  if (f.principal !== null && f.principal !== b.principal) return false
  if (f.host !== null && f.host !== b.host) return false
  if (f.operation !== AclOperation.ANY && f.operation !== b.operation) return false
  return f.permissionType === AclPermission.ANY || f.permissionType === b.permissionType
}

function patternFilterMatches (f: AclFilter, b: AclBinding): boolean {
  if (f.patternType === PatternType.MATCH) {
    if (f.resourceName === null) return true
    if (b.patternType === PatternType.LITERAL) return b.resourceName === f.resourceName || b.resourceName === WILDCARD_RESOURCE
    return b.patternType === PatternType.PREFIXED && f.resourceName.startsWith(b.resourceName)
  }
  if (f.patternType !== PatternType.ANY && f.patternType !== b.patternType) return false
  return f.resourceName === null || f.resourceName === b.resourceName
}
