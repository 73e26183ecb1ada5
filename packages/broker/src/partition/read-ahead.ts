// Read-ahead for a consumer reading through a partition (catching up from the page cache): once
// a fetch continues exactly where the previous fetch of the partition ended, the read that the
// next fetch will ask for (from where this one ends, same byte limit and isolation) starts as soon
// as this one has its data, so the file read overlaps the network and the consumer's own work
// instead of adding to every round trip (Kafka leaves this to sendfile and the OS read-ahead).
// The next fetch claims it when it matches, else it is dropped. One per partition; bytes held by
// reads nobody claimed are bounded for the whole broker (stale ones are dropped first).
// Data below the high watermark never changes in place (single replica: no truncation); a claim
// re-checks the log start offset (DeleteRecords, retention) and falls back to a fresh read when
// the early read found nothing.
import type { ReadOptions, ReadResult } from '@brook/storage'
import type { Lease } from '@brook/common'

/** Reads of more than this are not read ahead. */
const MAX_READ_AHEAD_BYTES = 8 * 1024 * 1024
/** An unclaimed read older than this may be dropped to make room. */
const STALE_MS = 1000

interface Pending {
  readonly owner: ReadAhead
  readonly offset: number
  readonly maxBytes: number
  readonly readCommitted: boolean
  readonly started: number
  readonly lease: Lease
  readonly result: Promise<ReadResult | null>
}

/** What unclaimed reads may hold at once, across partitions. */
export class ReadAheadBudget {
  readonly maxBytes: number
  #bytes = 0
  readonly #pending = new Set<Pending>()

  constructor (maxBytes = 64 * 1024 * 1024) {
    this.maxBytes = maxBytes
  }

  get bytes (): number { return this.#bytes }

  reserve (p: Pending, now: number): boolean {
    if (this.#bytes + p.maxBytes > this.maxBytes) {
      for (const old of [...this.#pending]) {
        if (now - old.started >= STALE_MS) old.owner.drop()
      }
      if (this.#bytes + p.maxBytes > this.maxBytes) return false
    }
    this.#pending.add(p)
    this.#bytes += p.maxBytes
    return true
  }

  release (p: Pending): void {
    if (this.#pending.delete(p)) this.#bytes -= p.maxBytes
  }
}

const sharedReadAheadBudget = new ReadAheadBudget()

export interface ReadAheadClaim {
  result: Promise<ReadResult | null>
  lease: Lease
  /**
   * Hands the read back unused, for a later fetch (this one could not take its bytes: see
   * earlyAnswer). False when that is not possible; the caller then releases the lease.
   */
  putBack: () => boolean
}

/**
 * What an early read (always made with min-one-batch) gives a fetch: the bytes it read; or, for a
 * fetch without min-one-batch when it read one batch larger than the limit, nothing (what a fresh
 * read would return); or null when it read nothing or failed (read again, and report the error).
 */
export function earlyAnswer (result: ReadResult | null, maxBytes: number, minOneBatch: boolean): ReadResult | null {
  if (result === null || result.bytes === 0) return null
  return minOneBatch || result.bytes <= maxBytes ? result : NOTHING_READ
}

const NOTHING_READ: ReadResult = Object.freeze({ chunks: [], bytes: 0 }) as ReadResult

export class ReadAhead {
  readonly #budget: ReadAheadBudget
  readonly #read: (offset: number, options: ReadOptions) => Promise<ReadResult>
  #pending: Pending | null = null
  /** Where the last answered read of this partition ended (-1: none). */
  #lastEnd = -1

  constructor (read: (offset: number, options: ReadOptions) => Promise<ReadResult>, budget = sharedReadAheadBudget) {
    this.#read = read
    this.#budget = budget
  }

  /**
   * The early read for this fetch's offset, byte limit and isolation, taken out (the caller owns
   * its lease); else null. It serves the fetch whether or not the fetch has min-one-batch (see
   * earlyAnswer): a consumer fetching several partitions may rotate their order (librdkafka
   * does), and only the first partition with data gets min-one-batch.
   */
  claim (offset: number, maxBytes: number, readCommitted: boolean): ReadAheadClaim | null {
    const p = this.#pending
    if (p === null || p.offset !== offset || p.maxBytes !== maxBytes || p.readCommitted !== readCommitted) return null
    this.#pending = null
    this.#budget.release(p)
    return { result: p.result, lease: p.lease, putBack: () => this.#putBack(p) }
  }

  #putBack (p: Pending): boolean {
    if (this.#pending !== null || !this.#budget.reserve(p, Date.now())) return false
    this.#pending = p
    return true
  }

  /**
   * A fetch read [offset, end). When it continued the previous one and more is readable below
   * `maxOffset`, the read of the next fetch starts now, into buffers of `lease`.
   */
  answered (offset: number, end: number, maxOffset: number, maxBytes: number, readCommitted: boolean,
    lease: Lease, now = Date.now()): void {
    const sequential = offset === this.#lastEnd
    this.#lastEnd = end
    this.drop()
    if (!sequential || end <= offset || end >= maxOffset || maxBytes > MAX_READ_AHEAD_BYTES) return
    const result = this.#read(end, { maxBytes, maxOffset, minOneBatch: true, allocate: lease.allocate })
      // A failed early read is simply not used: the fetch then reads again and reports the error.
      .catch(() => null)
    const p: Pending = { owner: this, offset: end, maxBytes, readCommitted, started: now, lease, result }
    if (!this.#budget.reserve(p, now)) {
      void result.then(() => { lease.release() })
      return
    }
    this.#pending = p
  }

  /** Forgets the unclaimed read; its buffers go back once the read has finished with them. */
  drop (): void {
    const p = this.#pending
    if (p === null) return
    this.#pending = null
    this.#budget.release(p)
    void p.result.then(() => { p.lease.release() })
  }
}
