// The exchange router of a single broker (docs/exchanges.md): one loop that, for every partition
// of every exchange topic, reads the records appended since its position (up to the last stable
// offset; records of aborted transactions skipped), decides each record's destinations
// (routing.ts) and appends the copies (copies.ts) into the destination partitions, all local.
//
// Exactly once: the router appends as an idempotent producer of its own (internal-producer/),
// one batch per destination partition per step, after writing the step's intent (route-log.ts).
// A restart replays an unfinished intent: appends the destination's producer state already covers
// are skipped, the rest are made with the intent's sequences. One loop does every append, so the
// sequences of a destination partition never interleave.
//
// A destination that no longer exists loses its copies (counted, logged); one that refuses an
// append (too large a record, a storage error) is retried a few times, then its copies of that
// step are dropped (counted, logged) so that the other destinations keep flowing.
import { buildBatchSync, type KafkaRecord } from '@brook/protocol'
import type { Logger } from '@brook/common'
import type { Registry } from 'prom-client'
import type { FileSystem } from '@brook/storage'
import type { Partition } from '../partition/partition.js'
import { INTERNAL_PRODUCER_EPOCH, internalProducerId, landed, nextSequence } from '../internal-producer/internal-producer.js'
import { EXCHANGE_CONFIG_NAMES, exchangeConfig } from './bindings.js'
import { compileExchange, type CompiledExchange } from './routing.js'
import { CompiledExchanges, type CopyGroup, ExchangeCounters, planCopies, readRecords, type RouterTopic } from './copies.js'
import type { ExchangeRouter, ExchangeRoutingStats, PublishPositions } from './router.js'
import { type RouteAppend, type RouteIntent, RouteLog } from './route-log.js'
import { registerExchangeGauges } from './exchange-metrics.js'

const PRODUCER_FILE = 'producer.json'
/** Records routed per step at most (one intent line, one batch per destination partition). */
const STEP_RECORDS = 1000
const IDLE_MS = 20
const APPEND_ATTEMPTS = 3
const RETRY_MS = 500
/** Routing positions are published at most this often per exchange, and at least this often while unchanged. */
const PUBLISH_MS = 1000
const REPUBLISH_MS = 60_000

export interface LocalExchangeRouterOptions {
  fs: FileSystem
  dir: string
  allocateProducerId: () => Promise<number>
  topics: () => RouterTopic[]
  /** One topic by name: a step's lookups cost one map read, not a sorted copy of every topic. */
  topic: (name: string) => RouterTopic | undefined
  partition: (topic: string, index: number) => Partition | undefined
  logger: Logger
  /** Where the routing gauges are registered (the broker's /metrics registry). */
  registry?: Registry
  /**
   * Publishes an exchange's routing positions (the next offset to route, per partition) where
   * admin tools read them: the broker commits them as the offsets of the group
   * `exchangePositionGroup(exchange)`, so any tool that shows a group's lag shows the routing lag.
   */
  publishPositions?: PublishPositions
}


export class LocalExchangeRouter implements ExchangeRouter {
  readonly #logs = new Map<string, RouteLog>()
  readonly #nextSeq = new Map<string, number>()
  readonly #counters = new ExchangeCounters()
  readonly #compiled: CompiledExchanges
  /** Per exchange: the positions last published ("p:o,p:o") and when. */
  readonly #published = new Map<string, { key: string, at: number }>()
  #closed = false
  #loop: Promise<void> = Promise.resolve()
  #wake: (() => void) | null = null

  private constructor (private readonly producerId: bigint, private readonly options: LocalExchangeRouterOptions) {
    this.#compiled = new CompiledExchanges(options.logger)
  }

  static async start (options: LocalExchangeRouterOptions): Promise<LocalExchangeRouter> {
    await options.fs.mkdir(options.dir)
    const producerId = await internalProducerId(options.fs, options.dir, PRODUCER_FILE, options.allocateProducerId)
    const router = new LocalExchangeRouter(producerId, options)
    if (options.registry !== undefined) registerExchangeGauges(options.registry, () => router.stats())
    router.#loop = router.#run()
    return router
  }

  stats (): ExchangeRoutingStats[] {
    return this.#counters.stats(this.options.topics(), (c) => this.#compiled.of(c), (topic, p) => this.#logs.get(`${topic}\u0000${p.index}`)?.position)
  }

  async close (): Promise<void> {
    this.#closed = true
    this.#wake?.()
    await this.#loop
    for (const log of this.#logs.values()) await log.close()
    this.#logs.clear()
  }

  async #run (): Promise<void> {
    while (!this.#closed) {
      let worked = false
      try {
        const active: Array<{ topic: RouterTopic, partition: Partition, compiled: CompiledExchange }> = []
        for (const topic of this.options.topics()) {
          const compiled = this.#compiled.of(topic.info.configs)
          if (compiled === null) continue
          topic.partitions.forEach((partition) => {
            if (partition !== undefined && !(partition.replicated && !partition.isLeader)) active.push({ topic, partition, compiled })
          })
        }
        // Every unfinished step is replayed before any new one takes sequences: exchange
        // partitions share destination partitions, and a new step planned from a destination's
        // producer state would take the sequences an unfinished intent of another exchange
        // partition holds (its copies then look landed, or out of order, and are lost).
        for (const a of active) {
          if (this.#closed) break
          if (await this.#replay(a.topic, a.partition, a.compiled)) worked = true
        }
        for (const a of active) {
          if (this.#closed) break
          if (await this.#step(a.topic, a.partition, a.compiled)) worked = true
        }
        // Deleted exchanges (or ones that became ordinary topics) give back their file handles;
        // their files stay: a topic made an exchange again resumes from its position.
        await this.#publish(active)
        const keys = new Set(active.map((a) => `${a.topic.info.name}\u0000${a.partition.index}`))
        for (const [key, log] of this.#logs) {
          if (keys.has(key) || this.#closed) continue
          this.#logs.delete(key)
          await log.close()
        }
      } catch (err) {
        this.options.logger.error({ err }, 'exchange routing: a step failed (retried)')
        await this.#sleep(RETRY_MS)
      }
      if (!worked) await this.#sleep(IDLE_MS)
    }
  }

  /** Publishes the routing positions of exchanges whose positions moved (throttled), or unchanged for a while. */
  async #publish (active: ReadonlyArray<{ topic: RouterTopic, partition: Partition }>): Promise<void> {
    const publish = this.options.publishPositions
    if (publish === undefined) return
    const byExchange = new Map<string, Array<{ partition: number, offset: number }>>()
    for (const { topic, partition } of active) {
      const log = this.#logs.get(`${topic.info.name}\u0000${partition.index}`)
      if (log === undefined) continue
      let list = byExchange.get(topic.info.name)
      if (list === undefined) { list = []; byExchange.set(topic.info.name, list) }
      list.push({ partition: partition.index, offset: Math.max(log.position, partition.log.logStartOffset) })
    }
    const now = Date.now()
    for (const [exchange, positions] of byExchange) {
      const key = positions.map((p) => `${p.partition}:${p.offset}`).join(',')
      const last = this.#published.get(exchange)
      if (last !== undefined && (now - last.at < PUBLISH_MS || (last.key === key && now - last.at < REPUBLISH_MS))) continue
      try {
        await publish(exchange, positions)
        this.#published.set(exchange, { key, at: now })
      } catch (err) {
        // The positions are a view for admin tools; routing goes on and the next pass tries again.
        this.options.logger.warn({ err, exchange }, 'exchange routing: publishing the routing positions failed')
        this.#published.set(exchange, { key: '', at: now })
      }
    }
  }

  async #sleep (ms: number): Promise<void> {
    if (this.#closed) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.#wake = null; resolve() }, ms)
      this.#wake = () => { clearTimeout(timer); this.#wake = null; resolve() }
    })
  }


  async #routeLog (topic: RouterTopic, partition: Partition): Promise<RouteLog> {
    const key = `${topic.info.name}\u0000${partition.index}`
    let log = this.#logs.get(key)
    if (log === undefined) {
      log = await RouteLog.open(this.options.fs, this.options.dir, topic.info.name, partition.index, topic.info.id)
      this.#logs.set(key, log)
    }
    return log
  }

  /** Finishes the partition's unfinished step (left by a crash or a failed step); true when there was one. */
  async #replay (topic: RouterTopic, partition: Partition, compiled: CompiledExchange): Promise<boolean> {
    const name = topic.info.name
    const log = await this.#routeLog(topic, partition)
    const intent = log.pending
    if (intent === null) return false
    const replay = compileExchange(exchangeConfig(intent.configs) ?? compiled.config)
    this.options.logger.info({ exchange: name, partition: partition.index, from: intent.from, to: intent.to }, 'exchange routing: replaying an unfinished step')
    const { records } = await readRecords(partition, intent.from, intent.to, Number.MAX_SAFE_INTEGER)
    await this.#apply(name, partition.index, this.#plan(name, partition.index, replay, records), intent.appends)
    await log.done(intent.to)
    return true
  }

  /** One new step of one exchange partition (none is unfinished); true when it routed anything. */
  async #step (topic: RouterTopic, partition: Partition, compiled: CompiledExchange): Promise<boolean> {
    const name = topic.info.name
    const log = await this.#routeLog(topic, partition)
    if (log.pending !== null) return false
    const start = partition.log.logStartOffset
    if (log.position < start) {
      this.options.logger.warn({ exchange: name, partition: partition.index, position: log.position, logStartOffset: start }, 'exchange routing: records deleted before they were routed (retention or DeleteRecords)')
      await log.done(start)
    }
    const bound = partition.log.lastStableOffset
    if (log.position >= bound) return false
    // The configs are read again after the bound: a record appended after a config change was
    // acknowledged is routed with the new bindings.
    if (this.options.topic(name)?.info.configs !== topic.info.configs) return true
    const { records, to } = await readRecords(partition, log.position, bound, STEP_RECORDS)
    if (to <= log.position) return false
    const groups = this.#plan(name, partition.index, compiled, records)
    const appends: RouteAppend[] = []
    for (const g of groups) {
      const dest = this.options.partition(g.topic, g.partition)
      if (dest === undefined) continue
      const seqKey = `${g.topic}\u0000${g.partition}`
      const baseSequence = this.#nextSeq.get(seqKey) ?? nextSequence(dest, this.producerId)
      this.#nextSeq.set(seqKey, baseSequence + g.records.length)
      appends.push({ topic: g.topic, partition: g.partition, baseSequence, count: g.records.length })
    }
    const configs: Record<string, string> = {}
    for (const n of EXCHANGE_CONFIG_NAMES) {
      const v = topic.info.configs[n]
      if (v !== undefined) configs[n] = v
    }
    const intent: RouteIntent = { from: log.position, to, configs, appends }
    if (appends.length > 0) await log.intent(intent)
    await this.#apply(name, partition.index, groups, appends)
    await log.done(to)
    return true
  }

  #plan (exchange: string, index: number, compiled: CompiledExchange, records: readonly KafkaRecord[]): CopyGroup[] {
    return planCopies(compiled, index, records, (topic) => this.options.topic(topic)?.partitions.length, this.#counters.of(exchange))
  }

  async #apply (exchange: string, index: number, groups: readonly CopyGroup[], appends: readonly RouteAppend[]): Promise<void> {
    const counters = this.#counters.of(exchange)
    for (const g of groups) {
      const a = appends.find((x) => x.topic === g.topic && x.partition === g.partition)
      const dest = this.options.partition(g.topic, g.partition)
      if (a === undefined || dest === undefined || a.count !== g.records.length) {
        counters.droppedCopies += g.records.length
        this.options.logger.warn({ exchange, partition: index, destination: g.topic, records: g.records.length }, 'exchange routing: destination partition missing; copies dropped')
        continue
      }
      for (let attempt = 1; ; attempt++) {
        if (landed(dest, this.producerId, a.baseSequence, a.count)) break
        try {
          const batch = buildBatchSync({ records: g.records, producerId: this.producerId, producerEpoch: INTERNAL_PRODUCER_EPOCH, baseSequence: a.baseSequence, baseTimestamp: BigInt(Date.now()) })
          await dest.append(batch, false)
          break
        } catch (err) {
          // The next step asks the partition for the sequence again (the append may have landed).
          this.#nextSeq.delete(`${g.topic}\u0000${g.partition}`)
          if (attempt >= APPEND_ATTEMPTS || this.#closed) {
            counters.droppedCopies += g.records.length
            this.options.logger.error({ err, exchange, partition: index, destination: g.topic, records: g.records.length }, 'exchange routing: destination refused the copies; dropped')
            break
          }
          await this.#sleep(RETRY_MS)
        }
      }
    }
  }

}
