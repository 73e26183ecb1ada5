// `brook quota set|delete|describe`: client quotas (AlterClientQuotas, DescribeClientQuotas), as
// kafka-configs.sh --entity-type users/clients/ips does them. An entity is a user, a client id,
// both, or an IP; the --*-default flags name the default entity of a type (Kafka's <default>).
// Keys: producer_byte_rate, consumer_byte_rate, request_percentage, controller_mutation_rate
// (users and client ids), connection_creation_rate (IPs).
import type { Command } from 'commander'
import type { ClientQuotaEntity, ClientQuotaFilterComponent } from '@brook/client'
import type { ConnectionFlags } from '../connection/client-options.js'
import { UsageError } from '../errors.js'
import { printRows } from '../output/output.js'
import { examples, type FormatFlags, withAdmin, withConnection, withFormat } from './common.js'

type Flags = ConnectionFlags & FormatFlags
interface EntityFlags { user?: string, userDefault?: boolean, client?: string, clientDefault?: boolean, ip?: string, ipDefault?: boolean }
interface FilterFlags extends EntityFlags { anyUser?: boolean, anyClient?: boolean, anyIp?: boolean, strict?: boolean }

const TYPES = [['user', 'user', 'anyUser'], ['client', 'client-id', 'anyClient'], ['ip', 'ip', 'anyIp']] as const

function withEntity (cmd: Command): Command {
  return cmd
    .option('--user <name>', 'the quotas of this user (principal name)')
    .option('--user-default', 'the default user quotas')
    .option('--client <id>', 'the quotas of this client id')
    .option('--client-default', 'the default client-id quotas')
    .option('--ip <address>', 'the quotas of this IP address (connection_creation_rate)')
    .option('--ip-default', 'the default IP quotas')
}

/** The entity the flags name; every type at most once. */
function entityOf (flags: EntityFlags): ClientQuotaEntity {
  const entity: ClientQuotaEntity = {}
  for (const [flag, type] of TYPES) {
    const name = flags[flag]
    const isDefault = flags[`${flag}Default`] === true
    if (name !== undefined && isDefault) throw new UsageError(`give --${flag} or --${flag}-default, not both`)
    if (name !== undefined) entity[type] = name
    else if (isDefault) entity[type] = null
  }
  if (Object.keys(entity).length === 0) throw new UsageError('name the entity: --user, --client, --ip or their --*-default')
  return entity
}

function filterOf (flags: FilterFlags): ClientQuotaFilterComponent[] {
  const components: ClientQuotaFilterComponent[] = []
  for (const [flag, type, any] of TYPES) {
    const name = flags[flag]
    const chosen = [name !== undefined, flags[`${flag}Default`] === true, flags[any] === true].filter(Boolean).length
    if (chosen > 1) throw new UsageError(`give one of --${flag}, --${flag}-default, --any-${flag}`)
    if (name !== undefined) components.push({ entityType: type, match: { name } })
    else if (flags[`${flag}Default`] === true) components.push({ entityType: type, match: 'default' })
    else if (chosen === 1) components.push({ entityType: type, match: 'any' })
  }
  return components
}

function entityLabel (entity: ClientQuotaEntity): string {
  const order = ['user', 'client-id', 'ip']
  return Object.entries(entity).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([t, n]) => `${t}=${n ?? '<default>'}`).join(',')
}

function numberOf (key: string, text: string): number {
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${key} must be a number, got ${text}`)
  return n
}

export function registerQuota (quota: Command): void {
  examples(withFormat(withEntity(withConnection(quota.command('set')
    .description('Set client quotas of an entity (key=value ...)')
    .argument('<key=value...>', 'producer_byte_rate, consumer_byte_rate, request_percentage, controller_mutation_rate, connection_creation_rate')))), [
    'brook quota set --user alice producer_byte_rate=1048576 consumer_byte_rate=2097152',
    'brook quota set --user alice --client reporting request_percentage=50',
    'brook quota set --client-default controller_mutation_rate=10',
    'brook quota set --ip-default connection_creation_rate=20'
  ]).action(async (pairs: string[], flags: Flags & EntityFlags) => {
    const entity = entityOf(flags)
    const quotas: Record<string, number> = {}
    for (const pair of pairs) {
      const sep = pair.indexOf('=')
      if (sep <= 0) throw new UsageError(`expected key=value, got ${pair}`)
      const key = pair.slice(0, sep)
      quotas[key] = numberOf(key, pair.slice(sep + 1))
    }
    await withAdmin(flags, async (admin) => { await admin.alterClientQuotas([{ entity, quotas }]) })
    printRows(flags.format, Object.entries(quotas).map(([key, value]) => ({ entity: entityLabel(entity), key, value, status: 'OK' })),
      ['entity', 'key', 'value', 'status'], (r) => [r.entity, r.key, r.value, r.status])
  })

  examples(withFormat(withEntity(withConnection(quota.command('delete').alias('rm')
    .description('Remove client quotas of an entity (the keys named)')
    .argument('<key...>', 'quota keys to remove')))), [
    'brook quota delete --user alice producer_byte_rate',
    'brook quota delete --ip 10.0.0.7 connection_creation_rate'
  ]).action(async (keys: string[], flags: Flags & EntityFlags) => {
    const entity = entityOf(flags)
    await withAdmin(flags, async (admin) => { await admin.alterClientQuotas([{ entity, quotas: Object.fromEntries(keys.map((k) => [k, null])) }]) })
    printRows(flags.format, keys.map((key) => ({ entity: entityLabel(entity), key, status: 'REMOVED' })), ['entity', 'key', 'status'], (r) => [r.entity, r.key, r.status])
  })

  examples(withFormat(withEntity(withConnection(quota.command('describe').alias('list')
    .description('Client quotas, of every entity or of those the filter matches')
    .option('--any-user', 'entities with any (named) user')
    .option('--any-client', 'entities with any (named) client id')
    .option('--any-ip', 'entities with any (named) IP')
    .option('--strict', 'only entities made of exactly the filtered types')))), [
    'brook quota describe',
    'brook quota describe --user alice',
    'brook quota describe --any-user --strict --format json'
  ]).action(async (flags: Flags & FilterFlags) => {
    const described = await withAdmin(flags, async (admin) => await admin.describeClientQuotas(filterOf(flags), { strict: flags.strict === true }))
    const rows = described.flatMap((d) => Object.entries(d.quotas).map(([key, value]) => ({ entity: entityLabel(d.entity), key, value })))
      .sort((a, b) => a.entity.localeCompare(b.entity) || a.key.localeCompare(b.key))
    printRows(flags.format, rows, ['entity', 'key', 'value'], (r) => [r.entity, r.key, r.value])
  })
}
