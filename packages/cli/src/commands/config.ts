// `brook config get|set`: broker, topic, group and client metrics (KIP-714) configs (DescribeConfigs, IncrementalAlterConfigs).
import type { Command } from 'commander'
import { ConfigResourceType } from '@brook/client'
import type { ConnectionFlags } from '../connection/client-options.js'
import { UsageError } from '../errors.js'
import { printRows } from '../output/output.js'
import { collect, collectKeyValue, examples, type FormatFlags, withAdmin, withConnection, withFormat } from './common.js'
import { configChanges } from './topic.js'

interface ResourceFlags { broker?: string, topic?: string, group?: string, clientMetrics?: string }

const SOURCES: Record<number, string> = {
  1: 'topic', 2: 'dynamic-broker', 3: 'dynamic-broker-default', 4: 'static-broker', 5: 'default', 6: 'dynamic-broker-logger', 7: 'client-metrics', 8: 'group'
}

/** DescribeConfigs' source of a config nobody set. */
const DEFAULT_CONFIG = 5

function resourceOf (flags: ResourceFlags): { type: ConfigResourceType, name: string } {
  const given = [flags.broker, flags.topic, flags.group, flags.clientMetrics].filter((x) => x !== undefined).length
  if (given !== 1) throw new UsageError('give one of --broker <id>, --topic <name>, --group <id> and --client-metrics <name>')
  if (flags.group !== undefined) return { type: ConfigResourceType.Group, name: flags.group }
  if (flags.clientMetrics !== undefined) return { type: ConfigResourceType.ClientMetrics, name: flags.clientMetrics }
  if (flags.broker !== undefined) {
    if (!/^\d+$/.test(flags.broker)) throw new UsageError(`--broker must be a broker id, got ${flags.broker}`)
    return { type: ConfigResourceType.Broker, name: flags.broker }
  }
  return { type: ConfigResourceType.Topic, name: flags.topic! }
}

export function registerConfig (config: Command): void {
  examples(withFormat(withConnection(config.command('get')
    .description('Show the configs of a broker, a topic or a group (all, or the keys named)')
    .argument('[keys...]', 'config names (default: all)')
    .option('--broker <id>', 'a broker\'s configs')
    .option('--topic <name>', 'a topic\'s configs')
    .option('--group <id>', 'a group\'s configs (share.auto.offset.reset, share.record.lock.duration.ms, ...)')
    .option('--client-metrics <name>', 'a KIP-714 client metrics subscription (metrics, interval.ms, match)')
    .option('--non-default', 'only the configs set explicitly'))), [
    'brook config get --broker 1',
    'brook config get --broker 1 log.retention.hours num.partitions',
    'brook config get --topic orders --non-default --format json',
    'brook config get --group workers',
    'brook config get --client-metrics all-clients'
  ]).action(async (keys: string[], flags: ConnectionFlags & FormatFlags & ResourceFlags & { nonDefault?: boolean }) => {
    const resource = resourceOf(flags)
    const entries = await withAdmin(flags, async (admin) => await admin.describeConfigs({ ...resource, ...(keys.length > 0 ? { keys } : {}) }))
    const rows = entries.filter((e) => flags.nonDefault !== true || !(e.isDefault || e.source === DEFAULT_CONFIG)).sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((e) => ({ name: e.name, value: e.isSensitive ? null : e.value, source: SOURCES[e.source] ?? 'unknown', readOnly: e.readOnly, sensitive: e.isSensitive }))
    printRows(flags.format, rows, ['key', 'value', 'source', 'read-only'], (r) => [r.name, r.sensitive ? '(sensitive)' : r.value, r.source, r.readOnly])
  })

  examples(withFormat(withConnection(config.command('set')
    .description('Change broker, topic or group configs incrementally')
    .argument('[key=value...]', 'configs to set')
    .option('--broker <id>', 'a broker\'s configs')
    .option('--topic <name>', 'a topic\'s configs')
    .option('--group <id>', 'a group\'s configs (share.auto.offset.reset, share.record.lock.duration.ms, ...)')
    .option('--client-metrics <name>', 'a KIP-714 client metrics subscription (metrics, interval.ms, match)')
    .option('-d, --delete <key>', 'remove an override (back to the default); repeatable', collect)
    .option('--append <key=value>', 'append to a list config; repeatable', collectKeyValue('--append'))
    .option('--subtract <key=value>', 'remove from a list config; repeatable', collectKeyValue('--subtract')))), [
    'brook config set --topic orders retention.ms=3600000',
    'brook config set --broker 1 log.cleaner.threads=2',
    'brook config set --topic orders --delete retention.ms',
    'brook config set --group workers share.auto.offset.reset=earliest',
    'brook config set --client-metrics all-clients \'metrics=*\' interval.ms=60000 \'match=client_id=orders-.*\''
  ]).action(async (pairs: string[], flags: ConnectionFlags & FormatFlags & ResourceFlags & { delete?: string[], append?: Record<string, string>, subtract?: Record<string, string> }) => {
    const resource = resourceOf(flags)
    const set = pairs.reduce<Record<string, string>>((acc, p) => collectKeyValue('config')(p, acc), {})
    const changes = configChanges({ ...flags, set })
    await withAdmin(flags, async (admin) => { await admin.alterConfigs(resource, changes) })
    printRows(flags.format, changes, ['key', 'operation', 'value'], (c) => [c.name, c.op, c.value])
  })
}
