// Kafka's matching rules for one ACL binding against a request, shared by the authorizer and the
// Describe/DeleteAcls filters:
// - a LITERAL pattern names the resource exactly, or is * (every resource of its type);
//   a PREFIXED pattern matches every name that starts with it;
// - the principal User:* matches every User principal; the host * matches every host;
// - ALL covers every operation; an ALLOW on READ, WRITE, DELETE or ALTER implies DESCRIBE, and on
//   ALTER_CONFIGS implies DESCRIBE_CONFIGS (a DENY implies nothing).
import { AclOperation, AclPermission, type AclBinding, PatternType } from '@brook/metadata'

export const WILDCARD_RESOURCE = '*'
export const WILDCARD_PRINCIPAL = 'User:*'
export const WILDCARD_HOST = '*'

export function patternMatches (b: AclBinding, resourceName: string): boolean {
  if (b.patternType === PatternType.LITERAL) return b.resourceName === resourceName || b.resourceName === WILDCARD_RESOURCE
  return b.patternType === PatternType.PREFIXED && resourceName.startsWith(b.resourceName)
}

export function principalMatches (b: AclBinding, principal: string): boolean {
  return b.principal === principal || (b.principal === WILDCARD_PRINCIPAL && principal.startsWith('User:'))
}

export function hostMatches (b: AclBinding, host: string): boolean {
  return b.host === WILDCARD_HOST || b.host === host
}

const IMPLIES_DESCRIBE = new Set<number>([AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER])

export function operationMatches (b: AclBinding, operation: number): boolean {
  if (b.operation === operation || b.operation === AclOperation.ALL) return true
  if (b.permissionType !== AclPermission.ALLOW) return false
  if (operation === AclOperation.DESCRIBE) return IMPLIES_DESCRIBE.has(b.operation)
  return operation === AclOperation.DESCRIBE_CONFIGS && b.operation === AclOperation.ALTER_CONFIGS
}

/** An IPv4 peer on a dual-stack socket reads ::ffff:a.b.c.d; ACLs name it a.b.c.d. */
export function normalizeHost (address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address
}
