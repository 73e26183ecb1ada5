// Producer state as one partition log uses it: the ProducerStateManager, its snapshots, and the
// per-segment aborted-transaction indexes, behind the few calls the log makes (so the log itself
// only gains hooks). Every method is called from the log's single writer, except the read-only
// ones (lastStableOffset, abortedTransactions, activeProducers).
//
// Files, in the partition directory:
//   <20-digit offset>.snapshot   producer state below that offset (./snapshot.ts), written when a
//                                segment rolls (named by the new segment's base) and at close
//   <20-digit base>.txnindex     aborted transactions whose markers are in that segment (./txn-index.ts)
// Recovery rule (load): the newest valid snapshot at or below the log end (after a crash: at or
// below the first segment recovery re-read) is loaded, and every batch from its offset to the log
// end is replayed; without a snapshot, from the log start, so every transaction's first offset is
// known (Kafka's rule for v2 batches). The indexes of the segments recovery re-read are rebuilt
// from the replay and fsynced: an entry written after the last fsync may come back torn. An old
// entry the replay did not derive stays only when an ABORT marker of its producer sits at its
// offset (compaction removed its transaction's data). Older segments' indexes get the replay's
// aborted transactions they lack (marker offsets only grow).
import { RecordFormatError, LAST_OFFSET_DELTA, RECORDS, batchBaseOffset, batchSize, ErrorCode } from '@brook/protocol'
import { errorCode, type FileSystem } from '../fs/file-system.js'
import type { Logger } from '@brook/common'
import { TXN_INDEX_EXT, segmentFileName } from '../segment/segment-files.js'
import { StorageError, type StorageErrorKind } from '../types.js'
import type { AppendOrigin, ProducerErrorCode } from './append-info.js'
import { readProducerBatch, readProducerBatches } from './producer-batch.js'
import { type ActiveProducer, type ProducerStateConfig, ProducerStateManager } from './producer-state-manager.js'
import { type AbortedTxn, TransactionIndex, collectAbortedTxns } from './txn-index.js'

/** Reads whole batches from the one holding `offset`; an empty buffer at the end of the log. */
export type ReadBatches = (offset: number) => Promise<Buffer>

export type ProducerCheck =
  | { kind: 'accepted', abortedTxns: AbortedTxn[] }
  | { kind: 'duplicate', firstOffset: number, lastOffset: number, timestamp: number }
  | { kind: 'rejected', error: StorageError }

export class LogProducerState {
  readonly manager: ProducerStateManager
  readonly #fs: FileSystem
  readonly #dir: string
  readonly #logger: Logger
  readonly #indexes = new Map<number, Promise<TransactionIndex>>()

  constructor (fs: FileSystem, dir: string, config: ProducerStateConfig, logger: Logger) {
    this.#fs = fs
    this.#dir = dir
    this.#logger = logger
    this.manager = new ProducerStateManager(config)
  }

  /**
   * Loads the state for a log spanning [logStartOffset, logEndOffset) whose segments start at
   * `segmentBases` (ascending). `read` serves the replay, which covers at least [replayFrom, logEndOffset).
   */
  async load (segmentBases: readonly number[], logStartOffset: number, logEndOffset: number, read: ReadBatches, now: number, replayFrom = logEndOffset): Promise<void> {
    const snapshots = await this.manager.removeStraySnapshots(this.#fs, this.#dir, segmentBases)
    // After a crash the recovered segments are replayed whatever the snapshots say: their
    // aborted transactions are indexed again (a newer snapshot may have been written before the
    // .txnindex entries reached the disk).
    const from = await this.manager.loadSnapshot(this.#fs, this.#dir, logStartOffset, logEndOffset, now, snapshots, replayFrom)
    if (replayFrom >= logEndOffset) {
      await this.#replay(from, logEndOffset, segmentBases, read)
      return
    }
    const rebuild: IndexRebuild = { bases: new Set(segmentBases.filter((b) => b >= replayFrom)), derived: new Map(), abortMarkers: new Map() }
    await this.#replay(from, logEndOffset, segmentBases, read, rebuild)
    await this.#finishRebuild(rebuild, segmentBases)
    // Recovery declares the log end durable: so must be every index the replay touched.
    await this.flush()
  }

  async #finishRebuild (rebuild: IndexRebuild, segmentBases: readonly number[]): Promise<void> {
    let touched = false
    for (const base of rebuild.bases) {
      const index = await this.#index(base)
      const derived = rebuild.derived.get(base) ?? []
      const derivedAt = new Set(derived.map((t) => t.lastOffset))
      const end = segmentBases.find((b) => b > base) ?? Number.MAX_SAFE_INTEGER
      const kept = index.entries.filter((t) => !derivedAt.has(t.lastOffset) && t.lastOffset >= base && t.lastOffset < end &&
        rebuild.abortMarkers.get(t.lastOffset) === t.producerId)
      const entries = [...derived, ...kept].sort((a, b) => a.lastOffset - b.lastOffset)
      if (entries.length === 0 && index.entries.length === 0 && !await this.#fs.exists(index.path)) continue
      await index.rewrite(entries)
      touched = true
    }
    if (touched) await this.#fs.syncDir(this.#dir)
  }

  async #replay (from: number, to: number, segmentBases: readonly number[], read: ReadBatches, rebuild?: IndexRebuild): Promise<void> {
    let next = from
    while (next < to) {
      const chunk = await read(next)
      let pos = 0
      let progressed = false
      while (pos + RECORDS <= chunk.length) {
        const size = batchSize(chunk, pos)
        if (pos + size > chunk.length) break
        const lastOffset = batchBaseOffset(chunk, pos) + chunk.readInt32BE(pos + LAST_OFFSET_DELTA)
        if (lastOffset >= next) {
          progressed = true
          next = lastOffset + 1
          try {
            const batch = readProducerBatch(chunk.subarray(pos, pos + size))
            if (rebuild !== undefined && batch.marker !== null && !batch.marker.commit) rebuild.abortMarkers.set(batch.baseOffset, batch.producerId)
            const outcome = this.manager.append([batch], 'replication')
            if (outcome.kind === 'appended') await this.#indexReplayed(outcome.abortedTxns, segmentBases, rebuild)
          } catch (err) {
            if (!(err instanceof RecordFormatError)) throw err
            this.#logger.warn({ err, dir: this.#dir, offset: lastOffset }, 'skipping a malformed control batch while loading producer state')
          }
        }
        pos += size
      }
      if (!progressed) break
    }
    this.manager.updateMapEndOffset(Math.max(to, this.manager.mapEndOffset))
  }

  /**
   * The writer's check of an append about to get offsets from `nextOffset` on (null: a follower's
   * append, which keeps the offsets in its batches). Accepted appends are applied to the state at
   * once (see producer-state-manager.ts: a failed write poisons the log).
   */
  check (records: Buffer, nextOffset: number | null, origin: AppendOrigin = 'client'): ProducerCheck {
    let batches
    try {
      batches = readProducerBatches(records, nextOffset)
    } catch (err) {
      if (!(err instanceof RecordFormatError)) throw err
      return { kind: 'rejected', error: new StorageError('CORRUPT_MESSAGE', `malformed control batch: ${err.message}`) }
    }
    const check = this.manager.prepareAppend(batches, origin)
    if (check.kind === 'rejected') return { kind: 'rejected', error: new StorageError(errorKind(check.code), check.message) }
    if (check.kind === 'duplicate') return check
    if (nextOffset !== null || batches.length === 1) return { kind: 'accepted', abortedTxns: this.manager.commitAppend(check.prepared) }
    // A follower's fetch holds many batches; the leader wrote each marker alone. Applied batch by
    // batch, an aborted transaction's recorded LSO is the leader's (a transaction starting later
    // in the same fetch does not hold it back). The whole fetch passed the checks above.
    const abortedTxns: AbortedTxn[] = []
    for (const batch of batches) {
      const one = this.manager.prepareAppend([batch], origin)
      if (one.kind !== 'accepted') throw new Error(`BROOK_PRODUCER_STATE: batch at ${batch.baseOffset} refused alone after its fetch passed`)
      abortedTxns.push(...this.manager.commitAppend(one.prepared))
    }
    return { kind: 'accepted', abortedTxns }
  }

  /** After the write of an accepted append: index its aborted transactions in the segment holding their markers. */
  async indexAborted (abortedTxns: readonly AbortedTxn[], segmentBases: readonly number[]): Promise<void> {
    await this.#indexAborted(abortedTxns, segmentBases, false)
  }

  /** A replayed marker's aborted transactions: gathered for a segment being rebuilt, else added where missing. */
  async #indexReplayed (abortedTxns: readonly AbortedTxn[], segmentBases: readonly number[], rebuild: IndexRebuild | undefined): Promise<void> {
    const rest: AbortedTxn[] = []
    for (const txn of abortedTxns) {
      const base = floor(segmentBases, txn.lastOffset)
      if (base === null) continue
      if (rebuild?.bases.has(base) === true) {
        const list = rebuild.derived.get(base)
        if (list === undefined) rebuild.derived.set(base, [txn])
        else list.push(txn)
      } else {
        rest.push(txn)
      }
    }
    await this.#indexAborted(rest, segmentBases, true)
  }

  async #indexAborted (abortedTxns: readonly AbortedTxn[], segmentBases: readonly number[], skipKnown: boolean): Promise<void> {
    for (const txn of abortedTxns) {
      const base = floor(segmentBases, txn.lastOffset)
      if (base === null) continue
      const index = await this.#index(base)
      const last = index.lastOffset
      if (skipKnown && last !== null && txn.lastOffset <= last) continue
      await index.append(txn)
    }
  }

  #index (baseOffset: number): Promise<TransactionIndex> {
    let index = this.#indexes.get(baseOffset)
    if (index === undefined) {
      index = TransactionIndex.open(this.#fs, `${this.#dir}/${segmentFileName(baseOffset, TXN_INDEX_EXT)}`, baseOffset)
      this.#indexes.set(baseOffset, index)
      // A failed open is not cached: the next call tries again.
      index.catch(() => { this.#indexes.delete(baseOffset) })
    }
    return index
  }

  /** A segment was rolled at `baseOffset`: snapshot the state there (Kafka's roll). */
  async onRoll (baseOffset: number): Promise<void> {
    this.#indexes.set(baseOffset, Promise.resolve(TransactionIndex.empty(this.#fs, `${this.#dir}/${segmentFileName(baseOffset, TXN_INDEX_EXT)}`, baseOffset)))
    if (this.manager.mapEndOffset < baseOffset) this.manager.updateMapEndOffset(baseOffset)
    await this.manager.takeSnapshot(this.#fs, this.#dir)
  }

  /** min(first unstable offset, HW), never below the log start (Kafka's updateFirstUnstableOffset). */
  lastStableOffset (highWatermark: number, logStartOffset: number): number {
    return Math.max(logStartOffset, this.manager.lastStableOffset(highWatermark))
  }

  /**
   * The aborted transactions overlapping [fetchOffset, upperBoundOffset), from the segments at or
   * after fetchOffset's. A transaction is indexed in the segment of its abort marker, which may lie
   * past upperBoundOffset (a large transaction spanning segments), so the search goes on through
   * later segments until an entry's LSO reaches the bound (Kafka's collectAbortedTransactions).
   */
  async abortedTransactions (segmentBases: readonly number[], fetchOffset: number, upperBoundOffset: number): Promise<AbortedTxn[]> {
    const first = floor(segmentBases, fetchOffset) ?? segmentBases[0]
    if (first === undefined) return []
    const later = segmentBases.filter((base) => base >= first)
    const open = (base: number): Promise<TransactionIndex> => this.#index(base)
    async function * indexes (): AsyncGenerator<TransactionIndex> {
      for (const base of later) yield await open(base)
    }
    return await collectAbortedTxns(indexes(), fetchOffset, upperBoundOffset)
  }

  activeProducers (): ActiveProducer[] {
    return this.manager.activeProducers()
  }

  /**
   * The log was truncated to `logEndOffset` (its segments now start at `segmentBases`): indexes
   * lose later entries, and the state is reloaded from a snapshot and replayed if it covered more.
   */
  async onTruncate (segmentBases: readonly number[], logStartOffset: number, logEndOffset: number, read: ReadBatches, now: number): Promise<void> {
    for (const base of [...this.#indexes.keys()]) {
      if (!segmentBases.includes(base)) this.#indexes.delete(base)
    }
    for (const base of segmentBases) {
      if (base >= logEndOffset && base !== segmentBases[0]) continue
      await (await this.#index(base)).truncateTo(logEndOffset)
    }
    const from = await this.manager.truncateAndReload(this.#fs, this.#dir, logStartOffset, logEndOffset, now)
    if (from !== null) await this.#replay(from, logEndOffset, segmentBases, read)
  }

  /** Segments were removed (retention, DeleteRecords, compaction swaps): forget their indexes and old snapshots. */
  async onSegmentsRemoved (segmentBases: readonly number[], logStartOffset: number): Promise<void> {
    for (const base of [...this.#indexes.keys()]) {
      if (!segmentBases.includes(base)) this.#indexes.delete(base)
    }
    this.manager.onLogStartOffsetIncremented(logStartOffset)
    const oldest = segmentBases[0]
    if (oldest !== undefined) await this.manager.deleteSnapshotsBefore(this.#fs, this.#dir, oldest)
  }

  /** Cached indexes of these segments are dropped (a compaction swap replaced them); reopened on use. */
  forgetIndexes (segmentBases: readonly number[]): void {
    for (const base of segmentBases) this.#indexes.delete(base)
  }

  /**
   * fsyncs the indexes written since the last flush (and the directory when one was created).
   * The log calls it before its recovery point passes their markers: a segment below the recovery
   * point is not replayed after a crash, so its index must already be on disk.
   */
  async flush (): Promise<void> {
    let created = false
    for (const index of [...this.#indexes.values()]) {
      try {
        if (await (await index).flush()) created = true
      } catch (err) {
        // The group commit runs beside the writer: a segment removed or swapped meanwhile took its
        // index file along (renamed), and that index no longer serves the log.
        if (errorCode(err) !== 'ENOENT') throw err
      }
    }
    if (created) await this.#fs.syncDir(this.#dir)
  }

  /** Clean close: a snapshot at the log end, so the next start replays nothing. */
  async close (logEndOffset: number): Promise<void> {
    await this.flush()
    if (this.manager.mapEndOffset < logEndOffset) this.manager.updateMapEndOffset(logEndOffset)
    try {
      await this.manager.takeSnapshot(this.#fs, this.#dir)
    } catch (err) {
      // Not fatal: the next start replays from the previous snapshot instead.
      if (errorCode(err) === undefined) throw err
      this.#logger.warn({ err, dir: this.#dir }, 'writing the producer state snapshot at close failed')
    }
  }
}

/** Recovery's rebuild of the re-read segments' aborted-transaction indexes. */
interface IndexRebuild {
  /** Base offsets of the segments whose indexes are rebuilt. */
  bases: Set<number>
  /** The replay's aborted transactions, per segment base, in marker order. */
  derived: Map<number, AbortedTxn[]>
  /** Offset -> producer of every ABORT marker the replay met. */
  abortMarkers: Map<number, bigint>
}

/** The largest base <= offset, or null. */
function floor (bases: readonly number[], offset: number): number | null {
  let found: number | null = null
  for (const base of bases) {
    if (base <= offset) found = base
    else break
  }
  return found
}

function errorKind (code: ProducerErrorCode): StorageErrorKind {
  switch (code) {
    case ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER: return 'OUT_OF_ORDER_SEQUENCE_NUMBER'
    case ErrorCode.INVALID_PRODUCER_EPOCH: return 'INVALID_PRODUCER_EPOCH'
    case ErrorCode.INVALID_TXN_STATE: return 'INVALID_TXN_STATE'
    case ErrorCode.TRANSACTION_COORDINATOR_FENCED: return 'TRANSACTION_COORDINATOR_FENCED'
  }
}
