// `brook cluster elect-leaders`: Kafka's kafka-leader-election tool on Brook's admin client
// (ElectLeaders). PREFERRED puts partitions back on their first replica; UNCLEAN gives partitions
// without a live leader one, from outside the ISR if it must (acknowledged data may be lost).
import { type Command, Option } from 'commander'
import { ErrorCode, kafkaError } from '@brook/client'
import type { ConnectionFlags } from '../connection/client-options.js'
import { CommandFailed, UsageError } from '../errors.js'
import { printJson, printTable } from '../output/output.js'
import { examples, type FormatFlags, withAdmin, withConnection, withFormat } from './common.js'

interface Flags extends ConnectionFlags, FormatFlags {
  electionType: 'preferred' | 'unclean'
  topic?: string
  partition?: number[]
  allTopicPartitions?: boolean
}

function partitionList (value: string, previous: number[] | undefined): number[] {
  const out = [...(previous ?? [])]
  for (const part of value.split(',')) {
    const n = Number(part)
    if (part.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`--partition must be partition numbers, got ${value}`)
    out.push(n)
  }
  return out
}

function outcome (code: number): string {
  if (code === ErrorCode.NONE) return 'elected'
  if (code === ErrorCode.ELECTION_NOT_NEEDED) return 'not needed'
  return kafkaError(code, '').kafkaName
}

export function registerElectLeaders (cluster: Command): void {
  examples(withFormat(withConnection(cluster.command('elect-leaders')
    .description('Elect preferred (or unclean) leaders: of every partition, of a topic, or of some of its partitions')
    .addOption(new Option('--election-type <type>', 'preferred or unclean').choices(['preferred', 'unclean']).default('preferred'))
    .option('--topic <name>', 'only this topic')
    .option('--partition <n,...>', 'only these partitions of --topic (repeatable)', partitionList)
    .option('--all-topic-partitions', 'every partition of every topic'))), [
    'brook cluster elect-leaders --all-topic-partitions',
    'brook cluster elect-leaders --topic orders --partition 0,3',
    'brook cluster elect-leaders --election-type unclean --topic orders --partition 2'
  ]).action(async (flags: Flags) => {
    const scoped = flags.topic !== undefined
    if (scoped === (flags.allTopicPartitions === true)) throw new UsageError('give either --topic or --all-topic-partitions')
    if (flags.partition !== undefined && !scoped) throw new UsageError('--partition needs --topic')
    const results = await withAdmin(flags, async (admin) => {
      if (!scoped) return await admin.electLeaders(flags.electionType)
      const topic = flags.topic as string
      const partitions = flags.partition ?? (await admin.describeTopics([topic]))[0]?.partitions.map((p) => p.partition) ?? []
      return await admin.electLeaders(flags.electionType, [{ topic, partitions }])
    })
    const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED)
    if (flags.format === 'json') printJson(results.map((r) => ({ topic: r.topic, partition: r.partition, result: outcome(r.errorCode), message: r.errorMessage })))
    else if (results.length === 0) process.stdout.write('no partition needed an election\n')
    else printTable(['topic', 'partition', 'result', 'message'], results.map((r) => [r.topic, r.partition, outcome(r.errorCode), r.errorMessage ?? '']))
    if (failed.length > 0) throw new CommandFailed(`${failed.length} partition(s) could not be elected`)
  })
}
