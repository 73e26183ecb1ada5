// What the log cleaner must know about transactions during one pass (Kafka's
// CleanedTransactionMetadata), fed with every batch of the pass in offset order:
//   - a data batch of an ABORTED transaction (its producer id and offsets fall in an entry of the
//     aborted-transactions indexes) is discarded: it never enters the offset map, and its records
//     are dropped, so an aborted value never replaces a committed one;
//   - a marker may go only once no data of its transaction was met in the pass (a later pass,
//     after the data went); an ABORT marker whose data was met is kept, and its index entry is
//     carried over to the cleaned segment holding it (the data may still be served until the swap);
//   - a COMMIT marker whose transaction's data was met is kept; an empty control batch may go;
//     control types other than abort/commit are kept.
// Committed transactional data is kept like any other data (last per key wins).
import { ControlType, readControlType, RecordFormatError } from '@brook/protocol'
import type { AbortedTxn } from '../producer-state/txn-index.js'

export interface MarkerDecision {
  /** No data of the marker's transaction was met in this pass: it may go after its delete horizon. */
  discardable: boolean
  /** The aborted transaction's index entry to write into the cleaned segment, when kept. */
  carry: AbortedTxn | null
}

export class CleanerTxnState {
  /** Aborted transactions per producer, by first offset. */
  readonly #aborted = new Map<bigint, AbortedTxn[]>()
  /** Aborted transactions with data met in this pass. */
  readonly #abortedWithData = new Set<AbortedTxn>()
  /** Producers whose (not aborted) transaction had data met since their last marker. */
  readonly #openCommitted = new Set<bigint>()

  constructor (aborted: Iterable<AbortedTxn>) {
    for (const txn of aborted) {
      const list = this.#aborted.get(txn.producerId)
      if (list === undefined) this.#aborted.set(txn.producerId, [txn])
      else list.push(txn)
    }
    for (const list of this.#aborted.values()) list.sort((a, b) => a.firstOffset - b.firstOffset)
  }

  /** The aborted transaction holding `producerId`'s data at `offset`, if any (no state change). */
  abortedAt (producerId: bigint, offset: number): AbortedTxn | undefined {
    const list = this.#aborted.get(producerId)
    if (list === undefined) return undefined
    // A producer has few aborted transactions in a cleaned range; a linear walk is enough.
    for (const txn of list) {
      if (txn.firstOffset > offset) return undefined
      if (offset <= txn.lastOffset) return txn
    }
    return undefined
  }

  /** A data batch was read; true when it belongs to an aborted transaction (its records go). */
  onData (producerId: bigint, transactional: boolean, lastOffset: number): boolean {
    if (!transactional) return false
    const aborted = this.abortedAt(producerId, lastOffset)
    if (aborted !== undefined) {
      this.#abortedWithData.add(aborted)
      return true
    }
    this.#openCommitted.add(producerId)
    return false
  }

  /** A control batch was read: its first record's key (null when the batch is empty) and offset. */
  onControl (producerId: bigint, key: Buffer | null | undefined, offset: number): MarkerDecision {
    if (key === undefined) return { discardable: true, carry: null }
    let type: number
    try {
      type = readControlType(key)
    } catch (err) {
      if (!(err instanceof RecordFormatError)) throw err
      // A control key too short to name its type: keep the batch as it is (never lose bytes we do not understand).
      return { discardable: false, carry: null }
    }
    if (type === ControlType.Abort) {
      const txn = this.#aborted.get(producerId)?.find((t) => t.lastOffset === offset)
      if (txn !== undefined && this.#abortedWithData.delete(txn)) return { discardable: false, carry: txn }
      return { discardable: true, carry: null }
    }
    if (type === ControlType.Commit) return { discardable: !this.#openCommitted.delete(producerId), carry: null }
    return { discardable: false, carry: null }
  }
}
