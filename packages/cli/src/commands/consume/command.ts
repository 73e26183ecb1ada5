// `brook topic consume`: records of one or more topics to stdout, formatted by a kcat-style
// template or as JSON lines. Without --group it reads the chosen partitions from the chosen
// offsets (assign mode, nothing committed); with --group it joins the group, starts at the
// committed offsets, and commits what it printed.
import type { Command } from 'commander'
import { type Consumer, type ConsumerBatch, kafkaError, ErrorCode, type TopicPartitionOffset } from '@brook/client'
import type { ConnectionFlags } from '../../connection/client-options.js'
import { UsageError } from '../../errors.js'
import { collect, examples, intOf, makeClient, withConnection } from '../common.js'
import { describeTopicOrFail } from '../topic.js'
import { compileTemplate, type Formatter, jsonLines } from './template.js'
import { resolveStart, type StartOffset, startOffsetOf } from './start-offset.js'
import { StdoutSink } from './sink.js'

interface ConsumeFlags extends ConnectionFlags {
  partition?: string[]
  offset?: string
  fromBeginning?: boolean
  group?: string
  count?: number
  exit?: boolean
  format: string
  isolationLevel: string
}

const TICK_MS = 200
/** Large fetches: a CLI reading a topic to the end wants throughput (kcat fetches up to 1 MB per partition, 50 MB per request, and keeps a queue). */
const FETCH = { maxWaitMs: 250, maxBytes: 64 << 20, maxPartitionBytes: 8 << 20 }
/** How often a group consume commits what it printed. */
const COMMIT_INTERVAL_MS = 5_000

export function registerConsume (topic: Command): void {
  examples(withConnection(topic.command('consume')
    .description('Print records of topics to stdout')
    .argument('<topics...>', 'topics to read')
    .option('-p, --partition <n>', 'read only this partition; repeatable (default: all)', collect)
    .option('-o, --offset <spec>', 'start: beginning, end, stored, N, -N (from end), +N (from beginning), @time (ms or ISO-8601)')
    .option('--from-beginning', 'same as --offset beginning')
    .option('-g, --group <id>', 'consume as a member of this group (offsets stored and committed)')
    .option('-n, --count <n>', 'exit after n records', intOf('--count', 1))
    .option('-e, --exit', 'exit once every partition is read to its end')
    .option('-f, --format <fmt>', 'json (one object per line) or a template: %t %p %o %T %k %K %s %S %h', '%s\\n')
    .option('--isolation-level <level>', 'read_uncommitted or read_committed', 'read_uncommitted')), [
    'brook topic consume orders -o beginning -e',
    'brook topic consume orders -f \'%t %p %o %k %s\\n\' -n 10',
    'brook topic consume orders -g billing -f json',
    'brook topic consume orders -o @2024-05-01T10:00:00Z -e',
    'brook topic consume orders -p 0 -o -5 -e'
  ]).action(async (topics: string[], flags: ConsumeFlags) => {
    if (flags.isolationLevel !== 'read_committed' && flags.isolationLevel !== 'read_uncommitted') throw new UsageError(`--isolation-level must be read_committed or read_uncommitted, got ${flags.isolationLevel}`)
    const format: Formatter = flags.format === 'json' ? jsonLines : compileTemplate(flags.format)
    const start: StartOffset = startOffsetOf(flags.fromBeginning === true ? 'beginning' : (flags.offset ?? (flags.group !== undefined ? 'stored' : 'beginning')))
    const partitionFilter = flags.partition?.map(intOf('--partition'))
    if (flags.group !== undefined) {
      if (partitionFilter !== undefined) throw new UsageError('--partition and --group do not go together: the group assigns partitions')
      if (start.kind !== 'stored' && start.kind !== 'beginning' && start.kind !== 'end') throw new UsageError('with --group, --offset is stored, beginning or end (where to start when the group has no committed offset)')
    }

    const client = makeClient(flags)
    const admin = client.admin()
    let consumer: Consumer
    const ends = new Map<string, bigint>()
    try {
      const assignment: TopicPartitionOffset[] = []
      for (const t of topics) {
        const meta = await describeTopicOrFail(admin, t)
        const all = meta.partitions.map((p) => p.partition).sort((a, b) => a - b)
        const chosen = partitionFilter ?? all
        for (const p of chosen) if (!all.includes(p)) throw kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `partition ${t}-${p}`)
        if (flags.exit === true) for (const o of await admin.fetchTopicOffsets(t, 'latest')) ends.set(`${t}:${o.partition}`, o.offset)
        if (flags.group === undefined) for (const [partition, offset] of await resolveStart(admin, t, chosen, start)) assignment.push({ topic: t, partition, offset })
      }
      const isolationLevel = flags.isolationLevel === 'read_committed' ? 'read_committed' : 'read_uncommitted'
      if (flags.group === undefined) {
        consumer = client.consumer({ isolationLevel, ...FETCH })
        consumer.assign(assignment)
      } else {
        consumer = client.consumer({ groupId: flags.group, isolationLevel, ...FETCH, autoCommit: false, autoOffsetReset: start.kind === 'end' ? 'latest' : 'earliest' })
        consumer.subscribe({ topics })
      }
    } finally {
      await admin.close()
    }

    const sink = new StdoutSink()
    const printed = new Map<string, TopicPartitionOffset>()
    let count = 0
    let interrupted = false
    const onSignal = (): void => { interrupted = true }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    let lastCommit = Date.now()
    const committed = new Map<string, bigint>()
    // Per assigned partition: past the last record printed, or the consumer's position when that
    // is further (batches of control records only); a batch cut short by -n is never committed whole.
    const commitPrinted = async (): Promise<void> => {
      lastCommit = Date.now()
      if (flags.group === undefined) return
      const offsets: TopicPartitionOffset[] = []
      for (const tp of consumer.assignment()) {
        const key = `${tp.topic}:${tp.partition}`
        const position = consumer.position(tp)
        const upTo = printed.get(key)?.offset ?? null
        const offset = upTo === null ? position : position === null || upTo > position ? upTo : position
        if (offset !== null && committed.get(key) !== offset) offsets.push({ ...tp, offset })
      }
      if (offsets.length === 0) return
      await consumer.commit(offsets)
      for (const o of offsets) committed.set(`${o.topic}:${o.partition}`, o.offset)
    }
    const atEnd = (): boolean => {
      if (flags.exit !== true) return false
      const assigned = consumer.assignment()
      if (assigned.length === 0) return false
      return assigned.every((tp) => {
        const position = consumer.position(tp)
        return position !== null && position >= (ends.get(`${tp.topic}:${tp.partition}`) ?? 0n)
      })
    }
    const done = (): boolean => interrupted || sink.closed || (flags.count !== undefined && count >= flags.count) || atEnd()

    const batches = consumer.batches()
    const TICK = Symbol('tick')
    try {
      let next: Promise<IteratorResult<ConsumerBatch>> | null = null
      while (!done()) {
        next ??= batches.next()
        const r = await Promise.race([next, new Promise<typeof TICK>((resolve) => setTimeout(resolve, TICK_MS, TICK))])
        if (r === TICK) {
          if (Date.now() - lastCommit >= COMMIT_INTERVAL_MS) await commitPrinted()
          continue
        }
        next = null
        if (r.done === true) break
        const out: Buffer[] = []
        let last: bigint | null = null
        for (const m of r.value.messages) {
          format(m, out)
          last = m.offset
          if (flags.count !== undefined && ++count >= flags.count) break
        }
        if (last !== null) printed.set(`${r.value.topic}:${r.value.partition}`, { topic: r.value.topic, partition: r.value.partition, offset: last + 1n })
        await sink.write(out)
        // Asking for the next batch marks this one consumed, which atEnd() reads.
        if (flags.count === undefined || count < flags.count) next = batches.next()
      }
      consumer.stop()
      // The read loop ends within one fetch wait once stopped.
      if (next !== null) await next
      await commitPrinted()
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      await consumer.close()
    }
  })
}
