// Scheduled delivery (delivery.schedule.enable, docs/delivery.md): records held until their
// time, then appended to the partition the producer chose, keeping key, value and headers.
//
// Two levels: the schedule log (schedule-log.ts, buckets on disk) holds everything; fine buckets
// that start within LOAD_AHEAD_MS are read into a TimerWheel (@brook/common), whose tasks move
// records into a per-partition due queue. Memory holds only the loaded buckets' records.
//
// Exactly once across a crash: the scheduler appends as an idempotent producer of its own (a
// producer id kept in producer.json, epoch 0), one batch per (bucket, partition) group of due
// records, with the next sequence of that partition. Before each append it writes an intent line
// (ids, sequence range) to the bucket; after it, a done line. A bucket loaded after a restart
// resolves intents without a done line from the partition's producer state: if the partition's
// last sequence of the scheduler's producer covers the intent, the append happened (done now),
// else the records are delivered again. One append per partition is in flight at a time, so
// sequences never interleave.
import { buildBatchSync, type RecordInput } from '@brook/protocol'
import { type Logger, TimerWheel, type TimerHandle } from '@brook/common'
import type { FileSystem } from '@brook/storage'
import type { Partition } from '../partition/partition.js'
import { type BucketInfo, type DeliveryIntent, FINE_BUCKET_MS, FINE_SPAN_MS, ScheduleLog } from './schedule-log.js'
import type { ScheduledRecord } from './scheduled-record.js'
import { ScheduledRetries } from './scheduled-retries.js'
import { internalProducerId, landed, nextSequence } from '../internal-producer/internal-producer.js'

/** Fine buckets that start within this are read into memory. */
const LOAD_AHEAD_MS = 15_000
/** How often buckets are loaded, cascaded and dropped. */
const TICK_MS = 1_000
/**
 * Loading stops while this many records are in memory (a backlog after a long downtime is read
 * bucket by bucket, earliest first, as deliveries drain it).
 */
const MAX_IN_MEMORY = 200_000
/** Records per delivered batch at most. */
const MAX_BATCH_RECORDS = 500
/** A partition that cannot take a delivery now (not the leader, a storage error) is retried after this. */
const RETRY_MS = 1_000
const PRODUCER_FILE = 'producer.json'

export interface TopicScheduleStats {
  topic: string
  /** Records accepted and not yet delivered (held transactions excluded). */
  pending: number
  /** The earliest delivery time among them (epoch ms), null when none. */
  nextDueMs: number | null
}

export interface ScheduleStats {
  pending: number
  nextDueMs: number | null
  /** Records read into memory (due within about LOAD_AHEAD_MS). */
  inMemory: number
  topics: TopicScheduleStats[]
}

/** What the produce path and the transaction markers use. */
export interface RecordScheduler {
  schedule: (records: readonly ScheduledRecord[], durable: boolean) => Promise<void>
  hold: (producerId: bigint, records: readonly ScheduledRecord[], durable: boolean) => Promise<void>
  completeTransaction: (producerId: bigint, topic: string, partition: number, commit: boolean) => Promise<void>
  stats: () => ScheduleStats
  close: () => Promise<void>
}

export interface SchedulerOptions {
  fs: FileSystem
  dir: string
  /** A new producer id, used once (the first start) and kept in the directory. */
  allocateProducerId: () => Promise<number>
  partition: (topic: string, index: number) => Partition | undefined
  logger: Logger
}

interface Due { bucket: string, record: ScheduledRecord }

export class DeliveryScheduler implements RecordScheduler {
  /** Idempotent retries of batches split on scheduling topics. */
  readonly retries = new ScheduledRetries()
  readonly #loaded = new Map<string, Set<string>>()
  readonly #due = new Map<string, Due[]>()
  readonly #delivering = new Set<string>()
  readonly #nextSeq = new Map<string, number>()
  readonly #timers = new Set<TimerHandle>()
  readonly #wheel = new TimerWheel({ tickMs: 5 })
  #tick: NodeJS.Timeout | undefined
  #ticking: Promise<void> = Promise.resolve()
  #tickRunning = false
  #closed = false
  #inFlight = 0

  private constructor (private readonly log: ScheduleLog, private readonly producerId: bigint, private readonly options: SchedulerOptions) {}

  static async start (options: SchedulerOptions): Promise<DeliveryScheduler> {
    const log = await ScheduleLog.open(options.fs, options.dir, options.logger)
    const producerId = await internalProducerId(options.fs, options.dir, PRODUCER_FILE, options.allocateProducerId)
    const scheduler = new DeliveryScheduler(log, producerId, options)
    const pending = log.buckets().reduce((n, b) => n + [...b.pending.values()].reduce((a, c) => a + c, 0), 0)
    options.logger.info({ pending, buckets: log.buckets().length, producerId: String(producerId) }, 'scheduled delivery: schedule log opened')
    // The first tick (records that came due while the broker was down) runs in the background:
    // the broker starts listening meanwhile.
    const tick = (): void => {
      // One tick at a time; a slow one (a large backlog) is not queued behind by the interval.
      if (scheduler.#tickRunning) return
      scheduler.#tickRunning = true
      scheduler.#ticking = scheduler.#runTick().finally(() => { scheduler.#tickRunning = false })
    }
    tick()
    scheduler.#tick = setInterval(tick, TICK_MS)
    scheduler.#tick.unref()
    return scheduler
  }

  async schedule (records: readonly ScheduledRecord[], durable: boolean): Promise<void> {
    if (records.length === 0) return
    const written = await this.log.append(records, durable, Date.now())
    this.#addLoaded(written)
  }

  async hold (producerId: bigint, records: readonly ScheduledRecord[], durable: boolean): Promise<void> {
    if (records.length > 0) await this.log.hold(producerId, records, durable)
  }

  async completeTransaction (producerId: bigint, topic: string, partition: number, commit: boolean): Promise<void> {
    const written = await this.log.release(producerId, topic, partition, commit, Date.now())
    if (written.size > 0) this.options.logger.info({ producerId: String(producerId), topic, partition, commit }, 'scheduled delivery: transaction released its scheduled records')
    this.#addLoaded(written)
  }

  stats (): ScheduleStats {
    const topics = new Map<string, TopicScheduleStats>()
    for (const b of this.log.buckets()) {
      for (const [topic, count] of b.pending) {
        if (count <= 0) continue
        const t = topics.get(topic) ?? { topic, pending: 0, nextDueMs: null }
        t.pending += count
        // Buckets are in time order: the first one holding the topic has its earliest record.
        t.nextDueMs ??= Math.max(b.earliest, b.start)
        topics.set(topic, t)
      }
    }
    // In-memory records know their exact time: refine with the due queues and the wheel.
    for (const list of this.#due.values()) {
      for (const d of list) {
        const t = topics.get(d.record.topic)
        if (t !== undefined && (t.nextDueMs === null || d.record.deliverAt < t.nextDueMs)) t.nextDueMs = d.record.deliverAt
      }
    }
    const all = [...topics.values()].sort((a, b) => a.topic.localeCompare(b.topic))
    const next = all.reduce<number | null>((m, t) => t.nextDueMs !== null && (m === null || t.nextDueMs < m) ? t.nextDueMs : m, null)
    return { pending: all.reduce((n, t) => n + t.pending, 0), nextDueMs: next, inMemory: this.#wheel.size + this.#inFlight, topics: all }
  }

  async close (): Promise<void> {
    this.#closed = true
    clearInterval(this.#tick)
    this.#wheel.close()
    for (const t of this.#timers) t.cancel()
    await this.#ticking
    // Deliveries in flight finish their append and done line before the logs close.
    while (this.#delivering.size > 0) await new Promise((resolve) => setTimeout(resolve, 10))
    await this.log.close()
  }

  #addLoaded (written: Map<string, ScheduledRecord[]>): void {
    for (const [bucket, records] of written) {
      if (!this.#loaded.has(bucket)) continue
      for (const r of records) this.#arm(bucket, r)
    }
  }

  async #runTick (): Promise<void> {
    if (this.#closed) return
    const now = Date.now()
    try {
      for (const b of this.log.buckets()) {
        if (b.level === 'coarse') {
          if (b.start <= now + FINE_SPAN_MS) this.#addLoaded(await this.log.cascade(b.name, now))
          continue
        }
        if (!this.#loaded.has(b.name) && b.start <= now + LOAD_AHEAD_MS) {
          if (this.#wheel.size + this.#inFlight >= MAX_IN_MEMORY) continue
          await this.#load(b)
        }
        else if (this.#loaded.get(b.name)?.size === 0 && b.start + FINE_BUCKET_MS + LOAD_AHEAD_MS <= now && pendingOf(b) === 0) {
          // Emptied and past: no new record can be due in it any more.
          this.#loaded.delete(b.name)
          await this.log.drop(b.name)
        }
      }
    } catch (err) {
      this.options.logger.error({ err }, 'scheduled delivery: reading the schedule log failed (retried)')
    }
  }

  async #load (b: BucketInfo): Promise<void> {
    // Marked loaded first: records appended while it is read go to the wheel (ids dedupe them).
    this.#loaded.set(b.name, new Set())
    const { records, intents } = await this.log.read(b.name)
    const landed = new Set<string>()
    for (const intent of intents) {
      if (!this.#landed(intent)) continue
      for (const id of intent.ids) landed.add(id)
      await this.log.markDone(b.name, intent.topic, intent.ids)
    }
    for (const r of records) if (!landed.has(r.id)) this.#arm(b.name, r)
    if (records.length > 0) this.options.logger.debug({ bucket: b.name, records: records.length - landed.size }, 'scheduled delivery: bucket loaded')
  }

  /** Whether an intent's append reached the partition (its producer state covers the sequences). */
  #landed (intent: DeliveryIntent): boolean {
    const partition = this.options.partition(intent.topic, intent.partition)
    return partition !== undefined && intent.producerEpoch === 0 && landed(partition, this.producerId, intent.baseSequence, intent.ids.length)
  }

  #arm (bucket: string, record: ScheduledRecord): void {
    // Closing: the record is in its bucket file; the next start loads it.
    if (this.#closed) return
    const ids = this.#loaded.get(bucket)
    if (ids === undefined || ids.has(record.id)) return
    ids.add(record.id)
    this.#wheel.scheduleAt(record.deliverAt, () => { this.#becameDue({ bucket, record }) })
  }

  #becameDue (due: Due): void {
    const key = `${due.record.topic}\u0000${due.record.partition}`
    const list = this.#due.get(key)
    if (list === undefined) this.#due.set(key, [due])
    else list.push(due)
    this.#inFlight++
    this.#kick(key)
  }

  #kick (key: string): void {
    if (this.#delivering.has(key) || this.#closed) return
    this.#delivering.add(key)
    void this.#deliver(key).finally(() => { this.#delivering.delete(key) })
  }

  async #deliver (key: string): Promise<void> {
    const list = this.#due.get(key)
    while (list !== undefined && list.length > 0 && !this.#closed) {
      const first = list[0] as Due
      let n = 1
      while (n < list.length && n < MAX_BATCH_RECORDS && (list[n] as Due).bucket === first.bucket) n++
      const group = list.slice(0, n)
      const { topic, partition: index } = first.record
      const ids = group.map((d) => d.record.id)
      const partition = this.options.partition(topic, index)
      if (partition === undefined) {
        this.options.logger.warn({ topic, partition: index, records: n }, 'scheduled delivery: the partition no longer exists; records dropped')
        await this.#finish(list, n, first.bucket, topic, ids)
        continue
      }
      if (partition.replicated && !partition.isLeader) {
        this.#retryLater(key)
        return
      }
      const baseSequence = this.#sequenceFor(key, partition)
      const records: RecordInput[] = group.map((d) => ({ key: d.record.key, value: d.record.value, headers: d.record.headers }))
      try {
        await this.log.writeIntent(first.bucket, { topic, partition: index, producerEpoch: 0, baseSequence, ids })
        const now = BigInt(Date.now())
        const batch = buildBatchSync({ records, producerId: this.producerId, producerEpoch: 0, baseSequence, baseTimestamp: now })
        await partition.append(batch, false)
        this.#nextSeq.set(key, baseSequence + n)
      } catch (err) {
        // The next try asks the partition for the sequence again (the append may have landed).
        this.#nextSeq.delete(key)
        this.options.logger.warn({ err, topic, partition: index, records: n }, 'scheduled delivery: append failed, retrying')
        this.#retryLater(key)
        return
      }
      await this.#finish(list, n, first.bucket, topic, ids)
    }
  }

  async #finish (list: Due[], n: number, bucket: string, topic: string, ids: string[]): Promise<void> {
    list.splice(0, n)
    this.#inFlight -= n
    const loaded = this.#loaded.get(bucket)
    for (const id of ids) loaded?.delete(id)
    await this.log.markDone(bucket, topic, ids)
  }

  #retryLater (key: string): void {
    if (this.#closed) return
    const handle = this.#wheel.schedule(RETRY_MS, () => {
      this.#timers.delete(handle)
      this.#kick(key)
    })
    this.#timers.add(handle)
  }

  #sequenceFor (key: string, partition: Partition): number {
    const known = this.#nextSeq.get(key)
    if (known !== undefined) return known
    return nextSequence(partition, this.producerId)
  }
}

function pendingOf (b: BucketInfo): number {
  let n = 0
  for (const c of b.pending.values()) n += c
  return n
}
