// `brook topic produce`: records from stdin or a file, one per delimiter (newline by default),
// with optional key and headers in each line, sent in pipelined batches.
import { createReadStream, statSync } from 'node:fs'
import type { Command } from 'commander'
import { Option } from 'commander'
import type { CompressionName, ProducerRecord, RecordMetadata } from '@brook/client'
import type { ConnectionFlags } from '../../connection/client-options.js'
import { UsageError } from '../../errors.js'
import { printRows } from '../../output/output.js'
import { collectKeyValue, examples, type FormatFlags, intOf, makeClient, withConnection, withFormat } from '../common.js'
import { describeTopicOrFail } from '../topic.js'
import { type LineLayout, parseRecord, splitRecords, unescapeSeparator } from './input.js'
import { progressFor } from './progress.js'
import { RateLimiter } from './rate-limit.js'

interface ProduceFlags extends ConnectionFlags, FormatFlags {
  file?: string
  delimiter: string
  keySeparator?: string
  headersDelimiter?: string
  headersSeparator: string
  headersKeySeparator: string
  header?: Record<string, string>
  partition?: number
  acks: string
  compression: CompressionName
  rate?: number
  lingerMs: number
  batchSize: number
  progress: boolean
}

/** Send calls in flight at once: enough to keep batches of every partition on the wire. */
const MAX_PENDING_SENDS = 32
const RECORDS_PER_SEND = 1000

function acksOf (value: string): 0 | 1 | -1 {
  if (value === 'all' || value === '-1') return -1
  if (value === '0') return 0
  if (value === '1') return 1
  throw new UsageError(`--acks must be all, -1, 0 or 1, got ${value}`)
}

export function registerProduce (topic: Command): void {
  examples(withFormat(withConnection(topic.command('produce')
    .description('Send records read from stdin (or a file), one per line')
    .argument('<topic>', 'topic to write to')
    .option('-F, --file <path>', 'read records from a file instead of stdin')
    .option('-D, --delimiter <sep>', 'record delimiter (\\n, \\t, \\0 understood)', '\\n')
    .option('-K, --key-separator <sep>', 'each record is key<sep>value')
    .option('--headers-delimiter <sep>', 'each record starts with headers, then <sep>: h1:v1,h2:v2<sep>...')
    .option('--headers-separator <sep>', 'between headers', ',')
    .option('--headers-key-separator <sep>', 'between a header\'s name and value', ':')
    .option('-H, --header <key=value>', 'a header on every record; repeatable', collectKeyValue('--header'))
    .option('-p, --partition <n>', 'write to this partition (default: by key, or sticky for keyless records)', intOf('--partition'))
    .option('--acks <acks>', 'all (-1), 1 or 0', 'all')
    .addOption(new Option('-z, --compression <codec>', 'batch compression').choices(['none', 'gzip', 'snappy', 'lz4', 'zstd']).default('none'))
    .option('--rate <n>', 'at most n records per second', intOf('--rate', 1))
    .option('--linger-ms <ms>', 'linger.ms: how long a batch waits to fill', intOf('--linger-ms'), 5)
    .option('--batch-size <bytes>', 'batch.size: bytes per partition batch', intOf('--batch-size', 1), 1_000_000)
    .option('--no-progress', 'no progress line, even on a terminal'))), [
    'echo hello | brook topic produce orders',
    'printf \'k1\\tv1\\nk2\\tv2\\n\' | brook topic produce orders -K \'\\t\'',
    'brook topic produce orders -F events.txt -z zstd --rate 1000',
    'printf \'source:web\\tk1\\tv1\\n\' | brook topic produce orders --headers-delimiter \'\\t\' -K \'\\t\''
  ]).action(async (topicName: string, flags: ProduceFlags) => {
    const acks = acksOf(flags.acks)
    const layout: LineLayout = {
      keySeparator: flags.keySeparator === undefined ? null : Buffer.from(unescapeSeparator(flags.keySeparator)),
      headersDelimiter: flags.headersDelimiter === undefined ? null : Buffer.from(unescapeSeparator(flags.headersDelimiter)),
      headersSeparator: unescapeSeparator(flags.headersSeparator),
      headersKeySeparator: unescapeSeparator(flags.headersKeySeparator)
    }
    const delimiter = Buffer.from(unescapeSeparator(flags.delimiter))
    if (delimiter.length === 0) throw new UsageError('--delimiter must not be empty')
    let totalBytes: number | null = null
    if (flags.file !== undefined) {
      try { totalBytes = statSync(flags.file).size } catch (err) { throw new UsageError(`cannot read ${flags.file}: ${(err as Error).message}`) }
    }
    const staticHeaders = Object.entries(flags.header ?? {}).map(([key, value]) => ({ key, value: Buffer.from(value) }))

    const client = makeClient(flags)
    const admin = client.admin()
    try {
      const meta = await describeTopicOrFail(admin, topicName)
      if (flags.partition !== undefined && flags.partition >= meta.partitions.length) throw new UsageError(`--partition ${flags.partition}: ${topicName} has ${meta.partitions.length} partitions`)
    } finally {
      await admin.close()
    }

    const producer = client.producer({ acks, idempotent: acks === -1, compression: flags.compression, lingerMs: flags.lingerMs, batchSize: flags.batchSize, allowAutoTopicCreation: false })
    const limiter = flags.rate === undefined ? null : new RateLimiter(flags.rate)
    const perSend = limiter === null ? RECORDS_PER_SEND : Math.min(RECORDS_PER_SEND, limiter.chunk)
    const progress = progressFor(flags.progress, totalBytes)
    const pending = new Set<Promise<RecordMetadata[]>>()
    let failure: unknown = null
    let records = 0
    let bytesRead = 0
    let lineNumber = 0
    const started = Date.now()
    const send = async (messages: ProducerRecord[]): Promise<void> => {
      if (limiter !== null) await limiter.take(messages.length)
      const p = producer.send({ topic: topicName, messages })
      pending.add(p)
      p.then(() => { records += messages.length; progress.update(records, bytesRead) }, (err: unknown) => { failure ??= err })
        .finally(() => pending.delete(p))
      while (pending.size >= MAX_PENDING_SENDS && failure === null) await Promise.race(pending).catch(() => {})
      if (failure !== null) throw failure
    }
    try {
      const input = flags.file === undefined ? process.stdin : createReadStream(flags.file, { highWaterMark: 1 << 20 })
      let batch: ProducerRecord[] = []
      for await (const lines of splitRecords(input as AsyncIterable<Buffer>, delimiter)) {
        for (const line of lines) {
          lineNumber++
          bytesRead += line.length + delimiter.length
          const parsed = parseRecord(line, layout, lineNumber)
          const headers = staticHeaders.length === 0 ? parsed.headers : [...staticHeaders, ...parsed.headers]
          batch.push({ key: parsed.key, value: parsed.value, headers, ...(flags.partition !== undefined ? { partition: flags.partition } : {}) })
          if (batch.length >= perSend) { await send(batch); batch = [] }
        }
      }
      if (batch.length > 0) await send(batch)
      // Every send's outcome is recorded by its own handler; this only waits for them all.
      await Promise.allSettled([...pending])
      if (failure !== null) throw failure
    } finally {
      progress.stop()
      await producer.close()
    }
    const seconds = (Date.now() - started) / 1000
    printRows(flags.format, [{ topic: topicName, records, seconds: Number(seconds.toFixed(3)), recordsPerSecond: seconds > 0 ? Math.round(records / seconds) : records }],
      ['topic', 'records', 'seconds', 'records/s'], (r) => [r.topic, r.records, r.seconds, r.recordsPerSecond])
  })
}
