// `brook acl create|list|delete`: ACL bindings (CreateAcls, DescribeAcls, DeleteAcls) with rpk's
// flags. Every principal x operation x resource given makes one binding to create, or one filter
// to list or delete with; a flag left out of a filter matches anything.
import type { Command } from 'commander'
import { Option } from 'commander'
import { AclOperation, type AclDescription, type AclFilter, type AclOperationName, type AclPatternTypeName, type AclPermissionName, type AclResourceTypeName, type AclBinding } from '@brook/client'
import type { ConnectionFlags } from '../connection/client-options.js'
import { UsageError } from '../errors.js'
import { printRows } from '../output/output.js'
import { collect, examples, type FormatFlags, withAdmin, withConnection, withFormat } from './common.js'

/** The only name a CLUSTER resource has in Kafka. */
const CLUSTER_NAME = 'kafka-cluster'

interface AclFlags extends ConnectionFlags, FormatFlags {
  allowPrincipal?: string[]
  denyPrincipal?: string[]
  operation?: string[]
  topic?: string[]
  group?: string[]
  transactionalId?: string[]
  cluster?: boolean
  resourcePatternType: string
  host?: string
}

interface Who { principal: string, permission: AclPermissionName }
interface Resource { resourceType: AclResourceTypeName, resourceName: string }

const PATTERN_TYPES: Record<string, AclPatternTypeName> = { literal: 'LITERAL', prefixed: 'PREFIXED', any: 'ANY', match: 'MATCH' }

/** rpk's spelling of a principal: a bare name means a user. */
function principalOf (value: string): string {
  return value.includes(':') ? value : `User:${value}`
}

function operationOf (value: string): AclOperationName {
  const name = value.trim().toUpperCase().replace(/-/g, '_')
  if (name === 'UNKNOWN' || !(name in AclOperation)) {
    const known = Object.keys(AclOperation).filter((o) => o !== 'UNKNOWN' && o !== 'ANY').map((o) => o.toLowerCase())
    throw new UsageError(`unknown --operation ${value} (one of ${known.join(', ')})`)
  }
  return name as AclOperationName
}

function whoOf (flags: AclFlags): Who[] {
  return [
    ...(flags.allowPrincipal ?? []).map((p) => ({ principal: principalOf(p), permission: 'ALLOW' as const })),
    ...(flags.denyPrincipal ?? []).map((p) => ({ principal: principalOf(p), permission: 'DENY' as const }))
  ]
}

function resourcesOf (flags: AclFlags): Resource[] {
  return [
    ...(flags.topic ?? []).map((resourceName) => ({ resourceType: 'TOPIC' as const, resourceName })),
    ...(flags.group ?? []).map((resourceName) => ({ resourceType: 'GROUP' as const, resourceName })),
    ...(flags.transactionalId ?? []).map((resourceName) => ({ resourceType: 'TRANSACTIONAL_ID' as const, resourceName })),
    ...(flags.cluster === true ? [{ resourceType: 'CLUSTER' as const, resourceName: CLUSTER_NAME }] : [])
  ]
}

function patternOf (flags: AclFlags, allowed: string[]): AclPatternTypeName {
  const key = flags.resourcePatternType.toLowerCase()
  if (!allowed.includes(key)) throw new UsageError(`--resource-pattern-type must be one of ${allowed.join(', ')}; got ${flags.resourcePatternType}`)
  return PATTERN_TYPES[key]!
}

/** The bindings `acl create` makes: every principal x operation x resource. */
export function bindingsOf (flags: AclFlags): AclBinding[] {
  const who = whoOf(flags)
  const operations = (flags.operation ?? []).map(operationOf)
  const resources = resourcesOf(flags)
  if (who.length === 0) throw new UsageError('give --allow-principal or --deny-principal')
  if (operations.length === 0) throw new UsageError('give --operation')
  if (resources.length === 0) throw new UsageError('give --topic, --group, --transactional-id or --cluster')
  if (operations.includes('ANY')) throw new UsageError('--operation any is for list and delete only')
  const patternType = patternOf(flags, ['literal', 'prefixed'])
  const host = flags.host ?? '*'
  return who.flatMap((w) => operations.flatMap((operation) => resources.map((r) => ({ ...r, patternType, principal: w.principal, host, operation, permission: w.permission }))))
}

/** The filters `acl list` and `acl delete` use: every given dimension crossed, ANY for the rest. */
export function filtersOf (flags: AclFlags): AclFilter[] {
  const patternType = patternOf(flags, Object.keys(PATTERN_TYPES))
  const who: Array<Partial<Who>> = whoOf(flags)
  const operations: Array<AclOperationName | undefined> = (flags.operation ?? []).map(operationOf)
  const resources: Array<Partial<Resource>> = resourcesOf(flags)
  const host = flags.host ?? null
  return (who.length > 0 ? who : [{}]).flatMap((w) => (operations.length > 0 ? operations : [undefined]).flatMap((operation) =>
    (resources.length > 0 ? resources : [{}]).map((r) => ({
      patternType,
      host,
      ...(r.resourceType !== undefined ? { resourceType: r.resourceType, resourceName: r.resourceName } : {}),
      ...(w.principal !== undefined ? { principal: w.principal, permission: w.permission } : {}),
      ...(operation !== undefined ? { operation } : {})
    }))))
}

function key (a: AclDescription): string {
  return [a.resourceType, a.resourceName, a.patternType, a.principal, a.host, a.operation, a.permission].join('\u0000')
}

function sorted (acls: AclDescription[]): AclDescription[] {
  const unique = new Map(acls.map((a) => [key(a), a]))
  return [...unique.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}

function print (format: FormatFlags['format'], acls: AclDescription[]): void {
  printRows(format, acls, ['principal', 'host', 'resource-type', 'resource-name', 'pattern', 'operation', 'permission'],
    (a) => [a.principal, a.host, a.resourceType, a.resourceName, a.patternType, a.operation, a.permission])
}

function aclOptions (cmd: Command, forFilter: boolean): Command {
  return cmd
    .option('--allow-principal <principal>', `${forFilter ? 'only ALLOW bindings of this principal' : 'principal to allow'}: User:alice, or alice (repeatable)`, collect)
    .option('--deny-principal <principal>', `${forFilter ? 'only DENY bindings of this principal' : 'principal to deny'} (repeatable)`, collect)
    .option('--operation <op>', 'read, write, create, delete, alter, describe, cluster_action, describe_configs, alter_configs, idempotent_write, all' + (forFilter ? ', any' : '') + ' (repeatable)', collect)
    .option('--topic <name>', 'topic resource (repeatable)', collect)
    .option('--group <name>', 'group resource (repeatable)', collect)
    .option('--transactional-id <id>', 'transactional id resource (repeatable)', collect)
    .option('--cluster', 'the cluster resource')
    .addOption(new Option('--resource-pattern-type <type>', forFilter ? 'literal, prefixed, any, or match (literal, wildcard and prefixed bindings that cover the names)' : 'literal or prefixed').default(forFilter ? 'any' : 'literal'))
    .option('--host <host>', forFilter ? 'only bindings for this host' : 'host the binding applies to (default *: any)')
}

export function registerAcl (acl: Command): void {
  examples(withFormat(withConnection(aclOptions(acl.command('create')
    .description('Create ACL bindings: each principal x operation x resource'), false))), [
    'brook acl create --allow-principal User:alice --operation write --operation describe --topic orders',
    'brook acl create --allow-principal alice --operation read --group billing- --resource-pattern-type prefixed',
    'brook acl create --deny-principal User:mallory --operation all --cluster'
  ]).action(async (flags: AclFlags) => {
    const bindings = bindingsOf(flags)
    await withAdmin(flags, async (admin) => { await admin.createAcls(bindings) })
    print(flags.format, sorted(bindings.map((b) => ({ ...b, patternType: b.patternType ?? 'LITERAL', host: b.host ?? '*' }))))
  })

  examples(withFormat(withConnection(aclOptions(acl.command('list').alias('ls').alias('describe')
    .description('List ACL bindings (all of them, or those the flags match)'), true))), [
    'brook acl list',
    'brook acl list --topic orders --resource-pattern-type match',
    'brook acl list --allow-principal User:alice --format json'
  ]).action(async (flags: AclFlags) => {
    const filters = filtersOf(flags)
    const found = await withAdmin(flags, async (admin) => {
      const out: AclDescription[] = []
      for (const f of filters) out.push(...await admin.describeAcls(f))
      return out
    })
    print(flags.format, sorted(found))
  })

  examples(withFormat(withConnection(aclOptions(acl.command('delete').alias('rm')
    .description('Delete the ACL bindings the flags match, and print them'), true))), [
    'brook acl delete --allow-principal User:alice --operation write --topic orders',
    'brook acl delete --topic orders --resource-pattern-type any'
  ]).action(async (flags: AclFlags) => {
    const filters = filtersOf(flags)
    // A filter with nothing in it would delete every binding of the cluster: ask for something.
    if (whoOf(flags).length === 0 && resourcesOf(flags).length === 0) throw new UsageError('give a principal (--allow-principal/--deny-principal) or a resource (--topic, --group, --transactional-id, --cluster)')
    const deleted = await withAdmin(flags, async (admin) => await admin.deleteAcls(filters))
    print(flags.format, sorted(deleted))
  })
}
