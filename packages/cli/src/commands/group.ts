// `brook group list|describe|delete|seek`: consumer groups, their members, committed offsets and
// lag, and resetting committed offsets (dry run unless --execute, as kafka-consumer-groups.sh).
import type { Command } from 'commander'
import type { Admin, GroupDescription, TopicPartitionOffset } from '@brook/client'
import type { ConnectionFlags } from '../connection/client-options.js'
import { CommandFailed, UsageError } from '../errors.js'
import { printFields, printJson, printRows, printTable } from '../output/output.js'
import { bigintOf, collect, examples, type FormatFlags, timestampOf, withAdmin, withConnection, withFormat } from './common.js'
import { describeTopicOrFail } from './topic.js'

type Flags = ConnectionFlags & FormatFlags

interface PartitionLag {
  topic: string
  partition: number
  currentOffset: bigint | null
  logEndOffset: bigint
  lag: bigint | null
  memberId: string | null
  clientId: string | null
  host: string | null
}

/** Latest offsets of every partition of `topics`, by "topic:partition". */
async function logEnds (admin: Admin, topics: Iterable<string>): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>()
  for (const t of new Set(topics)) for (const o of await admin.fetchTopicOffsets(t, 'latest')) out.set(`${t}:${o.partition}`, o.offset)
  return out
}

async function describeWithLag (admin: Admin, groupId: string): Promise<{ group: GroupDescription, partitions: PartitionLag[] }> {
  const [group] = await admin.describeGroups([groupId])
  if (group === undefined) throw new CommandFailed(`group ${groupId}: no description returned`)
  const committed = await admin.listGroupOffsets(groupId)
  const owners = new Map<string, GroupDescription['members'][number]>()
  for (const m of group.members) for (const tp of m.assignment) for (const p of tp.partitions) owners.set(`${tp.topic}:${p}`, m)
  const keys = new Map<string, { topic: string, partition: number }>()
  for (const c of committed) if (c.offset >= 0n) keys.set(`${c.topic}:${c.partition}`, c)
  for (const m of group.members) for (const tp of m.assignment) for (const p of tp.partitions) keys.set(`${tp.topic}:${p}`, { topic: tp.topic, partition: p })
  const ends = await logEnds(admin, [...keys.values()].map((k) => k.topic))
  const partitions = [...keys.entries()].map(([key, { topic, partition }]) => {
    const current = committed.find((c) => c.topic === topic && c.partition === partition && c.offset >= 0n)?.offset ?? null
    const end = ends.get(key) ?? 0n
    const owner = owners.get(key)
    return {
      topic,
      partition,
      currentOffset: current,
      logEndOffset: end,
      lag: current === null ? null : (end > current ? end - current : 0n),
      memberId: owner?.memberId ?? null,
      clientId: owner?.clientId ?? null,
      host: owner?.clientHost ?? null
    }
  }).sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
  // Kafka answers state Dead for a group it does not know; kafka-consumer-groups.sh calls that an error too.
  if (group.state === 'Dead' && group.members.length === 0 && partitions.length === 0) throw new CommandFailed(`group ${groupId} does not exist`)
  return { group, partitions }
}

export function registerGroup (group: Command): void {
  examples(withFormat(withConnection(group.command('list').alias('ls')
    .description('List groups (consumer, classic and share groups; --type to narrow)')
    .option('--type <type>', 'only groups of this type: classic, consumer or share (repeatable)', collect))), [
    'brook group list',
    'brook group list --type share',
    'brook group list --format json'
  ]).action(async (flags: Flags & { type?: string[] }) => {
    const types = flags.type ?? []
    for (const t of types) if (!['classic', 'consumer', 'share'].includes(t.toLowerCase())) throw new UsageError(`--type must be classic, consumer or share, got ${t}`)
    const groups = await withAdmin(flags, async (admin) => await admin.listGroups({ types }))
    printRows(flags.format, groups, ['group', 'type', 'protocol-type', 'state'], (g) => [g.groupId, g.type, g.protocolType === '' ? '-' : g.protocolType, g.state])
  })

  examples(withFormat(withConnection(group.command('describe')
    .description('Show groups: state, members, and per partition the committed offset, log end and lag')
    .argument('<groups...>', 'group ids'))), [
    'brook group describe billing',
    'brook group describe billing --format json'
  ]).action(async (groups: string[], flags: Flags) => {
    const described = await withAdmin(flags, async (admin) => {
      const out = []
      for (const id of groups) out.push(await describeWithLag(admin, id))
      return out
    })
    if (flags.format === 'json') {
      printJson(described.map(({ group, partitions }) => ({
        groupId: group.groupId,
        state: group.state,
        protocolType: group.protocolType,
        protocol: group.protocol,
        members: group.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, host: m.clientHost, assignment: m.assignment })),
        totalLag: partitions.reduce((sum, p) => sum + (p.lag ?? 0n), 0n),
        partitions
      })))
      return
    }
    described.forEach(({ group, partitions }, i) => {
      if (i > 0) process.stdout.write('\n')
      printFields([['group', group.groupId], ['state', group.state], ['protocol', group.protocol === '' ? '-' : `${group.protocolType}/${group.protocol}`],
        ['members', group.members.length], ['total lag', partitions.reduce((sum, p) => sum + (p.lag ?? 0n), 0n)]])
      if (partitions.length > 0) {
        process.stdout.write('\n')
        printTable(['topic', 'partition', 'current-offset', 'log-end-offset', 'lag', 'member-id', 'client-id', 'host'],
          partitions.map((p) => [p.topic, p.partition, p.currentOffset, p.logEndOffset, p.lag, p.memberId, p.clientId, p.host]))
      }
    })
  })

  examples(withFormat(withConnection(group.command('delete').alias('rm')
    .description('Delete groups (they must have no active members)')
    .argument('<groups...>', 'group ids'))), [
    'brook group delete billing'
  ]).action(async (groups: string[], flags: Flags) => {
    await withAdmin(flags, async (admin) => { await admin.deleteGroups(groups) })
    printRows(flags.format, groups.map((g) => ({ group: g, status: 'OK' })), ['group', 'status'], (r) => [r.group, r.status])
  })

  examples(withFormat(withConnection(group.command('seek').alias('reset-offsets')
    .description('Reset a group\'s committed offsets; prints the plan and changes nothing unless --execute')
    .argument('<group>', 'group id')
    .option('-t, --topic <topic[:p,p]>', 'topic (and partitions) to reset; repeatable', collect)
    .option('--all-topics', 'every topic the group has committed offsets for')
    .option('--to-earliest', 'to each partition\'s log start')
    .option('--to-latest', 'to each partition\'s end')
    .option('--to-offset <n>', 'to this offset (clamped to the partition\'s range)', bigintOf('--to-offset'))
    .option('--to-datetime <time>', 'to the first record at or after this time (ISO-8601 or ms)')
    .option('--shift-by <n>', 'move the committed offset by n (negative: back)', bigintOf('--shift-by'))
    .option('--to-current', 'keep the committed offset (for partitions that have none: the end)')
    .option('--execute', 'commit the new offsets (default: dry run)')
    .option('--dry-run', 'only print the plan (the default)'))), [
    'brook group seek billing --topic orders --to-earliest',
    'brook group seek billing --topic orders:0,1 --to-offset 100 --execute',
    'brook group seek billing --all-topics --to-datetime 2024-05-01T10:00:00Z --execute',
    'brook group seek billing --topic orders --shift-by -10 --execute'
  ]).action(async (groupId: string, flags: Flags & SeekFlags) => {
    const target = seekTarget(flags)
    const execute = flags.execute === true && flags.dryRun !== true
    const plan = await withAdmin(flags, async (admin) => {
      const committed = await admin.listGroupOffsets(groupId)
      const wanted = await partitionsToReset(admin, flags, committed)
      const current = (topic: string, partition: number): bigint | null =>
        committed.find((c) => c.topic === topic && c.partition === partition && c.offset >= 0n)?.offset ?? null
      const rows = (await planOffsets(admin, wanted, target, current))
        .map((r) => ({ topic: r.topic, partition: r.partition, currentOffset: r.current, newOffset: r.next }))
      if (execute) {
        const [described] = await admin.describeGroups([groupId])
        if (described !== undefined && described.members.length > 0) {
          throw new CommandFailed(`group ${groupId} has ${described.members.length} active member(s) (state ${described.state}); stop its consumers first, offsets can only be reset on an inactive group`)
        }
        await admin.alterGroupOffsets(groupId, rows.map((r): TopicPartitionOffset => ({ topic: r.topic, partition: r.partition, offset: r.newOffset })))
      }
      return rows
    })
    if (flags.format === 'json') { printJson({ group: groupId, executed: execute, partitions: plan }); return }
    printTable(['topic', 'partition', 'current-offset', 'new-offset'], plan.map((r) => [r.topic, r.partition, r.currentOffset, r.newOffset]))
    if (!execute) process.stderr.write('dry run: nothing changed; add --execute to commit these offsets\n')
  })
}

export interface SeekFlags {
  topic?: string[]
  allTopics?: boolean
  toEarliest?: boolean
  toLatest?: boolean
  toOffset?: bigint
  toDatetime?: string
  shiftBy?: bigint
  toCurrent?: boolean
  execute?: boolean
  dryRun?: boolean
}

export type SeekTarget =
  | { kind: 'earliest' } | { kind: 'latest' } | { kind: 'current' }
  | { kind: 'offset', offset: bigint } | { kind: 'shift', by: bigint } | { kind: 'datetime', ms: number }

function seekTarget (flags: SeekFlags): SeekTarget {
  const targets: SeekTarget[] = []
  if (flags.toEarliest === true) targets.push({ kind: 'earliest' })
  if (flags.toLatest === true) targets.push({ kind: 'latest' })
  if (flags.toCurrent === true) targets.push({ kind: 'current' })
  if (flags.toOffset !== undefined) targets.push({ kind: 'offset', offset: flags.toOffset })
  if (flags.shiftBy !== undefined) targets.push({ kind: 'shift', by: flags.shiftBy })
  if (flags.toDatetime !== undefined) targets.push({ kind: 'datetime', ms: timestampOf(flags.toDatetime) })
  if (targets.length !== 1) throw new UsageError('give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by, --to-current')
  return targets[0]!
}

/**
 * Where each wanted partition moves to: `current` is the offset there now (null when none), what
 * --shift-by and --to-current start from; offsets are clamped to the partition's range.
 */
export async function planOffsets (admin: Admin, wanted: Map<string, number[]>, target: SeekTarget,
  current: (topic: string, partition: number) => bigint | null): Promise<Array<{ topic: string, partition: number, current: bigint | null, next: bigint }>> {
  const rows: Array<{ topic: string, partition: number, current: bigint | null, next: bigint }> = []
  for (const [topic, partitions] of wanted) {
    const [earliest, latest, at] = await Promise.all([
      admin.fetchTopicOffsets(topic, 'earliest'),
      admin.fetchTopicOffsets(topic, 'latest'),
      target.kind === 'datetime' ? admin.fetchTopicOffsets(topic, { timestamp: target.ms }) : Promise.resolve([])
    ])
    for (const partition of partitions) {
      const low = earliest.find((o) => o.partition === partition)?.offset ?? 0n
      const high = latest.find((o) => o.partition === partition)?.offset ?? 0n
      const now = current(topic, partition)
      const clamp = (o: bigint): bigint => (o < low ? low : o > high ? high : o)
      let next: bigint
      switch (target.kind) {
        case 'earliest': next = low; break
        case 'latest': next = high; break
        case 'offset': next = clamp(target.offset); break
        case 'shift': next = clamp((now ?? high) + target.by); break
        case 'current': next = now ?? high; break
        case 'datetime': {
          const found = at.find((o) => o.partition === partition)?.offset ?? -1n
          next = found < 0n ? high : found
          break
        }
      }
      rows.push({ topic, partition, current: now, next })
    }
  }
  return rows
}

export async function partitionsToReset (admin: Admin, flags: SeekFlags, committed: TopicPartitionOffset[]): Promise<Map<string, number[]>> {
  if ((flags.topic === undefined) === (flags.allTopics !== true)) throw new UsageError('give --topic (repeatable) or --all-topics')
  const out = new Map<string, number[]>()
  if (flags.allTopics === true) {
    for (const c of committed) out.set(c.topic, [...(out.get(c.topic) ?? []), c.partition])
    return out
  }
  for (const spec of flags.topic ?? []) {
    const [topic = '', list] = spec.split(':')
    const all = (await describeTopicOrFail(admin, topic)).partitions.map((p) => p.partition).sort((a, b) => a - b)
    const partitions = list === undefined ? all : list.split(',').map((p) => {
      const n = Number(p)
      if (!Number.isInteger(n) || !all.includes(n)) throw new UsageError(`--topic ${spec}: ${topic} has no partition ${p}`)
      return n
    })
    out.set(topic, partitions)
  }
  return out
}
