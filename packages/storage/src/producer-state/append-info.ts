// Validation of one producer's batches within one append (Kafka's ProducerAppendInfo). It starts
// from the producer's state after the last completed append and checks each batch in turn against
// the state the previous ones leave, accumulating the update without touching the manager; the
// manager applies it only if every batch of the append passed.
//
// Rules (Kafka 4 with transaction protocol v1, i.e. EndTxn <= 4):
//   epoch     a data batch or marker with an epoch below the current one: INVALID_PRODUCER_EPOCH
//   sequence  (client appends only) same epoch: firstSeq must follow the last sequence (wrapping
//             at Int32.MAX); a new epoch must start at 0, unless the producer had no state at all
//             (new, expired or deleted by retention), which accepts any sequence (KIP-360).
//             Violations: OUT_OF_ORDER_SEQUENCE_NUMBER.
//   txn       a non-transactional batch while a transaction is open: INVALID_TXN_STATE; a
//             transactional batch with none open starts one at its first offset.
//   marker    a coordinator epoch below the last one seen: TRANSACTION_COORDINATOR_FENCED; it
//             ends the open transaction (if any) and forgets nothing else unless the epoch moved.
// Replication (log recovery replays the log through here) skips the checks: the log is the truth.
import { ErrorCode } from '@brook/protocol'
import { ProducerStateEntry } from './producer-entry.js'
import { type ProducerBatch, type TxnMarker, lastOffsetOf, lastSequenceOf } from './producer-batch.js'
import { NO_PRODUCER_EPOCH, NO_SEQUENCE, isNextSequence } from './sequence.js'

/** Who appends: a producer (full checks), a coordinator (no sequences), or the log's own replay. */
export type AppendOrigin = 'client' | 'coordinator' | 'replication'

export type ProducerErrorCode =
  | typeof ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER
  | typeof ErrorCode.INVALID_PRODUCER_EPOCH
  | typeof ErrorCode.INVALID_TXN_STATE
  | typeof ErrorCode.TRANSACTION_COORDINATOR_FENCED

export interface ProducerRejection {
  code: ProducerErrorCode
  message: string
}

/** A transaction whose marker is in this append. */
export interface CompletedTxn {
  producerId: bigint
  firstOffset: number
  /** Offset of the marker. */
  lastOffset: number
  isAborted: boolean
}

export class ProducerAppendInfo {
  readonly producerId: bigint
  readonly origin: AppendOrigin
  /** State after the last completed append (an empty entry for a producer without state). */
  readonly current: ProducerStateEntry
  /** The accumulated update: epoch and txn fields as they end up; only this append's batches. */
  readonly updated: ProducerStateEntry
  /** First offsets of transactions this append starts. */
  readonly startedTxns: number[] = []

  constructor (producerId: bigint, current: ProducerStateEntry | undefined, origin: AppendOrigin) {
    this.producerId = producerId
    this.origin = origin
    this.current = current ?? new ProducerStateEntry(producerId)
    const c = this.current
    this.updated = new ProducerStateEntry(producerId, c.epoch, c.coordinatorEpoch, c.lastTimestamp, c.currentTxnFirstOffset)
  }

  /** Checks and records one batch; a completed transaction when it is a marker ending one. */
  append (batch: ProducerBatch): ProducerRejection | CompletedTxn | null {
    if (batch.isControl) return batch.marker === null ? null : this.#appendMarker(batch, batch.marker)
    return this.#appendData(batch)
  }

  #appendData (batch: ProducerBatch): ProducerRejection | null {
    const firstSeq = batch.baseSequence
    const rejection = this.#checkEpoch(batch.producerEpoch, batch.baseOffset) ??
      (this.origin === 'client' ? this.#checkSequence(batch.producerEpoch, firstSeq, batch.baseOffset) : null)
    if (rejection !== null) return rejection
    const u = this.updated
    const lastOffset = lastOffsetOf(batch)
    u.setEpoch(batch.producerEpoch)
    u.addBatch({ firstSeq, lastSeq: lastSequenceOf(batch), firstOffset: batch.baseOffset, lastOffset, timestamp: batch.maxTimestamp })
    u.lastTimestamp = batch.maxTimestamp
    if (u.currentTxnFirstOffset >= 0 && !batch.isTransactional) {
      return reject(ErrorCode.INVALID_TXN_STATE,
        `non-transactional batch at offset ${batch.baseOffset} from producer ${this.producerId} while its transaction is open`)
    }
    if (u.currentTxnFirstOffset < 0 && batch.isTransactional) {
      u.currentTxnFirstOffset = batch.baseOffset
      this.startedTxns.push(batch.baseOffset)
    }
    return null
  }

  #appendMarker (batch: ProducerBatch, marker: TxnMarker): ProducerRejection | CompletedTxn | null {
    const rejection = this.#checkEpoch(batch.producerEpoch, batch.baseOffset)
    if (rejection !== null) return rejection
    const u = this.updated
    if (u.coordinatorEpoch > marker.coordinatorEpoch && this.origin !== 'replication') {
      return reject(ErrorCode.TRANSACTION_COORDINATOR_FENCED,
        `marker at offset ${batch.baseOffset} for producer ${this.producerId} has coordinator epoch ${marker.coordinatorEpoch} below ${u.coordinatorEpoch}`)
    }
    // Only a marker that closes data produces an entry: an empty transaction moves no LSO.
    const completed: CompletedTxn | null = u.currentTxnFirstOffset >= 0
      ? { producerId: this.producerId, firstOffset: u.currentTxnFirstOffset, lastOffset: batch.baseOffset, isAborted: !marker.commit }
      : null
    u.setEpoch(batch.producerEpoch)
    u.coordinatorEpoch = marker.coordinatorEpoch
    u.currentTxnFirstOffset = -1
    u.lastTimestamp = batch.maxTimestamp
    return completed
  }

  #checkEpoch (epoch: number, offset: number): ProducerRejection | null {
    if (epoch >= this.updated.epoch || this.origin === 'replication') return null
    return reject(ErrorCode.INVALID_PRODUCER_EPOCH,
      `epoch ${epoch} of producer ${this.producerId} at offset ${offset} is older than its current epoch ${this.updated.epoch}`)
  }

  #checkSequence (epoch: number, firstSeq: number, offset: number): ProducerRejection | null {
    const u = this.updated
    if (epoch !== u.epoch) {
      if (firstSeq !== 0 && u.epoch !== NO_PRODUCER_EPOCH) {
        return reject(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `new epoch ${epoch} of producer ${this.producerId} at offset ${offset} starts at sequence ${firstSeq}, not 0`)
      }
      return null
    }
    let lastSeq = NO_SEQUENCE
    if (!u.isEmpty) lastSeq = u.lastSeq
    else if (epoch === this.current.epoch) lastSeq = this.current.lastSeq
    // Without a known epoch (all state deleted by retention) any sequence is accepted.
    if (this.current.epoch === NO_PRODUCER_EPOCH || isNextSequence(lastSeq, firstSeq)) return null
    return reject(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      `sequence ${firstSeq} of producer ${this.producerId} at offset ${offset} does not follow ${lastSeq}`)
  }
}

function reject (code: ProducerErrorCode, message: string): ProducerRejection {
  return { code, message }
}

/** Folds a validated update into the producer's live entry (Kafka's ProducerStateEntry.update). */
export function applyUpdate (entry: ProducerStateEntry, update: ProducerStateEntry): void {
  entry.setEpoch(update.epoch)
  for (const b of update.batches) entry.addBatch(b)
  entry.coordinatorEpoch = update.coordinatorEpoch
  entry.currentTxnFirstOffset = update.currentTxnFirstOffset
  entry.lastTimestamp = update.lastTimestamp
}
