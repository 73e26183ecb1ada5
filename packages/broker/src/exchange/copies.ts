// What both exchange routers share: reading an exchange partition's committed records, turning
// them into copies grouped by destination partition, and the per-exchange figures.
//
// A copy keeps the record's key, value, headers and timestamp and goes to the destination
// partition chosen by murmur2 of the key (Kafka's default partitioner; keyless records go to the
// exchange partition's index modulo the destination's partition count), so per-key order holds.
import { decodeBatchSync, iterateBatches, type KafkaRecord, partitionForKey, type RecordInput } from '@brook/protocol'
import type { Partition } from '../partition/partition.js'
import type { TopicOverrides } from '../config/topic-config.js'
import type { Logger } from '@brook/common'
import { exchangeConfig } from './bindings.js'
import { compileExchange, type CompiledExchange, routeRecord } from './routing.js'

const READ_BYTES = 1 << 20

export interface ExchangeRoutingStats {
  exchange: string
  type: string
  /** Records appended to the exchange and not yet routed (all its partitions this broker leads). */
  lag: number
  /** Since this broker started: records routed to at least one destination. */
  routed: number
  /** Since start: records that matched no binding and went to the alternate topic. */
  alternate: number
  /** Since start: records that matched nothing and had no alternate topic (dropped). */
  unroutable: number
  /** Since start: copies lost because their destination was deleted or kept refusing them. */
  droppedCopies: number
}

export interface RouterTopic {
  info: { name: string, id: string, configs: TopicOverrides }
  partitions: ReadonlyArray<Partition | undefined>
}

export interface Counters { routed: number, alternate: number, unroutable: number, droppedCopies: number }

/** The copies of one step bound for one destination partition, in exchange order. */
export interface CopyGroup { topic: string, partition: number, records: RecordInput[] }

/** Each configs object compiled once; null for ordinary topics. */
export class CompiledExchanges {
  readonly #compiled = new WeakMap<TopicOverrides, CompiledExchange | null>()

  constructor (private readonly logger: Logger) {}

  of (configs: TopicOverrides): CompiledExchange | null {
    if (this.#compiled.has(configs)) return this.#compiled.get(configs) ?? null
    let compiled: CompiledExchange | null = null
    try {
      const config = exchangeConfig(configs)
      compiled = config === null ? null : compileExchange(config)
    } catch (err) {
      // Configs are validated when set; one that no longer parses routes nothing (logged once).
      this.logger.error({ err }, 'exchange routing: invalid exchange configs, not routing')
    }
    this.#compiled.set(configs, compiled)
    return compiled
  }
}

export class ExchangeCounters {
  readonly #byExchange = new Map<string, Counters>()

  of (exchange: string): Counters {
    let c = this.#byExchange.get(exchange)
    if (c === undefined) { c = { routed: 0, alternate: 0, unroutable: 0, droppedCopies: 0 }; this.#byExchange.set(exchange, c) }
    return c
  }

  /** The figures of every exchange in `topics`; `position` is where routing of a led partition stands (undefined: not started). */
  stats (topics: readonly RouterTopic[], compile: (configs: TopicOverrides) => CompiledExchange | null,
    position: (topic: string, partition: Partition) => number | undefined): ExchangeRoutingStats[] {
    const out: ExchangeRoutingStats[] = []
    for (const topic of topics) {
      const compiled = compile(topic.info.configs)
      if (compiled === null) continue
      let lag = 0
      for (const p of topic.partitions) {
        if (p === undefined || (p.replicated && !p.isLeader)) continue
        const at = position(topic.info.name, p) ?? p.log.logStartOffset
        lag += Math.max(0, p.log.lastStableOffset - Math.max(at, p.log.logStartOffset))
      }
      out.push({ exchange: topic.info.name, type: compiled.config.type, lag, ...this.of(topic.info.name) })
    }
    return out.sort((a, b) => a.exchange.localeCompare(b.exchange))
  }
}

/** The copies of `records`, grouped by destination partition in exchange order; counts outcomes. */
export function planCopies (compiled: CompiledExchange, index: number, records: readonly KafkaRecord[],
  partitionCount: (topic: string) => number | undefined, counters: Counters): CopyGroup[] {
  const groups = new Map<string, CopyGroup>()
  const counts = new Map<string, number | undefined>()
  const countOf = (topic: string): number | undefined => {
    if (!counts.has(topic)) counts.set(topic, partitionCount(topic))
    return counts.get(topic)
  }
  for (const record of records) {
    const decision = routeRecord(compiled, record)
    if (decision.kind === 'unroutable') { counters.unroutable++; continue }
    const destinations = decision.kind === 'alternate' ? [decision.topic] : decision.destinations
    if (decision.kind === 'alternate') counters.alternate++
    else counters.routed++
    for (const topic of destinations) {
      const count = countOf(topic)
      if (count === undefined || count === 0) { counters.droppedCopies++; continue }
      const target = record.key === null ? index % count : partitionForKey(record.key, count)
      const k = `${topic}\u0000${target}`
      let g = groups.get(k)
      if (g === undefined) { g = { topic, partition: target, records: [] }; groups.set(k, g) }
      g.records.push({ key: record.key, value: record.value, headers: record.headers, timestamp: record.timestamp })
    }
  }
  return [...groups.values()]
}

/**
 * Records of [from, bound) in offset order, at most `limit`, read committed (records of aborted
 * transactions and control batches are passed over); `to` is one past the last offset read.
 */
export async function readRecords (partition: Partition, from: number, bound: number, limit: number): Promise<{ records: KafkaRecord[], to: number }> {
  const records: KafkaRecord[] = []
  let to = from
  while (to < bound && records.length < limit) {
    const read = await partition.read(to, { maxBytes: READ_BYTES, maxOffset: bound, minOneBatch: true })
    if (read.chunks.length === 0) break
    const before = to
    const aborted = await partition.log.abortedTransactions(to, bound)
    for (const chunk of read.chunks) {
      for (const raw of iterateBatches(chunk)) {
        const batch = decodeBatchSync(raw)
        const base = Number(batch.header.baseOffset)
        const last = base + batch.header.lastOffsetDelta
        if (last < to) continue
        const abortedBatch = batch.isTransactional && aborted.some((a) => a.producerId === batch.header.producerId && base >= a.firstOffset && base <= a.lastOffset)
        if (!batch.isControl && !abortedBatch) {
          for (const r of batch.records) if (Number(r.offset) >= to && Number(r.offset) < bound) records.push(r)
        }
        to = Math.min(last + 1, bound)
        if (records.length >= limit || to >= bound) break
      }
      if (records.length >= limit || to >= bound) break
    }
    if (to === before) break
  }
  return { records, to }
}
