// The exchange router of a cluster (docs/exchanges.md): each broker routes the exchange partitions
// it leads; destinations may be led by any broker, so copies go out through Brook's client as a
// Kafka client would send them.
//
// Exactly once, as Kafka's consume-transform-produce does it: one transactional producer per
// exchange partition (transactional.id `brook.exchange.<exchange>.<partition>`), one transaction
// per routing step holding the step's copies and, through TxnOffsetCommit, the new routing
// position as the offset of group `brook.exchange.<exchange>`. A broker that takes leadership of
// the partition initialises the same transactional id, which fences the previous router and
// aborts its unfinished step, then reads the committed position and goes on from there. Copies of
// an aborted step exist in the destinations' logs as aborted records: read_committed consumers
// never see them, read_uncommitted ones do (see the docs).
import type { Logger } from '@brook/common'
import { Client, type ClientOptions, type Producer, type ProducerRecord } from '@brook/client'
import type { Registry } from 'prom-client'
import type { Partition } from '../partition/partition.js'
import type { CompiledExchange } from './routing.js'
import { CompiledExchanges, type Counters, ExchangeCounters, planCopies, readRecords, type RouterTopic } from './copies.js'
import { exchangePositionGroup, type ExchangeRouter, type ExchangeRoutingStats } from './router.js'
import { registerExchangeGauges } from './exchange-metrics.js'

/** Records routed per step (one transaction) at most. */
const STEP_RECORDS = 1000
const IDLE_MS = 20
const RETRY_MS = 500
/** A step that cannot finish within this long is aborted and retried (transaction.timeout.ms of the routers' producers). */
const TRANSACTION_TIMEOUT_MS = 60_000
const DELIVERY_TIMEOUT_MS = 30_000

export interface ClusterExchangeRouterOptions {
  /** Every topic of the cluster (partitions this broker holds no replica of are undefined). */
  topics: () => RouterTopic[]
  /** One topic by name: a step's lookups cost one map read, not a sorted copy of every topic. */
  topic: (name: string) => RouterTopic | undefined
  /** Where the routers' client bootstraps from: this broker's own listener. */
  bootstrap: () => string[]
  /** How the client connects there (TLS, SASL): the inter-broker listener's settings. */
  connection?: () => Pick<ClientOptions, 'tls' | 'sasl'>
  logger: Logger
  registry?: Registry
}

interface Worker {
  readonly producer: Producer
  /** The next offset to route; null until the producer is initialised and the position read. */
  position: number | null
}

export class ClusterExchangeRouter implements ExchangeRouter {
  readonly #workers = new Map<string, Worker>()
  readonly #counters = new ExchangeCounters()
  readonly #compiled: CompiledExchanges
  #client: Client | null = null
  #closed = false
  #loop: Promise<void> = Promise.resolve()
  #wake: (() => void) | null = null

  private constructor (private readonly options: ClusterExchangeRouterOptions) {
    this.#compiled = new CompiledExchanges(options.logger)
  }

  static start (options: ClusterExchangeRouterOptions): ClusterExchangeRouter {
    const router = new ClusterExchangeRouter(options)
    if (options.registry !== undefined) registerExchangeGauges(options.registry, () => router.stats())
    router.#loop = router.#run()
    return router
  }

  stats (): ExchangeRoutingStats[] {
    return this.#counters.stats(this.options.topics(), (c) => this.#compiled.of(c), (topic, p) => this.#workers.get(`${topic}\u0000${p.index}`)?.position ?? undefined)
  }

  async close (): Promise<void> {
    this.#closed = true
    this.#wake?.()
    await this.#loop
    for (const [key, worker] of this.#workers) await this.#retire(key, worker)
  }

  async #run (): Promise<void> {
    while (!this.#closed) {
      let worked = false
      const active = new Set<string>()
      for (const topic of this.options.topics()) {
        const compiled = this.#compiled.of(topic.info.configs)
        if (compiled === null) continue
        for (const partition of topic.partitions) {
          if (this.#closed) break
          if (partition === undefined || !partition.isLeader) continue
          const key = `${topic.info.name}\u0000${partition.index}`
          active.add(key)
          try {
            if (await this.#step(key, topic, partition, compiled)) worked = true
          } catch (err) {
            // The step's transaction is aborted (or will be, by the next initialisation): the
            // partition starts again from its committed position.
            this.options.logger.warn({ err, exchange: topic.info.name, partition: partition.index }, 'exchange routing: a step failed; retried from the committed position')
            const worker = this.#workers.get(key)
            if (worker !== undefined) await this.#retire(key, worker)
            await this.#sleep(RETRY_MS)
          }
        }
      }
      // Partitions no longer led here (or no longer exchanges): their producers go; the next
      // leader's initialisation fences them anyway.
      for (const [key, worker] of this.#workers) if (!active.has(key) || this.#closed) await this.#retire(key, worker)
      if (!worked) await this.#sleep(IDLE_MS)
    }
  }

  /** One routing step of one exchange partition this broker leads; true when it routed anything. */
  async #step (key: string, topic: RouterTopic, partition: Partition, compiled: CompiledExchange): Promise<boolean> {
    const name = topic.info.name
    const worker = await this.#worker(key, name, partition)
    const start = partition.log.logStartOffset
    if (worker.position === null) return false
    if (worker.position < start) {
      this.options.logger.warn({ exchange: name, partition: partition.index, position: worker.position, logStartOffset: start }, 'exchange routing: records deleted before they were routed (retention or DeleteRecords)')
      worker.position = start
    }
    const bound = partition.log.lastStableOffset
    if (worker.position >= bound) return false
    // Configs read again after the bound: a record appended after a config change was
    // acknowledged is routed with the new bindings.
    if (this.options.topic(name)?.info.configs !== topic.info.configs) return true
    const { records, to } = await readRecords(partition, worker.position, bound, STEP_RECORDS)
    if (to <= worker.position) return false
    const counts: Counters = { routed: 0, alternate: 0, unroutable: 0, droppedCopies: 0 }
    const groups = planCopies(compiled, partition.index, records, (t) => this.options.topic(t)?.partitions.length, counts)
    const producer = worker.producer
    producer.beginTransaction()
    try {
      await Promise.all(groups.map(async (g) => await producer.send({
        topic: g.topic,
        messages: g.records.map((r): ProducerRecord => ({ key: r.key ?? null, value: r.value ?? null, headers: r.headers?.map((h) => ({ key: h.key, value: h.value })), timestamp: r.timestamp, partition: g.partition }))
      })))
      await producer.sendOffsets(exchangePositionGroup(name), [{ topic: name, partition: partition.index, offset: BigInt(to) }])
      await producer.commitTransaction()
    } catch (err) {
      await producer.abortTransaction().catch((abortErr: unknown) => {
        // Fenced or unreachable: the next initialisation of the transactional id aborts it.
        this.options.logger.warn({ err: abortErr, exchange: name, partition: partition.index }, 'exchange routing: aborting the failed step failed')
      })
      throw err
    }
    worker.position = to
    const total = this.#counters.of(name)
    total.routed += counts.routed
    total.alternate += counts.alternate
    total.unroutable += counts.unroutable
    total.droppedCopies += counts.droppedCopies
    return true
  }

  async #worker (key: string, exchange: string, partition: Partition): Promise<Worker> {
    let worker = this.#workers.get(key)
    if (worker === undefined) {
      this.#client ??= new Client({ brokers: this.options.bootstrap(), clientId: 'brook-exchange-router', logger: this.options.logger, ...this.options.connection?.() })
      worker = {
        producer: this.#client.producer({ transactionalId: `${exchangePositionGroup(exchange)}.${partition.index}`, transactionTimeoutMs: TRANSACTION_TIMEOUT_MS, deliveryTimeoutMs: DELIVERY_TIMEOUT_MS, lingerMs: 0 }),
        position: null
      }
      this.#workers.set(key, worker)
    }
    if (worker.position === null) {
      // Fences the previous router of this partition (its open step is aborted), then reads
      // the position the last committed step left.
      await worker.producer.initTransactions()
      const admin = this.#client?.admin()
      if (admin === undefined) throw new Error('the exchange router has no client')
      try {
        const committed = await admin.listGroupOffsets(exchangePositionGroup(exchange), [{ topic: exchange, partition: partition.index }])
        const offset = committed.find((c) => c.partition === partition.index)?.offset ?? -1n
        worker.position = offset >= 0n ? Number(offset) : partition.log.logStartOffset
      } finally {
        await admin.close()
      }
      this.options.logger.info({ exchange, partition: partition.index, position: worker.position }, 'exchange routing: routing this partition')
    }
    return worker
  }

  async #retire (key: string, worker: Worker): Promise<void> {
    this.#workers.delete(key)
    await worker.producer.close().catch((err: unknown) => {
      this.options.logger.warn({ err }, 'exchange routing: closing a router producer failed')
    })
    if (this.#workers.size === 0) this.#client = null
  }

  async #sleep (ms: number): Promise<void> {
    if (this.#closed) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.#wake = null; resolve() }, ms)
      this.#wake = () => { clearTimeout(timer); this.#wake = null; resolve() }
    })
  }

}
