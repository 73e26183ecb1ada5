// The in-flight records of one share-partition (Kafka's SharePartition cache), pure state with no
// I/O: the start offset (everything before it is done), the end offset (the next offset never
// acquired), and a state per tracked offset in between and beyond (offsets restored from a
// snapshot past the end wait there until the fetch frontier reaches them).
//
//   available ──acquire──▶ acquired ──ACCEPT──▶ acknowledged
//       ▲                     │ ──REJECT──▶ archived
//       └── RELEASE / lock ───┘ (archived instead once delivered delivery.count.limit times)
//
// A record that fails for good (REJECT, the delivery limit, its TTL) goes through "archiving"
// when the group has a dead-letter topic: it stays in flight (the start offset waits for it) until
// the dead-letter record is written, then becomes archived. Acknowledged and archived records are terminal; the start offset moves past every terminal
// record at its head, and their entries are dropped. Acquired records carry the acquiring member
// and an acquisition id (the lock): a lock that expires returns exactly the records still held
// under it. Only terminal states and delivery counts are durable (toSnapshot): a record acquired
// when the broker stops comes back available, with the count it had when last written.
import { DeliveryState, type ShareStateSnapshot, type StateBatch } from '../state/records.js'

export const RecordState = { AVAILABLE: 0, ACQUIRED: 1, ACKNOWLEDGED: 2, ARCHIVING: 3, ARCHIVED: 4 } as const
export type RecordStateValue = typeof RecordState[keyof typeof RecordState]

/** Acknowledge types (ShareFetch/ShareAcknowledge): 0 gap, 1 accept, 2 release, 3 reject, 4 renew. */
export const AckType = { GAP: 0, ACCEPT: 1, RELEASE: 2, REJECT: 3, RENEW: 4 } as const

export interface InFlightEntry {
  state: RecordStateValue
  deliveryCount: number
  memberId: string | null
  lockId: number
  /** Not acquirable before this time (redelivery back-off); 0 = now. */
  availableAt: number
  /** Why it became terminal without ACCEPT (dead-letter reason), when archived. */
  reason?: string
}

export interface AcquiredRange {
  firstOffset: number
  lastOffset: number
  deliveryCount: number
}

/** The records an acknowledgement or expiry made terminal without ACCEPT (candidates for a dead-letter topic). */
export interface ArchivedRecord {
  offset: number
  deliveryCount: number
  reason: string
}

export interface AckBatch {
  firstOffset: number
  lastOffset: number
  types: number[]
}

export class InvalidRecordStateError extends Error {}

export interface InFlightLimits {
  deliveryCountLimit: number
  /** Failed records wait in "archiving" for their dead-letter record (the group has a DLQ topic). */
  deadLetter: boolean
  /** Back-off before a released or expired record is acquirable again, by its delivery count. */
  backoffMs: (deliveryCount: number) => number
}

export class InFlightRecords {
  startOffset: number
  endOffset: number
  readonly entries = new Map<number, InFlightEntry>()
  /** Acquired entries right now (group.share.partition.max.record.locks bounds them). */
  acquiredCount = 0
  /** Offsets of available entries below the end offset (records to redeliver before reading new ones). */
  readonly #redeliverable = new Set<number>()
  /** Offsets archiving: failed records waiting for their dead-letter record. */
  readonly #archiving = new Set<number>()
  #nextLockId = 1

  constructor (startOffset: number) {
    this.startOffset = startOffset
    this.endOffset = startOffset
  }

  /** Restores the durable state: the start offset and the runs after it. */
  static fromSnapshot (snapshot: ShareStateSnapshot): InFlightRecords {
    const records = new InFlightRecords(snapshot.startOffset)
    for (const b of snapshot.batches) {
      for (let o = Math.max(b.firstOffset, snapshot.startOffset); o <= b.lastOffset; o++) {
        const state = b.deliveryState === DeliveryState.ACKNOWLEDGED ? RecordState.ACKNOWLEDGED
          : b.deliveryState === DeliveryState.ARCHIVED ? RecordState.ARCHIVED
            : b.deliveryState === DeliveryState.ARCHIVING ? RecordState.ARCHIVING : RecordState.AVAILABLE
        records.entries.set(o, { state, deliveryCount: b.deliveryCount, memberId: null, lockId: 0, availableAt: 0, reason: 'restored' })
        if (state === RecordState.ARCHIVING) records.#archiving.add(o)
      }
    }
    return records
  }

  newLockId (): number {
    return this.#nextLockId++
  }

  /** Whether an offset below the end offset can be redelivered now (so a fetch must read from before the end). */
  firstRedeliverable (now: number): number | null {
    let first: number | null = null
    for (const o of this.#redeliverable) {
      const e = this.entries.get(o)
      if (e !== undefined && e.availableAt <= now && (first === null || o < first)) first = o
    }
    return first
  }

  /** The earliest time a record waiting out its back-off becomes acquirable, or null. */
  nextAvailableAt (now: number): number | null {
    let earliest: number | null = null
    for (const o of this.#redeliverable) {
      const e = this.entries.get(o)
      if (e !== undefined && e.availableAt > now && (earliest === null || e.availableAt < earliest)) earliest = e.availableAt
    }
    return earliest
  }

  /**
   * Tries to acquire one offset of a batch read from the log (`isRecord` false for a control
   * record's offset: passed over, archived). Returns the delivery count now, or 0 when the offset
   * was not acquired.
   */
  acquire (offset: number, isRecord: boolean, memberId: string, lockId: number, now: number, limits: InFlightLimits, expired = false): number {
    if (offset < this.startOffset) return 0
    let entry = this.entries.get(offset)
    if (offset >= this.endOffset) {
      // The frontier moves over it: offsets skipped between batches are gaps (no entry).
      this.endOffset = offset + 1
      if (entry === undefined) {
        entry = { state: RecordState.AVAILABLE, deliveryCount: 0, memberId: null, lockId: 0, availableAt: 0 }
        this.entries.set(offset, entry)
      } else if (entry.state === RecordState.AVAILABLE) {
        this.#redeliverable.add(offset)
      }
    }
    if (entry === undefined || entry.state !== RecordState.AVAILABLE || entry.availableAt > now) return 0
    if (!isRecord) {
      this.#makeTerminal(offset, entry, RecordState.ARCHIVED)
      return 0
    }
    if (entry.deliveryCount >= limits.deliveryCountLimit) {
      this.#fail(offset, entry, 'delivery count limit reached', limits)
      return 0
    }
    if (expired && entry.deliveryCount === 0) {
      this.#fail(offset, entry, 'message ttl expired', limits)
      return 0
    }
    this.#redeliverable.delete(offset)
    entry.state = RecordState.ACQUIRED
    entry.deliveryCount++
    entry.memberId = memberId
    entry.lockId = lockId
    entry.availableAt = 0
    this.acquiredCount++
    return entry.deliveryCount
  }

  /**
   * Validates a member's acknowledgement batches against the current state without changing it:
   * every offset must be acquired by the member (INVALID_RECORD_STATE otherwise).
   */
  checkAcknowledge (memberId: string, batches: readonly AckBatch[]): void {
    for (const b of batches) {
      if (b.firstOffset < this.startOffset || b.lastOffset >= this.endOffset) {
        throw new InvalidRecordStateError(`offsets ${b.firstOffset}-${b.lastOffset} are not in flight (${this.startOffset}-${this.endOffset - 1})`)
      }
      for (let o = b.firstOffset; o <= b.lastOffset; o++) {
        const type = b.types.length === 1 ? b.types[0] : b.types[o - b.firstOffset]
        const e = this.entries.get(o)
        if (type === AckType.GAP && e === undefined) continue
        if (e === undefined || e.state !== RecordState.ACQUIRED || e.memberId !== memberId) {
          throw new InvalidRecordStateError(`offset ${o} is not acquired by this member`)
        }
      }
    }
  }

  /** Applies checked acknowledgements; returns the records archived by them (REJECT, or released past the limit). */
  acknowledge (batches: readonly AckBatch[], now: number, limits: InFlightLimits, renewLockId: () => number): ArchivedRecord[] {
    const archived: ArchivedRecord[] = []
    let renewed: number | null = null
    for (const b of batches) {
      for (let o = b.firstOffset; o <= b.lastOffset; o++) {
        const type = b.types.length === 1 ? b.types[0] : b.types[o - b.firstOffset]
        const e = this.entries.get(o)
        if (e === undefined || e.state !== RecordState.ACQUIRED) continue
        if (type === AckType.RENEW) {
          renewed ??= renewLockId()
          e.lockId = renewed
          continue
        }
        this.acquiredCount--
        if (type === AckType.ACCEPT) this.#makeTerminal(o, e, RecordState.ACKNOWLEDGED)
        else if (type === AckType.GAP) this.#makeTerminal(o, e, RecordState.ARCHIVED)
        else if (type === AckType.REJECT) {
          this.#fail(o, e, 'rejected', limits)
          archived.push({ offset: o, deliveryCount: e.deliveryCount, reason: 'rejected' })
        } else {
          const a = this.#makeAvailable(o, e, now, limits)
          if (a !== null) archived.push(a)
        }
      }
    }
    this.#advanceStart()
    return archived
  }

  /** Returns every record still held under the lock to available (lock expiry); returns the archived ones. */
  releaseLock (lockId: number, now: number, limits: InFlightLimits): { released: number, archived: ArchivedRecord[] } {
    return this.#releaseWhere((e) => e.lockId === lockId, now, limits)
  }

  /** Returns every record the member holds (its session closed or it left the group). */
  releaseMember (memberId: string, now: number, limits: InFlightLimits): { released: number, archived: ArchivedRecord[] } {
    return this.#releaseWhere((e) => e.memberId === memberId, now, limits)
  }

  /** Whether any record is still held under the lock. */
  holdsLock (lockId: number): boolean {
    for (const e of this.entries.values()) if (e.state === RecordState.ACQUIRED && e.lockId === lockId) return true
    return false
  }

  /** Moves the start offset (log start moved past it, or an admin reset); forgets what lies before. */
  moveStart (offset: number): void {
    for (const [o, e] of this.entries) {
      if (o < offset) {
        if (e.state === RecordState.ACQUIRED) this.acquiredCount--
        this.#redeliverable.delete(o)
        this.#archiving.delete(o)
        this.entries.delete(o)
      }
    }
    this.startOffset = offset
    if (this.endOffset < offset) this.endOffset = offset
    this.#advanceStart()
  }

  /** The durable state: runs of equal (state, count) past the start offset, acquired written as available. */
  toSnapshot (snapshotEpoch: number, stateEpoch: number): ShareStateSnapshot {
    const offsets = [...this.entries.keys()].sort((a, b) => a - b)
    const batches: StateBatch[] = []
    for (const o of offsets) {
      const e = this.entries.get(o) as InFlightEntry
      const deliveryState = e.state === RecordState.ACKNOWLEDGED ? DeliveryState.ACKNOWLEDGED
        : e.state === RecordState.ARCHIVED ? DeliveryState.ARCHIVED
          : e.state === RecordState.ARCHIVING ? DeliveryState.ARCHIVING : DeliveryState.AVAILABLE
      // A never-delivered available record is the default state: nothing to write.
      if (deliveryState === DeliveryState.AVAILABLE && e.deliveryCount === 0) continue
      const last = batches[batches.length - 1]
      if (last !== undefined && last.lastOffset === o - 1 && last.deliveryState === deliveryState && last.deliveryCount === e.deliveryCount) last.lastOffset = o
      else batches.push({ firstOffset: o, lastOffset: o, deliveryState, deliveryCount: e.deliveryCount })
    }
    return { snapshotEpoch, stateEpoch, startOffset: this.startOffset, batches }
  }

  #releaseWhere (match: (e: InFlightEntry) => boolean, now: number, limits: InFlightLimits): { released: number, archived: ArchivedRecord[] } {
    let released = 0
    const archived: ArchivedRecord[] = []
    for (const [o, e] of this.entries) {
      if (e.state !== RecordState.ACQUIRED || !match(e)) continue
      this.acquiredCount--
      released++
      const a = this.#makeAvailable(o, e, now, limits)
      if (a !== null) archived.push(a)
    }
    this.#advanceStart()
    return { released, archived }
  }

  #makeAvailable (offset: number, e: InFlightEntry, now: number, limits: InFlightLimits): ArchivedRecord | null {
    if (e.deliveryCount >= limits.deliveryCountLimit) {
      this.#fail(offset, e, 'delivery count limit reached', limits)
      return { offset, deliveryCount: e.deliveryCount, reason: 'delivery count limit reached' }
    }
    e.state = RecordState.AVAILABLE
    e.memberId = null
    e.lockId = 0
    e.availableAt = now + limits.backoffMs(e.deliveryCount)
    this.#redeliverable.add(offset)
    return null
  }

  /** Failed for good: archived, or archiving until its dead-letter record is written. */
  #fail (offset: number, e: InFlightEntry, reason: string, limits: InFlightLimits): void {
    this.#makeTerminal(offset, e, limits.deadLetter ? RecordState.ARCHIVING : RecordState.ARCHIVED, reason)
    if (limits.deadLetter) this.#archiving.add(offset)
  }

  /** Records waiting for their dead-letter record, in offset order. */
  archiving (): ArchivedRecord[] {
    return [...this.#archiving].sort((a, b) => a - b).flatMap((o) => {
      const e = this.entries.get(o)
      return e === undefined ? [] : [{ offset: o, deliveryCount: e.deliveryCount, reason: e.reason ?? 'failed' }]
    })
  }

  /** Their dead-letter records are written (or there is no usable DLQ): archived. */
  completeArchiving (offsets: readonly number[]): void {
    for (const o of offsets) {
      const e = this.entries.get(o)
      this.#archiving.delete(o)
      if (e !== undefined && e.state === RecordState.ARCHIVING) e.state = RecordState.ARCHIVED
    }
    this.#advanceStart()
  }

  #makeTerminal (offset: number, e: InFlightEntry, state: RecordStateValue, reason?: string): void {
    this.#redeliverable.delete(offset)
    e.state = state
    e.memberId = null
    e.lockId = 0
    e.availableAt = 0
    if (reason !== undefined) e.reason = reason
  }

  #advanceStart (): void {
    while (this.startOffset < this.endOffset) {
      const e = this.entries.get(this.startOffset)
      if (e !== undefined && e.state !== RecordState.ACKNOWLEDGED && e.state !== RecordState.ARCHIVED) break
      this.entries.delete(this.startOffset)
      this.startOffset++
    }
  }
}

/** Contiguous acquired offsets with the same delivery count, as ShareFetch answers them. */
export function acquiredRanges (acquired: ReadonlyArray<{ offset: number, deliveryCount: number }>): AcquiredRange[] {
  const out: AcquiredRange[] = []
  for (const a of acquired) {
    const last = out[out.length - 1]
    if (last !== undefined && last.lastOffset === a.offset - 1 && last.deliveryCount === a.deliveryCount) last.lastOffset = a.offset
    else out.push({ firstOffset: a.offset, lastOffset: a.offset, deliveryCount: a.deliveryCount })
  }
  return out
}
