// `brook topic create|list|describe|delete|alter-config|add-partitions` (produce and consume are
// registered from their own modules).
import type { Command } from 'commander'
import { ConfigResourceType, ErrorCode, kafkaError, KafkaErrors, type ConfigOperation, type TopicMetadata, type Admin } from '@brook/client'
import type { ConnectionFlags } from '../connection/client-options.js'
import { UsageError } from '../errors.js'
import { printFields, printJson, printRows, printTable } from '../output/output.js'
import { collect, collectKeyValue, examples, type FormatFlags, intOf, withAdmin, withConnection, withFormat } from './common.js'

type Flags = ConnectionFlags & FormatFlags

/** DescribeConfigs' source of a config set on the topic itself (DYNAMIC_TOPIC_CONFIG). */
const TOPIC_OVERRIDE = 1

export async function describeTopicOrFail (admin: Admin, topic: string): Promise<TopicMetadata> {
  const [meta] = await admin.describeTopics([topic])
  if (meta === undefined || meta.errorCode !== ErrorCode.NONE) throw kafkaError(meta?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic}`)
  return meta
}

export function registerTopic (topic: Command): void {
  examples(withFormat(withConnection(topic.command('create')
    .description('Create topics')
    .argument('<topics...>', 'topic names')
    .option('-p, --partitions <n>', 'partitions (default: the broker\'s num.partitions)', intOf('--partitions', 1))
    .option('-r, --replicas <n>', 'replication factor (default: the broker\'s default.replication.factor)', intOf('--replicas', 1))
    .option('-c, --config <key=value>', 'topic config; repeatable', collectKeyValue('--config'))
    .option('--if-not-exists', 'succeed when a topic exists already')
    .option('--dry-run', 'validate only: the broker checks the request and creates nothing'))), [
    'brook topic create orders -p 3',
    'brook topic create audit -c retention.ms=86400000 -c cleanup.policy=compact'
  ]).action(async (topics: string[], flags: Flags & { partitions?: number, replicas?: number, config?: Record<string, string>, ifNotExists?: boolean, dryRun?: boolean }) => {
    const results = await withAdmin(flags, async (admin) => {
      const out: Array<{ topic: string, status: string }> = []
      for (const name of topics) {
        try {
          await admin.createTopics([{ topic: name, numPartitions: flags.partitions ?? -1, replicationFactor: flags.replicas ?? -1, configs: flags.config ?? {} }], { validateOnly: flags.dryRun === true })
          out.push({ topic: name, status: flags.dryRun === true ? 'OK (dry run)' : 'OK' })
        } catch (err) {
          if (flags.ifNotExists === true && err instanceof KafkaErrors.TOPIC_ALREADY_EXISTS) out.push({ topic: name, status: 'EXISTS' })
          else throw err
        }
      }
      return out
    })
    printRows(flags.format, results, ['topic', 'status'], (r) => [r.topic, r.status])
  })

  examples(withFormat(withConnection(topic.command('list').alias('ls')
    .description('List topics with their partition counts')
    .option('-i, --internal', 'include internal topics (__consumer_offsets...)'))), [
    'brook topic list',
    'brook topic list --format json'
  ]).action(async (flags: Flags & { internal?: boolean }) => {
    const topics = await withAdmin(flags, async (admin) => {
      const names = await admin.listTopics({ includeInternal: flags.internal === true })
      const metas = names.length === 0 ? [] : await admin.describeTopics(names)
      return metas.map((m) => ({ name: m.name, partitions: m.partitions.length, replicas: m.partitions[0]?.replicas.length ?? 0, internal: m.isInternal }))
    })
    printRows(flags.format, topics, ['name', 'partitions', 'replicas'], (t) => [t.name, t.partitions, t.replicas])
  })

  examples(withFormat(withConnection(topic.command('describe')
    .description('Show a topic: summary, configs that are not defaults, and its partitions with offsets')
    .argument('<topic>', 'topic name')
    .option('-a, --all-configs', 'list every config, defaults too'))), [
    'brook topic describe orders',
    'brook topic describe orders --all-configs --format json'
  ]).action(async (name: string, flags: Flags & { allConfigs?: boolean }) => {
    const described = await withAdmin(flags, async (admin) => {
      const meta = await describeTopicOrFail(admin, name)
      const [configs, earliest, latest] = await Promise.all([
        admin.describeConfigs({ type: ConfigResourceType.Topic, name }),
        admin.fetchTopicOffsets(name, 'earliest'),
        admin.fetchTopicOffsets(name, 'latest')
      ])
      return {
        name: meta.name,
        topicId: meta.topicId,
        internal: meta.isInternal,
        configs: configs.filter((c) => flags.allConfigs === true || c.source === TOPIC_OVERRIDE || (c.source < 0 && !c.isDefault)).map((c) => ({ name: c.name, value: c.isSensitive ? null : c.value, default: c.isDefault, readOnly: c.readOnly })),
        partitions: meta.partitions.map((p) => ({
          partition: p.partition,
          leader: p.leader,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicas,
          isr: p.isr,
          logStartOffset: earliest.find((o) => o.partition === p.partition)?.offset ?? null,
          highWatermark: latest.find((o) => o.partition === p.partition)?.offset ?? null
        }))
      }
    })
    if (flags.format === 'json') { printJson(described); return }
    printFields([['name', described.name], ['topic id', described.topicId], ['internal', described.internal], ['partitions', described.partitions.length]])
    process.stdout.write('\nCONFIGS\n')
    printTable(['key', 'value'], described.configs.map((c) => [c.name, c.value ?? '(sensitive)']))
    process.stdout.write('\nPARTITIONS\n')
    printTable(['partition', 'leader', 'epoch', 'replicas', 'isr', 'log-start-offset', 'high-watermark'],
      described.partitions.map((p) => [p.partition, p.leader, p.leaderEpoch, p.replicas.join(','), p.isr.join(','), p.logStartOffset, p.highWatermark]))
  })

  examples(withFormat(withConnection(topic.command('delete').alias('rm')
    .description('Delete topics')
    .argument('<topics...>', 'topic names'))), [
    'brook topic delete orders',
    'brook topic delete a b c'
  ]).action(async (topics: string[], flags: Flags) => {
    await withAdmin(flags, async (admin) => { await admin.deleteTopics(topics) })
    printRows(flags.format, topics.map((t) => ({ topic: t, status: 'OK' })), ['topic', 'status'], (r) => [r.topic, r.status])
  })

  examples(withFormat(withConnection(topic.command('alter-config')
    .description('Change topic configs incrementally (IncrementalAlterConfigs)')
    .argument('<topics...>', 'topic names')
    .option('-s, --set <key=value>', 'set a config; repeatable', collectKeyValue('--set'))
    .option('-d, --delete <key>', 'remove an override (back to the default); repeatable', collect)
    .option('--append <key=value>', 'append to a list config; repeatable', collectKeyValue('--append'))
    .option('--subtract <key=value>', 'remove from a list config; repeatable', collectKeyValue('--subtract')))), [
    'brook topic alter-config orders --set retention.ms=3600000',
    'brook topic alter-config orders --delete retention.ms'
  ]).action(async (topics: string[], flags: Flags & { set?: Record<string, string>, delete?: string[], append?: Record<string, string>, subtract?: Record<string, string> }) => {
    const changes = configChanges(flags)
    await withAdmin(flags, async (admin) => {
      for (const name of topics) await admin.alterConfigs({ type: ConfigResourceType.Topic, name }, changes)
    })
    printRows(flags.format, topics.map((t) => ({ topic: t, status: 'OK' })), ['topic', 'status'], (r) => [r.topic, r.status])
  })

  examples(withFormat(withConnection(topic.command('add-partitions')
    .description('Add partitions to a topic')
    .argument('<topic>', 'topic name')
    .option('-n, --num <n>', 'how many partitions to add', intOf('--num', 1))
    .option('--total <n>', 'the partition count to reach (instead of --num)', intOf('--total', 1)))), [
    'brook topic add-partitions orders -n 3',
    'brook topic add-partitions orders --total 12'
  ]).action(async (name: string, flags: Flags & { num?: number, total?: number }) => {
    if ((flags.num === undefined) === (flags.total === undefined)) throw new UsageError('give one of --num and --total')
    const result = await withAdmin(flags, async (admin) => {
      const before = (await describeTopicOrFail(admin, name)).partitions.length
      const count = flags.total ?? before + (flags.num ?? 0)
      await admin.createPartitions([{ topic: name, count }])
      return { topic: name, before, after: count }
    })
    printRows(flags.format, [result], ['topic', 'before', 'after'], (r) => [r.topic, r.before, r.after])
  })
}

export function configChanges (flags: { set?: Record<string, string>, delete?: string[], append?: Record<string, string>, subtract?: Record<string, string> }): Array<{ name: string, value: string | null, op: ConfigOperation }> {
  const changes: Array<{ name: string, value: string | null, op: ConfigOperation }> = []
  for (const [name, value] of Object.entries(flags.set ?? {})) changes.push({ name, value, op: 'set' })
  for (const name of flags.delete ?? []) changes.push({ name, value: null, op: 'delete' })
  for (const [name, value] of Object.entries(flags.append ?? {})) changes.push({ name, value, op: 'append' })
  for (const [name, value] of Object.entries(flags.subtract ?? {})) changes.push({ name, value, op: 'subtract' })
  if (changes.length === 0) throw new UsageError('nothing to change: give --set, --delete, --append or --subtract')
  return changes
}
