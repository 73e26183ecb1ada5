// `brook share-group list|describe|offsets|reset-offsets|delete`: share groups (KIP-932), as
// kafka-share-groups.sh does: ListGroups with the share type, ShareGroupDescribe,
// Describe/Alter/DeleteShareGroupOffsets and DeleteGroups. Resetting is a dry run unless --execute.
import type { Command } from 'commander'
import type { Admin, ShareGroupDescription, ShareGroupOffset } from '@brook/client'
import type { ConnectionFlags } from '../connection/client-options.js'
import { CommandFailed, UsageError } from '../errors.js'
import { printFields, printJson, printRows, printTable } from '../output/output.js'
import { bigintOf, collect, examples, type FormatFlags, timestampOf, withAdmin, withConnection, withFormat } from './common.js'
import { partitionsToReset, planOffsets, type SeekTarget } from './group.js'

type Flags = ConnectionFlags & FormatFlags

interface ResetFlags {
  topic?: string[]
  allTopics?: boolean
  toEarliest?: boolean
  toLatest?: boolean
  toOffset?: bigint
  toDatetime?: string
  execute?: boolean
  dryRun?: boolean
}

/** The targets a share group's start offset can be reset to (no shift, no current: Kafka has neither). */
type ResetTarget = Extract<SeekTarget, { kind: 'earliest' | 'latest' | 'offset' | 'datetime' }>

function resetTarget (flags: ResetFlags): ResetTarget {
  const targets: ResetTarget[] = []
  if (flags.toEarliest === true) targets.push({ kind: 'earliest' })
  if (flags.toLatest === true) targets.push({ kind: 'latest' })
  if (flags.toOffset !== undefined) targets.push({ kind: 'offset', offset: flags.toOffset })
  if (flags.toDatetime !== undefined) targets.push({ kind: 'datetime', ms: timestampOf(flags.toDatetime) })
  if (targets.length !== 1) throw new UsageError('give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime')
  return targets[0]!
}

async function describeOne (admin: Admin, groupId: string): Promise<{ group: ShareGroupDescription, offsets: ShareGroupOffset[] }> {
  const [group] = await admin.describeShareGroups([groupId])
  if (group === undefined) throw new CommandFailed(`share group ${groupId}: no description returned`)
  return { group, offsets: await admin.describeShareGroupOffsets(groupId) }
}

function totalLag (offsets: ShareGroupOffset[]): bigint {
  return offsets.reduce((sum, o) => sum + (o.lag ?? 0n), 0n)
}

export function registerShareGroup (shareGroup: Command): void {
  examples(withFormat(withConnection(shareGroup.command('list').alias('ls')
    .description('List share groups with their state'))), [
    'brook share-group list',
    'brook share-group list --format json'
  ]).action(async (flags: Flags) => {
    const groups = await withAdmin(flags, async (admin) => await admin.listGroups({ types: ['share'] }))
    printRows(flags.format, groups.map((g) => ({ groupId: g.groupId, state: g.state })), ['group', 'state'], (g) => [g.groupId, g.state])
  })

  examples(withFormat(withConnection(shareGroup.command('describe')
    .description('Show share groups: state, epochs, members with their assignments, and start offset and lag per share-partition')
    .argument('<groups...>', 'group ids'))), [
    'brook share-group describe workers',
    'brook share-group describe workers --format json'
  ]).action(async (groups: string[], flags: Flags) => {
    const described = await withAdmin(flags, async (admin) => {
      const out = []
      for (const id of groups) out.push(await describeOne(admin, id))
      return out
    })
    if (flags.format === 'json') {
      printJson(described.map(({ group, offsets }) => ({ ...group, totalLag: totalLag(offsets), offsets })))
      return
    }
    described.forEach(({ group, offsets }, i) => {
      if (i > 0) process.stdout.write('\n')
      printFields([['group', group.groupId], ['state', group.state], ['group epoch', group.groupEpoch], ['assignment epoch', group.assignmentEpoch],
        ['members', group.members.length], ['total lag', totalLag(offsets)]])
      if (group.members.length > 0) {
        process.stdout.write('\n')
        printTable(['member-id', 'client-id', 'host', 'epoch', 'assignment'], group.members.map((m) => [
          m.memberId, m.clientId, m.clientHost, m.memberEpoch, m.assignment.map((a) => `${a.topic}:${[...a.partitions].sort((x, y) => x - y).join(',')}`).join(' ')
        ]))
      }
      if (offsets.length > 0) {
        process.stdout.write('\n')
        printTable(['topic', 'partition', 'start-offset', 'lag'], offsets.map((o) => [o.topic, o.partition, o.startOffset, o.lag]))
      }
    })
  })

  examples(withFormat(withConnection(shareGroup.command('offsets')
    .description('A share group\'s start offset and lag per share-partition')
    .argument('<group>', 'group id'))), [
    'brook share-group offsets workers'
  ]).action(async (groupId: string, flags: Flags) => {
    const offsets = await withAdmin(flags, async (admin) => await admin.describeShareGroupOffsets(groupId))
    printRows(flags.format, offsets, ['topic', 'partition', 'start-offset', 'lag'], (o) => [o.topic, o.partition, o.startOffset, o.lag])
  })

  examples(withFormat(withConnection(shareGroup.command('reset-offsets').alias('seek')
    .description('Reset a share group\'s start offsets (the group must have no members); prints the plan and changes nothing unless --execute')
    .argument('<group>', 'group id')
    .option('-t, --topic <topic[:p,p]>', 'topic (and partitions) to reset; repeatable', collect)
    .option('--all-topics', 'every topic the group has share state for')
    .option('--to-earliest', 'to each partition\'s log start')
    .option('--to-latest', 'to each partition\'s end')
    .option('--to-offset <n>', 'to this offset (clamped to the partition\'s range)', bigintOf('--to-offset'))
    .option('--to-datetime <time>', 'to the first record at or after this time (ISO-8601 or ms)')
    .option('--execute', 'apply the new start offsets (default: dry run)')
    .option('--dry-run', 'only print the plan (the default)'))), [
    'brook share-group reset-offsets workers --topic jobs --to-earliest',
    'brook share-group reset-offsets workers --all-topics --to-offset 100 --execute'
  ]).action(async (groupId: string, flags: Flags & ResetFlags) => {
    const target = resetTarget(flags)
    const execute = flags.execute === true && flags.dryRun !== true
    const plan = await withAdmin(flags, async (admin) => {
      const current = await admin.describeShareGroupOffsets(groupId)
      const wanted = await partitionsToReset(admin, flags, current.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.startOffset })))
      const start = (topic: string, partition: number): bigint | null =>
        current.find((o) => o.topic === topic && o.partition === partition)?.startOffset ?? null
      const rows = (await planOffsets(admin, wanted, target, start))
        .map((r) => ({ topic: r.topic, partition: r.partition, startOffset: r.current, newOffset: r.next }))
      if (execute) await admin.alterShareGroupOffsets(groupId, rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.newOffset })))
      return rows
    })
    if (flags.format === 'json') { printJson({ group: groupId, executed: execute, partitions: plan }); return }
    printTable(['topic', 'partition', 'start-offset', 'new-offset'], plan.map((r) => [r.topic, r.partition, r.startOffset, r.newOffset]))
    if (!execute) process.stderr.write('dry run: nothing changed; add --execute to apply these start offsets\n')
  })

  examples(withFormat(withConnection(shareGroup.command('delete').alias('rm')
    .description('Delete share groups, or with --topic only their state for those topics (the group must have no members)')
    .argument('<groups...>', 'group ids')
    .option('-t, --topic <topic>', 'delete only the share state of this topic (repeatable; one group)', collect))), [
    'brook share-group delete workers',
    'brook share-group delete workers --topic jobs'
  ]).action(async (groups: string[], flags: Flags & { topic?: string[] }) => {
    const topics = flags.topic ?? []
    if (topics.length > 0 && groups.length !== 1) throw new UsageError('--topic deletes one group\'s share state: name one group')
    await withAdmin(flags, async (admin) => {
      if (topics.length > 0) await admin.deleteShareGroupOffsets(groups[0]!, topics)
      else await admin.deleteGroups(groups)
    })
    const rows: Array<{ group: string, topic: string | null, status: string }> = topics.length > 0 ? topics.map((t) => ({ group: groups[0]!, topic: t, status: 'OK' })) : groups.map((g) => ({ group: g, topic: null, status: 'OK' }))
    printRows(flags.format, rows, ['group', 'topic', 'status'], (r) => [r.group, r.topic, r.status])
  })
}
