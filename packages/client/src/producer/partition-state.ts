// Per-partition producer state: the open batch, closed batches waiting to be sent, batches in
// flight (at most maxInFlight, in sequence order) and batches to resend. While a partition has
// batches to resend, no new batch goes out: the resends go first, in sequence order, once nothing
// of that partition is in flight, so the broker sees sequences without gaps.
import type { ProducerBatch } from './batch.js'

export class PartitionState {
  open: ProducerBatch | null = null
  readonly ready: ProducerBatch[] = []
  readonly inFlight = new Set<ProducerBatch>()
  retry: ProducerBatch[] = []
  nextSequence = 0
  /** Earliest time a resend may go (back-off). */
  retryAt = 0

  constructor (readonly topic: string, readonly partition: number) {}

  get idle (): boolean {
    return this.open === null && this.ready.length === 0 && this.inFlight.size === 0 && this.retry.length === 0
  }

  /** The next batch to send, if the partition may send one now. */
  next (maxInFlight: number, now: number): ProducerBatch | null {
    if (this.retry.length > 0) {
      if (this.inFlight.size > 0 || now < this.retryAt) return null
      return this.retry.shift() ?? null
    }
    if (this.inFlight.size >= maxInFlight) return null
    return this.ready.shift() ?? null
  }

  scheduleRetry (batch: ProducerBatch, at: number): void {
    this.retry.push(batch)
    this.retry.sort((a, b) => a.baseSequence - b.baseSequence)
    this.retryAt = Math.max(this.retryAt, at)
  }
}
