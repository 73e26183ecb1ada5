// Idempotence and transaction state of one partition (Kafka's ProducerStateManager): for each
// producer id its ProducerStateEntry, the transactions still open (which hold the last stable
// offset back), and the completed ones whose markers are not yet below the high watermark.
// Pure: no I/O, no clock. Snapshots and the transaction index are in ./snapshot-file.ts and
// ./txn-index.ts; the log owns the files and calls in.
//
// How the partition log uses it (all calls from its single writer, in offset order):
//   append     inside the serialized append, once offsets are assigned and before the bytes are
//              written: `append(readProducerBatches(records, nextOffset), origin)`:
//                duplicate  write nothing; answer with the original offsets (after earlier
//                           appends in the queue complete: the original may still be in flight)
//                rejected   write nothing; fail the append with the code
//                appended   write the batches, then add `abortedTxns` to the active segment's
//                           .txnindex. The state is updated already: a write that fails poisons
//                           the log, and reopening reloads state from the snapshot and the log.
//   HW moved   onHighWatermarkUpdated(hw); LSO = lastStableOffset(hw)
//   roll       takeSnapshot(fs, dir) right after the new segment is created (named by its base)
//   recovery   loadSnapshot(...) then append(batches, 'replication') for every batch from the
//              returned offset to the log end; truncation: truncateAndReload(...), then the same.
//   retention  onLogStartOffsetIncremented(start), deleteSnapshotsBefore(fs, dir, start)
//   timer      removeExpiredProducers(now) every producer.id.expiration.check.interval.ms
import { type AppendOrigin, type CompletedTxn, ProducerAppendInfo, type ProducerErrorCode, applyUpdate } from './append-info.js'
import { ProducerStateEntry } from './producer-entry.js'
import { type ProducerBatch, lastOffsetOf, lastSequenceOf } from './producer-batch.js'
import type { FileSystem } from '../fs/file-system.js'
import { CorruptSnapshotError, decodeSnapshot, encodeSnapshot } from './snapshot.js'
import { deleteSnapshotFile, listSnapshots, readSnapshotFile, writeSnapshotFile } from './snapshot-file.js'
import type { AbortedTxn } from './txn-index.js'

export interface ProducerStateConfig {
  /** producer.id.expiration.ms */
  producerIdExpirationMs: number
}

interface TxnRange {
  producerId: bigint
  firstOffset: number
  /** Marker offset; -1 while open. */
  lastOffset: number
}

export type AppendCheck =
  | { kind: 'accepted', prepared: PreparedAppend }
  | { kind: 'duplicate', firstOffset: number, lastOffset: number, timestamp: number }
  | { kind: 'rejected', code: ProducerErrorCode, message: string }

export type AppendOutcome =
  | { kind: 'appended', completedTxns: CompletedTxn[], abortedTxns: AbortedTxn[] }
  | { kind: 'duplicate', firstOffset: number, lastOffset: number, timestamp: number }
  | { kind: 'rejected', code: ProducerErrorCode, message: string }

/** A validated append not yet applied (prepareAppend's result, for commitAppend). */
export interface PreparedAppend {
  readonly updates: ReadonlyMap<bigint, ProducerAppendInfo>
  readonly completedTxns: readonly CompletedTxn[]
  /** One past the last offset of the append. */
  readonly endOffset: number
}

/** One producer as DescribeProducers shows it. */
export interface ActiveProducer {
  producerId: bigint
  producerEpoch: number
  lastSequence: number
  lastTimestamp: number
  coordinatorEpoch: number
  /** -1 when no transaction is open. */
  currentTxnStartOffset: number
}

export class ProducerStateManager {
  readonly config: ProducerStateConfig
  readonly #producers = new Map<bigint, ProducerStateEntry>()
  /** Open transactions by first offset. */
  readonly #ongoing = new Map<number, TxnRange>()
  /** Completed transactions whose marker is at or above the high watermark, by first offset. */
  readonly #unreplicated = new Map<number, TxnRange>()
  #mapEndOffset = 0
  /** Offset of the last snapshot taken or loaded (no new snapshot unless the map moved past it). */
  lastSnapOffset = 0

  constructor (config: ProducerStateConfig, startOffset = 0) {
    this.config = config
    this.#mapEndOffset = startOffset
    this.lastSnapOffset = startOffset
  }

  /** One past the last offset this state covers. */
  get mapEndOffset (): number {
    return this.#mapEndOffset
  }

  get producerCount (): number {
    return this.#producers.size
  }

  lastEntry (producerId: bigint): ProducerStateEntry | undefined {
    return this.#producers.get(producerId)
  }

  /** Entries in producer id insertion order (read-only view: do not mutate). */
  entries (): IterableIterator<ProducerStateEntry> {
    return this.#producers.values()
  }

  activeProducers (): ActiveProducer[] {
    return [...this.#producers.values()].map((e) => ({
      producerId: e.producerId,
      producerEpoch: e.epoch,
      lastSequence: e.lastSeq,
      lastTimestamp: e.lastTimestamp,
      coordinatorEpoch: e.coordinatorEpoch,
      currentTxnStartOffset: e.currentTxnFirstOffset
    }))
  }

  /**
   * Validates an append whose offsets are assigned. Checks nothing is written twice: a client batch
   * identical (epoch and sequence range) to one of its producer's last five is a duplicate, and the
   * whole append is answered with that batch's offsets.
   */
  prepareAppend (batches: readonly ProducerBatch[], origin: AppendOrigin = 'client'): AppendCheck {
    const updates = new Map<bigint, ProducerAppendInfo>()
    const completedTxns: CompletedTxn[] = []
    let endOffset = this.#mapEndOffset
    for (const batch of batches) {
      endOffset = Math.max(endOffset, lastOffsetOf(batch) + 1)
      if (batch.producerId < 0n) continue
      if (origin === 'client' && !batch.isControl) {
        const duplicate = this.#producers.get(batch.producerId)?.findDuplicate(batch.producerEpoch, batch.baseSequence, lastSequenceOf(batch))
        if (duplicate !== undefined) {
          return { kind: 'duplicate', firstOffset: duplicate.firstOffset, lastOffset: duplicate.lastOffset, timestamp: duplicate.timestamp }
        }
      }
      let info = updates.get(batch.producerId)
      if (info === undefined) {
        info = new ProducerAppendInfo(batch.producerId, this.#producers.get(batch.producerId), origin)
        updates.set(batch.producerId, info)
      }
      const result = info.append(batch)
      if (result === null) continue
      if ('code' in result) return { kind: 'rejected', code: result.code, message: result.message }
      completedTxns.push(result)
    }
    return { kind: 'accepted', prepared: { updates, completedTxns, endOffset } }
  }

  /**
   * Applies a prepared append. Returns the aborted transactions it completes, each with the LSO at
   * its completion, for the .txnindex of the segment holding their markers.
   */
  commitAppend (prepared: PreparedAppend): AbortedTxn[] {
    for (const [producerId, info] of prepared.updates) {
      const entry = this.#producers.get(producerId)
      if (entry === undefined) this.#producers.set(producerId, info.updated.clone())
      else applyUpdate(entry, info.updated)
      for (const firstOffset of info.startedTxns) this.#ongoing.set(firstOffset, { producerId, firstOffset, lastOffset: -1 })
    }
    const aborted: AbortedTxn[] = []
    for (const txn of prepared.completedTxns) {
      // The LSO recorded with an abort: where a reader may stop once past this transaction.
      const lastStableOffset = this.#nextIncompleteTxnStart(txn.producerId) ?? txn.lastOffset + 1
      if (txn.isAborted) aborted.push({ producerId: txn.producerId, firstOffset: txn.firstOffset, lastOffset: txn.lastOffset, lastStableOffset })
      this.#ongoing.delete(txn.firstOffset)
      this.#unreplicated.set(txn.firstOffset, { producerId: txn.producerId, firstOffset: txn.firstOffset, lastOffset: txn.lastOffset })
    }
    if (prepared.endOffset > this.#mapEndOffset) this.#mapEndOffset = prepared.endOffset
    return aborted
  }

  /** prepareAppend + commitAppend. */
  append (batches: readonly ProducerBatch[], origin: AppendOrigin = 'client'): AppendOutcome {
    const check = this.prepareAppend(batches, origin)
    if (check.kind !== 'accepted') return check
    const abortedTxns = this.commitAppend(check.prepared)
    return { kind: 'appended', completedTxns: [...check.prepared.completedTxns], abortedTxns }
  }

  /** Marks the state as covering everything below `offset` (appends without producer batches need not call it). */
  updateMapEndOffset (offset: number): void {
    this.#mapEndOffset = offset
  }

  /** Completed transactions wholly below the high watermark stop holding the LSO back. */
  onHighWatermarkUpdated (highWatermark: number): void {
    for (const [first, txn] of this.#unreplicated) if (txn.lastOffset < highWatermark) this.#unreplicated.delete(first)
  }

  /** The first offset of an open transaction, or of a completed one not yet below the HW; null when none. */
  firstUnstableOffset (): number | null {
    return minFirstOffset(this.#ongoing.values(), minFirstOffset(this.#unreplicated.values(), null))
  }

  /** The first offset of a transaction still open (markers not written), or null. */
  firstUndecidedOffset (): number | null {
    return minFirstOffset(this.#ongoing.values(), null)
  }

  /** min(first unstable offset, HW): where read_committed fetches stop. */
  lastStableOffset (highWatermark: number): number {
    this.onHighWatermarkUpdated(highWatermark)
    const unstable = this.firstUnstableOffset()
    return unstable === null ? highWatermark : Math.min(unstable, highWatermark)
  }

  /** Open transactions, oldest first (DescribeProducers, hanging-transaction checks). */
  ongoingTransactions (): Array<{ producerId: bigint, firstOffset: number }> {
    return [...this.#ongoing.values()].sort((a, b) => a.firstOffset - b.firstOffset).map((t) => ({ producerId: t.producerId, firstOffset: t.firstOffset }))
  }

  onLogStartOffsetIncremented (logStartOffset: number): void {
    this.onHighWatermarkUpdated(logStartOffset)
    if (this.#mapEndOffset < logStartOffset) this.#mapEndOffset = logStartOffset
  }

  /** Drops producers idle for producer.id.expiration.ms with no open transaction; returns how many. */
  removeExpiredProducers (now: number, expirationMs = this.config.producerIdExpirationMs): number {
    let removed = 0
    for (const [id, entry] of this.#producers) {
      if (this.isExpired(entry, now, expirationMs)) {
        this.#producers.delete(id)
        removed++
      }
    }
    return removed
  }

  isExpired (entry: ProducerStateEntry, now: number, expirationMs = this.config.producerIdExpirationMs): boolean {
    return entry.currentTxnFirstOffset < 0 && now - entry.lastTimestamp >= expirationMs
  }

  /** Forgets everything; the state now starts at `offset` (empty log, or before a full replay). */
  truncateFullyAndStartAt (offset: number): void {
    this.#producers.clear()
    this.#ongoing.clear()
    this.#unreplicated.clear()
    this.#mapEndOffset = offset
    this.lastSnapOffset = offset
  }

  /** Replaces the state with snapshot entries covering everything below `offset`. */
  loadEntries (entries: readonly ProducerStateEntry[], offset: number): void {
    this.truncateFullyAndStartAt(offset)
    const open: TxnRange[] = []
    for (const entry of entries) {
      this.#producers.set(entry.producerId, entry)
      if (entry.currentTxnFirstOffset >= 0) open.push({ producerId: entry.producerId, firstOffset: entry.currentTxnFirstOffset, lastOffset: -1 })
    }
    for (const txn of open.sort((a, b) => a.firstOffset - b.firstOffset)) this.#ongoing.set(txn.firstOffset, txn)
  }

  // ---------------------------------------------------------------- snapshots

  /**
   * Writes `<mapEndOffset>.snapshot` unless the state has not moved since the last one; returns
   * the offset written, or null. The bytes are taken before the first await, so appends made
   * while the file is written do not leak into it.
   */
  async takeSnapshot (fs: FileSystem, dir: string): Promise<number | null> {
    const offset = this.#mapEndOffset
    if (offset <= this.lastSnapOffset) return null
    await writeSnapshotFile(fs, dir, offset, encodeSnapshot(this.#producers.values()))
    if (offset > this.lastSnapOffset) this.lastSnapOffset = offset
    return offset
  }

  /**
   * Replaces the state with the newest usable snapshot in (logStartOffset, min(logEndOffset, upTo)],
   * dropping producers expired at `now`. Snapshots outside (logStartOffset, logEndOffset] and
   * corrupt ones are deleted (Kafka's truncateAndReload); those above `upTo` stay for later.
   * Returns the offset from which the log must replay its batches (through
   * `append(..., 'replication')`) to reach logEndOffset.
   */
  async loadSnapshot (fs: FileSystem, dir: string, logStartOffset: number, logEndOffset: number, now: number, listed?: readonly number[], upTo = logEndOffset): Promise<number> {
    // `listed`: the snapshot offsets the caller has just listed (one directory listing fewer at start).
    const offsets = listed ?? await listSnapshots(fs, dir)
    const usable: number[] = []
    let pastEnd = false
    for (const offset of offsets) {
      if (offset > logEndOffset || offset <= logStartOffset) await deleteSnapshotFile(fs, dir, offset)
      else if (offset <= upTo) usable.push(offset)
      if (offset > logEndOffset) pastEnd = true
    }
    if (pastEnd) await syncSnapshotDeletes(fs, dir)
    while (usable.length > 0) {
      const offset = usable.pop() as number
      let entries: ProducerStateEntry[]
      try {
        entries = decodeSnapshot(await readSnapshotFile(fs, dir, offset))
      } catch (err) {
        if (!(err instanceof CorruptSnapshotError)) throw err
        // Fall back to the previous snapshot, or to a replay from the log start.
        await deleteSnapshotFile(fs, dir, offset)
        continue
      }
      this.loadEntries(entries.filter((e) => !this.isExpired(e, now)), offset)
      return offset
    }
    this.truncateFullyAndStartAt(logStartOffset)
    return logStartOffset
  }

  /**
   * After the log was truncated to logEndOffset (or at startup): reloads from snapshots when the
   * state covers a different range. Returns the offset to replay from, or null if the state
   * already matches the log.
   */
  async truncateAndReload (fs: FileSystem, dir: string, logStartOffset: number, logEndOffset: number, now: number): Promise<number | null> {
    if (logEndOffset === this.#mapEndOffset) {
      this.onLogStartOffsetIncremented(logStartOffset)
      let pastEnd = false
      for (const offset of await listSnapshots(fs, dir)) {
        if (offset <= logEndOffset) continue
        await deleteSnapshotFile(fs, dir, offset)
        pastEnd = true
      }
      if (pastEnd) await syncSnapshotDeletes(fs, dir)
      return null
    }
    return await this.loadSnapshot(fs, dir, logStartOffset, logEndOffset, now)
  }

  /**
   * Deletes snapshots that match no segment base offset (their segment is gone: compaction,
   * truncation), except the newest such one when it lies past every segment base: that is the
   * snapshot a clean shutdown wrote at the log end (Kafka's removeStraySnapshots).
   */
  async removeStraySnapshots (fs: FileSystem, dir: string, segmentBases: readonly number[]): Promise<number[]> {
    const bases = new Set(segmentBases)
    const kept: number[] = []
    let latestStray: number | null = null
    for (const offset of await listSnapshots(fs, dir)) {
      if (bases.has(offset)) { kept.push(offset); continue }
      if (latestStray !== null) await deleteSnapshotFile(fs, dir, latestStray)
      latestStray = offset
    }
    const maxBase = segmentBases.length === 0 ? null : Math.max(...segmentBases)
    if (latestStray !== null && maxBase !== null && latestStray < maxBase) await deleteSnapshotFile(fs, dir, latestStray)
    else if (latestStray !== null) kept.push(latestStray)
    // The snapshots left, ascending.
    return kept.sort((a, b) => a - b)
  }

  /** Deletes snapshot files below `offset` (retention moved the log start past them). */
  async deleteSnapshotsBefore (fs: FileSystem, dir: string, offset: number): Promise<void> {
    for (const o of await listSnapshots(fs, dir)) if (o < offset) await deleteSnapshotFile(fs, dir, o)
  }

  #nextIncompleteTxnStart (producerId: bigint): number | null {
    let min: number | null = null
    for (const txn of this.#ongoing.values()) {
      if (txn.producerId !== producerId && (min === null || txn.firstOffset < min)) min = txn.firstOffset
    }
    return min
  }
}

function minFirstOffset (txns: Iterable<TxnRange>, start: number | null): number | null {
  let min = start
  for (const t of txns) if (min === null || t.firstOffset < min) min = t.firstOffset
  return min
}

/**
 * Makes the deletion of snapshots past the log end durable. Such a snapshot describes offsets the
 * log no longer has: were its unlink lost in a power cut, it would come back once the log grew
 * past its offset again, and be loaded as the producer state of different batches.
 */
async function syncSnapshotDeletes (fs: FileSystem, dir: string): Promise<void> {
  await fs.syncDir(dir)
}
