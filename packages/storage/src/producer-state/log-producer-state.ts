// Producer state as one partition log uses it: the ProducerStateManager, its snapshots, and the
// per-segment aborted-transaction indexes, behind the few calls the log makes (so the log itself
// only gains hooks). Every method is called from the log's single writer, except the read-only
// ones (lastStableOffset, abortedTransactions, activeProducers).
//
// Files, in the partition directory:
//   <20-digit offset>.snapshot   producer state below that offset (./snapshot.ts), written when a
//                                segment rolls (named by the new segment's base) and at close
//   <20-digit base>.txnindex     aborted transactions whose markers are in that segment (./txn-index.ts)
// Recovery rule (load): the newest valid snapshot at or below the log end is loaded, and every
// batch from its offset to the log end is replayed; without a snapshot, replay starts at the
// second-to-last segment (Kafka's rule: older producers' state is dropped rather than re-reading the
// whole log). Aborted transactions met during the replay are appended to their segment's index
// unless it already holds them (marker offsets only grow), which rebuilds an index the crash cut.
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
    let from = await this.manager.loadSnapshot(this.#fs, this.#dir, logStartOffset, Math.min(logEndOffset, replayFrom), now, snapshots)
    if (from === logStartOffset && segmentBases.length > 2 && this.manager.producerCount === 0) {
      from = Math.max(logStartOffset, Math.min(segmentBases[segmentBases.length - 2] as number, replayFrom))
      this.manager.truncateFullyAndStartAt(from)
    }
    await this.#replay(from, logEndOffset, segmentBases, read)
  }

  async #replay (from: number, to: number, segmentBases: readonly number[], read: ReadBatches): Promise<void> {
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
            const outcome = this.manager.append([readProducerBatch(chunk.subarray(pos, pos + size))], 'replication')
            if (outcome.kind === 'appended') await this.#indexAborted(outcome.abortedTxns, segmentBases, true)
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
