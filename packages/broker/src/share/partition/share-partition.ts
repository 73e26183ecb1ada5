// One share-partition (a share group's view of one topic partition; Kafka's SharePartition): the
// in-flight records (./in-flight.ts), their acquisition locks, and their durable state in the
// share coordinator (../state/store.ts).
//
// Every operation runs through the partition's serial queue (reading the log is async, and two
// fetches must never acquire the same record). A change that must survive a crash (an
// acknowledgement, a lock expiry, a release) is answered only once a snapshot taken after it is
// durable; concurrent changes share one write (persist() coalesces). Acquisitions are not
// written on their own, as in Kafka: a crash returns acquired records to the queue.
import { batchBaseOffset, batchLastOffset, batchMaxTimestamp, isControlBatch, isTransactionalBatch, iterateBatches, readBatchHeader } from '@brook/protocol'
import type { Logger } from '@brook/common'
import { SerialQueue } from '@brook/common'
import type { Partition } from '../../partition/partition.js'
import { type ShareSettings, redeliveryBackoff } from '../config.js'
import { DeadLetterUnusable, type DeadLetterWriter } from '../dlq/writer.js'
import type { SharePartitionKey } from '../state/records.js'
import type { ShareStateStore } from '../state/store.js'
import { type AckBatch, type AcquiredRange, type ArchivedRecord, InFlightRecords, type InFlightLimits, acquiredRanges } from './in-flight.js'

export interface SharePartitionDeps {
  key: SharePartitionKey
  topic: string
  partition: Partition
  store: ShareStateStore
  settings: () => ShareSettings
  /** Records became available (wakes waiting share fetches). */
  notify: () => void
  /** Writes dead-letter records (KIP-1191) for a group with a DLQ topic. */
  deadLetters?: DeadLetterWriter
  /** The topic's message.ttl.ms (Brook): -1 for none. */
  ttlMs: () => number
  logger: Logger
  now?: () => number
}

export interface Acquired {
  /** Whole batches holding the acquired records (the client keeps only the acquired offsets). */
  records: Buffer | null
  ranges: AcquiredRange[]
  count: number
  bytes: number
}

/** Whether a transactional batch belongs to one of the aborted transactions. */
function isAborted (raw: Buffer, base: number, aborted: ReadonlyArray<{ producerId: bigint, firstOffset: number, lastOffset: number }>): boolean {
  if (!isTransactionalBatch(raw)) return false
  const producerId = readBatchHeader(raw).producerId
  return aborted.some((t) => t.producerId === producerId && base >= t.firstOffset && base <= t.lastOffset)
}

const NOTHING: Acquired = { records: null, ranges: [], count: 0, bytes: 0 }
/** Reads one acquisition may make before answering with what it has (sparse redeliveries). */
const MAX_READS = 8
/**
 * Bytes per log read: a fetch takes at most MaxRecords records (500 by default), so reading the
 * client's whole MaxBytes (50 MB for librdkafka) would mostly read what is not acquired.
 */
const READ_BYTES = 1024 * 1024

export class SharePartition {
  readonly key: SharePartitionKey
  readonly topic: string
  readonly records: InFlightRecords
  readonly #deps: SharePartitionDeps
  readonly #queue = new SerialQueue()
  readonly #locks = new Map<number, NodeJS.Timeout>()
  #wake: NodeJS.Timeout | null = null
  #writes: Promise<void> = Promise.resolve()
  #nextWrite: Promise<void> | null = null
  #snapshotEpoch = 0
  #closed = false
  #deadLettering = false
  /** Restored from a snapshot with records archiving: their dead-letter records may exist already. */
  #dedupeDeadLetters = false
  #retryDeadLetters: NodeJS.Timeout | null = null

  private constructor (deps: SharePartitionDeps, records: InFlightRecords) {
    this.#deps = deps
    this.key = deps.key
    this.topic = deps.topic
    this.records = records
  }

  /** Restores the durable state, or starts at share.auto.offset.reset when there is none. */
  static async load (deps: SharePartitionDeps): Promise<SharePartition> {
    const snapshot = await deps.store.read(deps.key)
    const offsets = deps.partition.offsets()
    let records: InFlightRecords
    if (snapshot === null) {
      const start = deps.settings().autoOffsetReset === 'earliest' ? offsets.logStartOffset : offsets.highWatermark
      records = new InFlightRecords(start)
    } else {
      records = InFlightRecords.fromSnapshot(snapshot)
    }
    const p = new SharePartition(deps, records)
    if (snapshot !== null) p.#snapshotEpoch = snapshot.snapshotEpoch
    if (records.startOffset < offsets.logStartOffset) records.moveStart(offsets.logStartOffset)
    if (records.archiving().length > 0) {
      p.#dedupeDeadLetters = true
      void p.#deadLetter()
    }
    return p
  }

  get lockDurationMs (): number {
    return this.#deps.settings().recordLockDurationMs
  }

  #now (): number {
    return this.#deps.now?.() ?? Date.now()
  }

  #limits (s: ShareSettings): InFlightLimits {
    return { deliveryCountLimit: s.deliveryCountLimit, deadLetter: s.deadLetterTopic !== '', backoffMs: (count) => redeliveryBackoff(s, count) }
  }

  /** Acquires up to maxRecords records for the member, locked for the record lock duration. */
  async acquire (memberId: string, maxRecords: number, maxBytes: number): Promise<Acquired> {
    return await this.#queue.run(async () => await this.#acquire(memberId, maxRecords, maxBytes))
  }

  async #acquire (memberId: string, maxRecords: number, maxBytes: number): Promise<Acquired> {
    if (this.#closed || maxRecords <= 0) return NOTHING
    const s = this.#deps.settings()
    const r = this.records
    const offsets = this.#deps.partition.offsets()
    if (r.startOffset < offsets.logStartOffset) r.moveStart(offsets.logStartOffset)
    const bound = s.isolationLevel === 'read_committed' ? offsets.lastStableOffset : offsets.highWatermark
    const now = this.#now()
    const limits = this.#limits(s)
    const ttl = this.#deps.ttlMs()
    let from = r.firstRedeliverable(now) ?? r.endOffset
    const lockId = r.newLockId()
    const acquired: Array<{ offset: number, deliveryCount: number }> = []
    const batches: Buffer[] = []
    let bytes = 0
    for (let reads = 0; reads < MAX_READS && from < bound && acquired.length < maxRecords && r.acquiredCount < s.maxRecordLocks; reads++) {
      const { chunks } = await this.#deps.partition.read(from, { maxBytes: Math.max(1, Math.min(READ_BYTES, maxBytes - bytes)), maxOffset: bound, minOneBatch: true })
      if (chunks.length === 0) break
      // read_committed: records of aborted transactions are never delivered (passed over like control records).
      const aborted = s.isolationLevel === 'read_committed' ? await this.#deps.partition.log.abortedTransactions(from, bound) : []
      let next = from
      for (const chunk of chunks) {
        for (const raw of iterateBatches(chunk)) {
          const base = batchBaseOffset(raw)
          const last = batchLastOffset(raw)
          if (last < from) continue
          next = last + 1
          if (acquired.length >= maxRecords || r.acquiredCount >= s.maxRecordLocks) continue
          const control = isControlBatch(raw) || (aborted.length > 0 && isAborted(raw, base, aborted))
          // message.ttl.ms counts from the batch's timestamp (the append time for live producers).
          const expired = ttl >= 0 && now - batchMaxTimestamp(raw) > ttl
          let took = false
          for (let o = Math.max(base, from); o <= last; o++) {
            if (acquired.length >= maxRecords || r.acquiredCount >= s.maxRecordLocks) break
            const count = r.acquire(o, !control, memberId, lockId, now, limits, expired)
            if (count > 0) {
              acquired.push({ offset: o, deliveryCount: count })
              took = true
            }
          }
          if (took) {
            batches.push(raw)
            bytes += raw.length
          }
        }
      }
      if (next <= from || bytes >= maxBytes) break
      from = next
    }
    if (r.archiving().length > 0) void this.#deadLetter()
    if (acquired.length === 0) return NOTHING
    this.#lock(lockId, s.recordLockDurationMs)
    return { records: batches.length === 1 ? batches[0] as Buffer : Buffer.concat(batches), ranges: acquiredRanges(acquired), count: acquired.length, bytes }
  }

  /**
   * Applies a member's acknowledgements: all or nothing (INVALID_RECORD_STATE when any record is
   * not acquired by the member; nothing changes). Resolves once the result is durable.
   */
  async acknowledge (memberId: string, batches: readonly AckBatch[]): Promise<void> {
    const archived = await this.#queue.run(async () => {
      this.records.checkAcknowledge(memberId, batches)
      const s = this.#deps.settings()
      return this.records.acknowledge(batches, this.#now(), this.#limits(s), () => {
        const id = this.records.newLockId()
        this.#lock(id, s.recordLockDurationMs)
        return id
      })
    })
    this.#afterRelease(archived)
    await this.persist()
  }

  /** Returns everything the member holds to the queue (session closed, member gone). */
  async releaseMember (memberId: string): Promise<void> {
    const { released, archived } = await this.#queue.run(async () => this.records.releaseMember(memberId, this.#now(), this.#limits(this.#deps.settings())))
    if (released === 0) return
    this.#afterRelease(archived)
    await this.persist()
  }

  /** Moves the start offset (AlterShareGroupOffsets); everything before it is forgotten. */
  async resetStart (offset: number): Promise<void> {
    await this.#queue.run(async () => { this.records.moveStart(offset) })
    await this.persist()
  }

  /** Resolves once a snapshot taken after this call is durable (writes in flight are shared). */
  async persist (): Promise<void> {
    // A closed share-partition (its group was deleted or its offsets reset) must not write its
    // stale state over the new one.
    if (this.#closed) return
    if (this.#nextWrite !== null) return await this.#nextWrite
    const write = this.#writes.then(async () => {
      this.#nextWrite = null
      if (this.#closed) return
      const snapshot = this.records.toSnapshot(++this.#snapshotEpoch, 0)
      await this.#deps.store.write(this.key, snapshot)
    })
    this.#nextWrite = write
    // A failed write is its callers' error; the next write still runs.
    this.#writes = write.catch(() => {})
    await write
  }

  /**
   * Writes the dead-letter records of the records archiving, then archives them: durable
   * "archiving" first, the DLQ append, durable "archived" last (see ../dlq/writer.ts). One run at
   * a time; a failed write is retried a little later.
   */
  async #deadLetter (): Promise<void> {
    if (this.#deadLettering || this.#closed) return
    this.#deadLettering = true
    try {
      for (;;) {
        const pending = this.records.archiving()
        if (pending.length === 0) break
        await this.persist()
        const s = this.#deps.settings()
        const writer = this.#deps.deadLetters
        try {
          if (writer === undefined || s.deadLetterTopic === '') throw new DeadLetterUnusable('the group has no dead-letter topic')
          await writer.write({ groupId: this.key.groupId, topic: this.topic, partitionIndex: this.key.partition, partition: this.#deps.partition },
            s.deadLetterTopic, s.deadLetterCopyRecord, pending, this.#dedupeDeadLetters)
        } catch (err) {
          if (!(err instanceof DeadLetterUnusable)) throw err
          this.#deps.logger.warn({ key: this.key, reason: err.message }, 'share-partition: records archived without dead-letter records')
        }
        this.#dedupeDeadLetters = false
        await this.#queue.run(async () => { this.records.completeArchiving(pending.map((p) => p.offset)) })
        await this.persist()
      }
    } catch (err) {
      this.#deps.logger.warn({ err, key: this.key }, 'share-partition: dead-letter write failed; retrying')
      this.#dedupeDeadLetters = true
      if (!this.#closed) {
        this.#retryDeadLetters = setTimeout(() => { void this.#deadLetter() }, 1000)
        this.#retryDeadLetters.unref()
      }
    } finally {
      this.#deadLettering = false
    }
  }

  close (): void {
    this.#closed = true
    if (this.#retryDeadLetters !== null) clearTimeout(this.#retryDeadLetters)
    for (const t of this.#locks.values()) clearTimeout(t)
    this.#locks.clear()
    if (this.#wake !== null) clearTimeout(this.#wake)
  }

  #lock (lockId: number, durationMs: number): void {
    const timer = setTimeout(() => {
      this.#locks.delete(lockId)
      void this.#expire(lockId)
    }, durationMs)
    timer.unref()
    this.#locks.set(lockId, timer)
  }

  async #expire (lockId: number): Promise<void> {
    try {
      const { released, archived } = await this.#queue.run(async () => this.records.releaseLock(lockId, this.#now(), this.#limits(this.#deps.settings())))
      if (released === 0) return
      this.#afterRelease(archived)
      await this.persist()
    } catch (err) {
      this.#deps.logger.warn({ err, key: this.key }, 'share-partition: lock expiry could not be written')
    }
  }

  /** Released records are available now or after their back-off: wake the fetches then. */
  #afterRelease (archived: ArchivedRecord[]): void {
    if (archived.length > 0 || this.records.archiving().length > 0) void this.#deadLetter()
    this.#deps.notify()
    const at = this.records.nextAvailableAt(this.#now())
    if (at === null || this.#closed) return
    if (this.#wake !== null) clearTimeout(this.#wake)
    this.#wake = setTimeout(() => {
      this.#wake = null
      this.#deps.notify()
      this.#afterRelease([])
    }, Math.max(1, at - this.#now()))
    this.#wake.unref()
  }
}
