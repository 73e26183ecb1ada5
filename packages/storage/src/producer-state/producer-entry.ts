// One producer id's state on one partition (Kafka's ProducerStateEntry): its epoch, the metadata
// of its last NUM_BATCHES_TO_RETAIN batches (oldest first, for duplicate detection: a retried
// batch matching one of them exactly is answered with the original offsets), the epoch of the
// last transaction coordinator that wrote a marker, and the first offset of its open transaction.
// A new epoch forgets the batches of the old one (sequences restart at 0).
import { NO_PRODUCER_EPOCH, NO_SEQUENCE } from './sequence.js'

const NUM_BATCHES_TO_RETAIN = 5

export interface BatchMetadata {
  firstSeq: number
  lastSeq: number
  firstOffset: number
  lastOffset: number
  /** The batch's maxTimestamp. */
  timestamp: number
}

export class ProducerStateEntry {
  readonly producerId: bigint
  epoch: number
  /** Oldest first; at most NUM_BATCHES_TO_RETAIN. */
  batches: BatchMetadata[]
  /** -1: no marker written yet. */
  coordinatorEpoch: number
  /** maxTimestamp of the last batch or marker: producer.id.expiration.ms counts from it. */
  lastTimestamp: number
  /** First offset of the open transaction, -1 when none. */
  currentTxnFirstOffset: number

  constructor (producerId: bigint, epoch = NO_PRODUCER_EPOCH, coordinatorEpoch = -1, lastTimestamp = -1, currentTxnFirstOffset = -1, batches: BatchMetadata[] = []) {
    this.producerId = producerId
    this.epoch = epoch
    this.coordinatorEpoch = coordinatorEpoch
    this.lastTimestamp = lastTimestamp
    this.currentTxnFirstOffset = currentTxnFirstOffset
    this.batches = batches
  }

  get isEmpty (): boolean {
    return this.batches.length === 0
  }

  get lastSeq (): number {
    return this.batches.at(-1)?.lastSeq ?? NO_SEQUENCE
  }

  get firstSeq (): number {
    return this.batches[0]?.firstSeq ?? NO_SEQUENCE
  }

  /** Offset of the last data batch's last record, -1 when none is retained. */
  get lastDataOffset (): number {
    return this.batches.at(-1)?.lastOffset ?? -1
  }

  /** A new epoch clears the retained batches. */
  setEpoch (epoch: number): void {
    if (epoch !== this.epoch) {
      this.batches = []
      this.epoch = epoch
    }
  }

  addBatch (batch: BatchMetadata): void {
    if (this.batches.length === NUM_BATCHES_TO_RETAIN) this.batches.shift()
    this.batches.push(batch)
  }

  /** The retained batch with exactly this sequence range under this epoch, if any. */
  findDuplicate (epoch: number, firstSeq: number, lastSeq: number): BatchMetadata | undefined {
    if (epoch !== this.epoch) return undefined
    return this.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq)
  }

  clone (): ProducerStateEntry {
    return new ProducerStateEntry(this.producerId, this.epoch, this.coordinatorEpoch, this.lastTimestamp,
      this.currentTxnFirstOffset, this.batches.map((b) => ({ ...b })))
  }
}
