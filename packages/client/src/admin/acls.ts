// ACLs through the admin API (CreateAcls, DescribeAcls, DeleteAcls). Callers name resource types,
// pattern types, operations and permissions by Kafka's enum names ('TOPIC', 'PREFIXED', 'READ',
// 'ALLOW'); the wire carries Kafka's int8 codes, mapped here both ways.
import { createAclsApi, deleteAclsApi, describeAclsApi, ErrorCode } from '@brook/protocol'
import type { Connection } from '../connection/connection.js'
import { kafkaError } from '../errors/kafka-errors.js'

/** Kafka's ResourceType codes. */
export const AclResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const
export type AclResourceTypeName = keyof typeof AclResourceType

/** Kafka's PatternType codes: MATCH (filters only) matches literal, wildcard and prefixed patterns that cover a name. */
export const AclPatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const
export type AclPatternTypeName = keyof typeof AclPatternType

/** Kafka's AclOperation codes. */
export const AclOperation = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14, TWO_PHASE_COMMIT: 15
} as const
export type AclOperationName = keyof typeof AclOperation

/** Kafka's AclPermissionType codes. */
export const AclPermission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const
export type AclPermissionName = keyof typeof AclPermission

/** One ACL binding: who (principal, host) may or may not do what (operation) on which resources. */
export interface AclBinding {
  resourceType: AclResourceTypeName
  resourceName: string
  /** Default LITERAL. */
  patternType?: AclPatternTypeName
  /** `User:alice`, or `User:*` for everyone. */
  principal: string
  /** Default `*`: any host. */
  host?: string
  operation: AclOperationName
  permission: AclPermissionName
}

/** A binding as the broker reports it (every field filled in). */
export type AclDescription = Required<AclBinding>

/** Which bindings to describe or delete; a field left out matches anything (ANY, or null for names). */
export interface AclFilter {
  resourceType?: AclResourceTypeName
  resourceName?: string | null
  /** Default ANY; MATCH also finds the wildcard and prefixed bindings that cover `resourceName`. */
  patternType?: AclPatternTypeName
  principal?: string | null
  host?: string | null
  operation?: AclOperationName
  permission?: AclPermissionName
}

function nameOf<K extends string> (table: Readonly<Record<K, number>>, code: number, unknown: K): K {
  const names = Object.keys(table) as K[]
  return names.find((name) => table[name] === code) ?? unknown
}

function wireFilter (f: AclFilter): {
  resourceTypeFilter: number, resourceNameFilter: string | null, patternTypeFilter: number, principalFilter: string | null, hostFilter: string | null, operation: number, permissionType: number
} {
  return {
    resourceTypeFilter: AclResourceType[f.resourceType ?? 'ANY'],
    resourceNameFilter: f.resourceName ?? null,
    patternTypeFilter: AclPatternType[f.patternType ?? 'ANY'],
    principalFilter: f.principal ?? null,
    hostFilter: f.host ?? null,
    operation: AclOperation[f.operation ?? 'ANY'],
    permissionType: AclPermission[f.permission ?? 'ANY']
  }
}

function description (resourceType: number, resourceName: string, patternType: number | undefined, acl: { principal: string, host: string, operation: number, permissionType: number }): AclDescription {
  return {
    resourceType: nameOf(AclResourceType, resourceType, 'UNKNOWN'),
    resourceName,
    patternType: nameOf(AclPatternType, patternType ?? AclPatternType.LITERAL, 'UNKNOWN'),
    principal: acl.principal,
    host: acl.host,
    operation: nameOf(AclOperation, acl.operation, 'UNKNOWN'),
    permission: nameOf(AclPermission, acl.permissionType, 'UNKNOWN')
  }
}

/** Creates every binding; the first refused one throws (the ones before it stay created, as in Kafka). */
export async function createAcls (connection: Connection, bindings: readonly AclBinding[]): Promise<void> {
  const r = await connection.request(createAclsApi, {
    creations: bindings.map((b) => ({
      resourceType: AclResourceType[b.resourceType],
      resourceName: b.resourceName,
      resourcePatternType: AclPatternType[b.patternType ?? 'LITERAL'],
      principal: b.principal,
      host: b.host ?? '*',
      operation: AclOperation[b.operation],
      permissionType: AclPermission[b.permission]
    }))
  })
  r.results.forEach((result, i) => {
    if (result.errorCode !== ErrorCode.NONE) {
      const b = bindings[i]
      throw kafkaError(result.errorCode, result.errorMessage ?? `create ACL ${b === undefined ? '' : `${b.permission} ${b.principal} ${b.operation} on ${b.resourceType}:${b.resourceName}`}`)
    }
  })
}

export async function describeAcls (connection: Connection, filter: AclFilter = {}): Promise<AclDescription[]> {
  const r = await connection.request(describeAclsApi, wireFilter(filter))
  if (r.errorCode !== ErrorCode.NONE) throw kafkaError(r.errorCode, r.errorMessage ?? 'DescribeAcls')
  return r.resources.flatMap((res) => res.acls.map((acl) => description(res.resourceType, res.resourceName, res.patternType, acl)))
}

/** Deletes the bindings each filter matches and returns them (all filters' matches, in order). */
export async function deleteAcls (connection: Connection, filters: readonly AclFilter[]): Promise<AclDescription[]> {
  const r = await connection.request(deleteAclsApi, { filters: filters.map(wireFilter) })
  const deleted: AclDescription[] = []
  for (const result of r.filterResults) {
    if (result.errorCode !== ErrorCode.NONE) throw kafkaError(result.errorCode, result.errorMessage ?? 'DeleteAcls')
    for (const m of result.matchingAcls) {
      if (m.errorCode !== ErrorCode.NONE) throw kafkaError(m.errorCode, m.errorMessage ?? `delete ACL on ${m.resourceName}`)
      deleted.push(description(m.resourceType, m.resourceName, m.patternType, m))
    }
  }
  return deleted
}
