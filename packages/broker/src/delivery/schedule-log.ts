// The durable side of scheduled delivery: a timing wheel whose buckets are log files, so that only
// what is due soon is in memory. Files in the schedule directory:
//   f-<start>.log   fine bucket: records due in [start, start + 10 s), one JSON line each
//   c-<start>.log   coarse bucket: records due in [start, start + 1 h), for those more than an
//                   hour ahead when produced; cascaded into fine buckets an hour before it starts
//   <bucket>.done   what left the bucket: {"t":topic,"d":[ids]} delivered (or dropped), and
//                   {"s":intent} written before a delivery's append (see scheduler.ts)
//   held/<producerId>.<partition>.<topic>.log   records of an open transaction, released into
//                   buckets when it commits and removed when it aborts
// A bucket is deleted once everything in it left. Records are appended in one write per call and
// fsynced when the producer asked for acks=all; a torn last line (kill -9 mid-write) was never
// acknowledged and is skipped. A cascade that crashes half-way is redone: fine buckets may then
// hold a record twice, and readers keep the first line of each id.
import type { FileSystem } from '@brook/storage'
import type { Logger } from '@brook/common'
import { SerialQueue } from '@brook/common'
import { decodeScheduled, encodeScheduled, peekScheduled, type ScheduledRecord } from './scheduled-record.js'
import { forEachLine, LineFile } from './line-file.js'

export const FINE_BUCKET_MS = 10_000
export const COARSE_BUCKET_MS = 3_600_000
/** Records due further ahead than this when produced go to coarse buckets. */
export const FINE_SPAN_MS = COARSE_BUCKET_MS

/** A delivery about to be appended: the scheduler's producer sequence range and the records in it. */
export interface DeliveryIntent {
  topic: string
  partition: number
  producerEpoch: number
  baseSequence: number
  ids: string[]
}

export interface BucketInfo {
  readonly name: string
  readonly level: 'fine' | 'coarse'
  readonly start: number
  /** Records not yet delivered, per topic. */
  readonly pending: Map<string, number>
  /** The earliest delivery time appended to the bucket (records may have left since). */
  earliest: number
}

export interface BucketContents {
  /** Records not marked delivered, first line of each id, in file order. */
  records: ScheduledRecord[]
  /** Intents without a later done line: their appends may or may not have happened. */
  intents: DeliveryIntent[]
}

const BUCKET_FILE = /^([fc])-(\d+)\.log$/
const HELD_DIR = 'held'

function bucketName (level: 'fine' | 'coarse', start: number): string {
  return `${level === 'fine' ? 'f' : 'c'}-${start}`
}

export function bucketOf (deliverAt: number, now: number, fine = false): { name: string, level: 'fine' | 'coarse', start: number } {
  if (fine || deliverAt < now + FINE_SPAN_MS) {
    const start = Math.floor(deliverAt / FINE_BUCKET_MS) * FINE_BUCKET_MS
    return { name: bucketName('fine', start), level: 'fine', start }
  }
  const start = Math.floor(deliverAt / COARSE_BUCKET_MS) * COARSE_BUCKET_MS
  return { name: bucketName('coarse', start), level: 'coarse', start }
}

export class ScheduleLog {
  readonly #buckets = new Map<string, BucketInfo>()
  readonly #files = new Map<string, LineFile>()
  /** One writer: appends, marks and file removals never interleave. */
  readonly #queue = new SerialQueue()

  private constructor (private readonly fs: FileSystem, private readonly dir: string, private readonly logger: Logger) {}

  /** Opens the directory and counts what every bucket still holds (one streaming pass). */
  static async open (fs: FileSystem, dir: string, logger: Logger): Promise<ScheduleLog> {
    await fs.mkdir(dir)
    await fs.mkdir(`${dir}/${HELD_DIR}`)
    await fs.syncDir(dir)
    const log = new ScheduleLog(fs, dir, logger)
    for (const file of await fs.readdir(dir)) {
      const m = BUCKET_FILE.exec(file)
      if (m === null) continue
      const level = m[1] === 'f' ? 'fine' : 'coarse'
      const info: BucketInfo = { name: bucketName(level, Number(m[2])), level, start: Number(m[2]), pending: new Map(), earliest: Infinity }
      await forEachLine(fs, `${dir}/${file}`, (line) => {
        const head = peekScheduled(line)
        if (head === null) return
        info.pending.set(head.topic, (info.pending.get(head.topic) ?? 0) + 1)
        info.earliest = Math.min(info.earliest, head.deliverAt)
      })
      await forEachLine(fs, `${dir}/${info.name}.done`, (line) => {
        const done = parseDone(line)
        if (done !== null) info.pending.set(done.topic, Math.max(0, (info.pending.get(done.topic) ?? 0) - done.ids.length))
      })
      log.#buckets.set(info.name, info)
    }
    return log
  }

  buckets (): BucketInfo[] {
    return [...this.#buckets.values()].sort((a, b) => a.start - b.start)
  }

  /** Appends records to their buckets; durable: fsynced before it resolves. Returns the buckets written. */
  async append (records: readonly ScheduledRecord[], durable: boolean, now: number, fine = false): Promise<Map<string, ScheduledRecord[]>> {
    const byBucket = new Map<string, ScheduledRecord[]>()
    const infos = new Map<string, ReturnType<typeof bucketOf>>()
    for (const r of records) {
      const b = bucketOf(r.deliverAt, now, fine)
      infos.set(b.name, b)
      const list = byBucket.get(b.name)
      if (list === undefined) byBucket.set(b.name, [r])
      else list.push(r)
    }
    await this.#queue.run(async () => {
      for (const [name, list] of byBucket) {
        const b = infos.get(name) as ReturnType<typeof bucketOf>
        await (await this.#file(`${name}.log`)).append(list.map(encodeScheduled), durable)
        let info = this.#buckets.get(name)
        if (info === undefined) this.#buckets.set(name, info = { ...b, pending: new Map(), earliest: Infinity })
        for (const r of list) {
          info.pending.set(r.topic, (info.pending.get(r.topic) ?? 0) + 1)
          info.earliest = Math.min(info.earliest, r.deliverAt)
        }
      }
    })
    return byBucket
  }

  /** What a bucket still holds, and its unfinished intents; the bucket's counts are set from it. */
  async read (name: string): Promise<BucketContents> {
    return await this.#queue.run(async () => {
      const done = new Set<string>()
      const intents = new Map<string, DeliveryIntent>()
      await forEachLine(this.fs, `${this.dir}/${name}.done`, (line) => {
        const d = parseDone(line)
        if (d !== null) {
          for (const id of d.ids) done.add(id)
          return
        }
        const intent = parseIntent(line)
        if (intent !== null) intents.set(intent.ids[0] ?? '', intent)
      })
      const seen = new Set<string>()
      const records: ScheduledRecord[] = []
      await forEachLine(this.fs, `${this.dir}/${name}.log`, (line) => {
        const r = decodeScheduled(line)
        if (r === null || done.has(r.id) || seen.has(r.id)) return
        seen.add(r.id)
        records.push(r)
      })
      // The exact count (a redone cascade may have counted a record twice at open).
      const info = this.#buckets.get(name)
      if (info !== undefined) {
        info.pending.clear()
        for (const r of records) info.pending.set(r.topic, (info.pending.get(r.topic) ?? 0) + 1)
      }
      return { records, intents: [...intents.values()].filter((i) => !i.ids.every((id) => done.has(id))) }
    })
  }

  /** Written before the delivery's append (not fsynced: it guards against a process crash). */
  async writeIntent (name: string, intent: DeliveryIntent): Promise<void> {
    await this.#queue.run(async () => {
      await (await this.#file(`${name}.done`)).append([JSON.stringify({ s: intent })], false)
    })
  }

  /** Records that left the bucket (delivered, or dropped with their topic). */
  async markDone (name: string, topic: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return
    await this.#queue.run(async () => {
      await (await this.#file(`${name}.done`)).append([JSON.stringify({ t: topic, d: ids })], false)
      const info = this.#buckets.get(name)
      if (info !== undefined) info.pending.set(topic, Math.max(0, (info.pending.get(topic) ?? 0) - ids.length))
    })
  }

  /** Removes an emptied bucket's files. */
  async drop (name: string): Promise<void> {
    await this.#queue.run(async () => {
      this.#buckets.delete(name)
      for (const suffix of ['.log', '.done']) {
        const file = this.#files.get(name + suffix)
        this.#files.delete(name + suffix)
        await file?.close()
        await this.fs.rm(`${this.dir}/${name}${suffix}`)
      }
    })
  }

  /** Moves a coarse bucket's records into fine buckets (durably), then removes it. */
  async cascade (name: string, now: number): Promise<Map<string, ScheduledRecord[]>> {
    const { records } = await this.read(name)
    const written = await this.append(records, true, now, true)
    await this.drop(name)
    this.logger.debug({ bucket: name, records: records.length, into: written.size }, 'scheduled delivery: coarse bucket cascaded')
    return written
  }

  /** Holds an open transaction's scheduled records until its marker. */
  async hold (producerId: bigint, records: readonly ScheduledRecord[], durable: boolean): Promise<void> {
    const byPartition = new Map<string, ScheduledRecord[]>()
    for (const r of records) {
      const file = `${HELD_DIR}/${producerId}.${r.partition}.${r.topic}.log`
      const list = byPartition.get(file)
      if (list === undefined) byPartition.set(file, [r])
      else list.push(r)
    }
    await this.#queue.run(async () => {
      for (const [file, list] of byPartition) await (await this.#file(file)).append(list.map(encodeScheduled), durable)
    })
  }

  /**
   * The transaction's marker is about to be written: a commit moves its held records into their
   * buckets (durably) and returns them; an abort discards them. Idempotent (a marker retried
   * after a crash finds nothing held).
   */
  async release (producerId: bigint, topic: string, partition: number, commit: boolean, now: number): Promise<Map<string, ScheduledRecord[]>> {
    const file = `${HELD_DIR}/${producerId}.${partition}.${topic}.log`
    const path = `${this.dir}/${file}`
    if (!this.#files.has(file) && !(await this.fs.exists(path))) return new Map()
    const held: ScheduledRecord[] = []
    if (commit) {
      await this.#queue.run(async () => {
        await forEachLine(this.fs, path, (line) => {
          const r = decodeScheduled(line)
          if (r !== null) held.push(r)
        })
      })
    }
    const written = held.length === 0 ? new Map<string, ScheduledRecord[]>() : await this.append(held, true, now)
    await this.#queue.run(async () => {
      const open = this.#files.get(file)
      this.#files.delete(file)
      await open?.close()
      await this.fs.rm(path)
    })
    return written
  }

  async close (): Promise<void> {
    await this.#queue.run(async () => {
      for (const file of this.#files.values()) await file.close()
      this.#files.clear()
    })
  }

  async #file (name: string): Promise<LineFile> {
    let file = this.#files.get(name)
    if (file === undefined) {
      const opened = await LineFile.open(this.fs, `${this.dir}/${name}`)
      // A new bucket's directory entry must survive a power cut as its fsynced lines do.
      if (opened.created) await this.fs.syncDir(name.startsWith(`${HELD_DIR}/`) ? `${this.dir}/${HELD_DIR}` : this.dir)
      file = opened
      this.#files.set(name, file)
    }
    return file
  }
}

function parseDone (line: string): { topic: string, ids: string[] } | null {
  if (!line.startsWith('{"t":')) return null
  try {
    const v = JSON.parse(line) as { t?: unknown, d?: unknown }
    return typeof v.t === 'string' && Array.isArray(v.d) ? { topic: v.t, ids: v.d.filter((x): x is string => typeof x === 'string') } : null
  } catch {
    // A torn line: its delivery is resolved again from the intent.
    return null
  }
}

function parseIntent (line: string): DeliveryIntent | null {
  if (!line.startsWith('{"s":')) return null
  try {
    const v = (JSON.parse(line) as { s?: DeliveryIntent }).s
    return v !== undefined && typeof v.topic === 'string' && Array.isArray(v.ids) ? v : null
  } catch {
    // A torn intent: its append never started (the intent is written first).
    return null
  }
}
