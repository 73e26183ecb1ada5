// What a share consumer owes the broker: the records of the last poll, each with the
// acknowledgement chosen for it (or none yet), and the acknowledgements not yet sent, by
// share-partition and leader. Implicit mode accepts the unacknowledged records when the next
// poll or commit settles the poll; explicit mode refuses a poll while one is unacknowledged.
import { IllegalStateError } from '../errors/client-errors.js'
import { AckCode } from './acknowledgements.js'
import type { ShareMessage } from './share-records.js'
import { refKey, type ShareRef } from './share-session.js'

/** A share-partition with its topic name. */
export interface PartitionRef extends ShareRef { topic: string }

export interface PartitionAcks { ref: PartitionRef, leader: number, acks: Map<bigint, number> }

interface DeliveredPartition { ref: PartitionRef, leader: number, offsets: Map<bigint, number | null> }

export class DeliveryLedger {
  /** Records of the last poll, by partition: offset -> acknowledgement code, or null while none. */
  private readonly delivered = new Map<string, DeliveredPartition>()
  private readonly pending = new Map<string, PartitionAcks>()

  constructor (private readonly explicit: boolean) {}

  /** A record the last poll delivered (to be acknowledged). */
  delivering (ref: PartitionRef, leader: number, offset: bigint): void {
    let d = this.delivered.get(refKey(ref))
    if (d === undefined) { d = { ref, leader, offsets: new Map() }; this.delivered.set(refKey(ref), d) }
    d.offsets.set(offset, null)
  }

  private find (message: ShareMessage): DeliveredPartition | undefined {
    for (const d of this.delivered.values()) if (d.ref.topic === message.topic && d.ref.partition === message.partition) return d
    return undefined
  }

  /** The partition of a record of the last poll not acknowledged yet (throws otherwise). */
  awaiting (message: ShareMessage): DeliveredPartition {
    const d = this.find(message)
    if (d === undefined || !d.offsets.has(message.offset)) {
      throw new IllegalStateError(`${message.topic}-${message.partition} offset ${message.offset} was not delivered by the last poll (or is acknowledged already and sent)`)
    }
    if (d.offsets.get(message.offset) !== null) throw new IllegalStateError(`${message.topic}-${message.partition} offset ${message.offset} is acknowledged already`)
    return d
  }

  acknowledge (message: ShareMessage, code: number): void {
    const d = this.awaiting(message)
    d.offsets.set(message.offset, code)
    this.add(d.ref, d.leader, message.offset, code)
  }

  unacknowledged (message: ShareMessage): boolean {
    return this.find(message)?.offsets.get(message.offset) === null
  }

  /** An acknowledgement to send that belongs to no delivered record (GAP for an acquired offset without one). */
  add (ref: PartitionRef, leader: number, offset: bigint, code: number): void {
    let p = this.pending.get(refKey(ref))
    if (p === undefined) { p = { ref, leader, acks: new Map() }; this.pending.set(refKey(ref), p) }
    p.acks.set(offset, code)
  }

  /**
   * Settles the last poll's records before the next poll (`forPoll`) or a commit: implicit mode
   * accepts the ones not acknowledged; explicit mode requires, before a poll, that every one was
   * (a commit sends what is acknowledged and leaves the rest to be acknowledged).
   */
  settle (forPoll: boolean): void {
    if (this.explicit) {
      if (!forPoll) return
      for (const d of this.delivered.values()) {
        for (const [offset, code] of d.offsets) {
          if (code === null) throw new IllegalStateError(`${d.ref.topic}-${d.ref.partition} offset ${offset} is not acknowledged: in explicit mode acknowledge every record of a poll before the next poll`)
        }
      }
    } else {
      for (const d of this.delivered.values()) {
        for (const [offset, code] of d.offsets) if (code === null) this.add(d.ref, d.leader, offset, AckCode.ACCEPT)
      }
    }
    this.delivered.clear()
  }

  /** Forgets the last poll's records (closing: the broker releases what was not acknowledged). */
  dropDelivered (): void { this.delivered.clear() }

  /** The leaders with acknowledgements to send. */
  leaders (): Set<number> { return new Set([...this.pending.values()].map((p) => p.leader)) }

  /** Takes the acknowledgements to send to one leader. */
  take (leader: number): PartitionAcks[] {
    const out: PartitionAcks[] = []
    for (const [k, p] of this.pending) {
      if (p.leader !== leader) continue
      out.push(p)
      this.pending.delete(k)
    }
    return out
  }
}
