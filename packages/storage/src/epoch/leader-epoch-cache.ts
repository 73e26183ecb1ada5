// The leader epochs of one partition's log (Kafka's LeaderEpochFileCache, in memory): for each
// epoch that wrote to the log, the offset of its first batch. Entries grow in both epoch and
// start offset. Persistence is ./leader-epoch-checkpoint.ts; the log calls in from its writer.
//
// Rules (Kafka's):
//   assign(e, o)        a new entry when e differs from the latest epoch or o is below its
//                       start; entries with an epoch >= e or a start >= o go first (a log that
//                       is only appended to and truncated never needs that)
//   endOffsetFor(e)     OffsetForLeaderEpoch: the largest epoch <= e and the start offset of the
//                       epoch after it; the latest epoch ends at the log end; unknown: UNDEFINED
//   truncateFromEnd(o)  entries starting at or after o go (the log was cut at o)
//   truncateFromStart(o) entries starting at or before o go, the last of them kept as starting
//                       at o (the log start moved to o)

/** Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET: what OffsetForLeaderEpoch answers for an unknown epoch. */
export const UNDEFINED_EPOCH = -1
export const UNDEFINED_EPOCH_OFFSET = -1

export interface EpochEntry {
  epoch: number
  startOffset: number
}

/** OffsetForLeaderEpoch's answer: the epoch found (<= the one asked) and the offset where it ended. */
export interface EpochEndOffset {
  leaderEpoch: number
  endOffset: number
}

export class LeaderEpochCache {
  /** Ascending in epoch and in start offset. */
  #entries: EpochEntry[]

  constructor (entries: readonly EpochEntry[] = []) {
    this.#entries = []
    for (const e of entries) this.assign(e.epoch, e.startOffset)
  }

  /** A copy of the entries, oldest first. */
  entries (): EpochEntry[] {
    return this.#entries.map((e) => ({ ...e }))
  }

  get isEmpty (): boolean { return this.#entries.length === 0 }

  /** The latest epoch, or null when none is known. */
  get latestEpoch (): number | null {
    return this.#entries[this.#entries.length - 1]?.epoch ?? null
  }

  get earliestEntry (): EpochEntry | null {
    const e = this.#entries[0]
    return e === undefined ? null : { ...e }
  }

  /** The epoch of the batch holding `offset` (the entry with the largest start <= offset), or null. */
  epochForOffset (offset: number): number | null {
    let found: number | null = null
    for (const e of this.#entries) {
      if (e.startOffset <= offset) found = e.epoch
      else break
    }
    return found
  }

  /** True when the entries changed. Negative epochs or offsets (unstamped batches) are ignored. */
  assign (epoch: number, startOffset: number): boolean {
    if (epoch < 0 || startOffset < 0) return false
    const latest = this.#entries[this.#entries.length - 1]
    if (latest !== undefined && latest.epoch === epoch && latest.startOffset <= startOffset) return false
    while (this.#entries.length > 0) {
      const last = this.#entries[this.#entries.length - 1]!
      if (last.epoch >= epoch || last.startOffset >= startOffset) this.#entries.pop()
      else break
    }
    this.#entries.push({ epoch, startOffset })
    return true
  }

  /**
   * OffsetForLeaderEpoch (Kafka's endOffsetFor): for the latest epoch, the log end; for an older
   * one, the largest known epoch <= it and the start offset of the next epoch; for an epoch below
   * every known one, the asked epoch and the first known start offset (data before it is gone);
   * otherwise UNDEFINED.
   */
  endOffsetFor (epoch: number, logEndOffset: number): EpochEndOffset {
    const undefinedAnswer = { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET }
    if (epoch === UNDEFINED_EPOCH) return undefinedAnswer
    if (this.latestEpoch !== null && this.latestEpoch === epoch) return { leaderEpoch: epoch, endOffset: logEndOffset }
    const higher = this.#entries.findIndex((e) => e.epoch > epoch)
    if (higher < 0) return undefinedAnswer
    if (higher === 0) return { leaderEpoch: epoch, endOffset: this.#entries[0]!.startOffset }
    return { leaderEpoch: this.#entries[higher - 1]!.epoch, endOffset: this.#entries[higher]!.startOffset }
  }

  /** Drops the entries starting at or after endOffset; true when any went. */
  truncateFromEnd (endOffset: number): boolean {
    const before = this.#entries.length
    while (this.#entries.length > 0 && this.#entries[this.#entries.length - 1]!.startOffset >= endOffset) this.#entries.pop()
    return this.#entries.length !== before
  }

  /** The log now starts at startOffset: the entry covering it is moved there, older ones go. True when anything changed. */
  truncateFromStart (startOffset: number): boolean {
    let covering = -1
    for (let i = 0; i < this.#entries.length && this.#entries[i]!.startOffset <= startOffset; i++) covering = i
    if (covering < 0) return false
    const changed = covering > 0 || this.#entries[covering]!.startOffset !== startOffset
    this.#entries = [{ epoch: this.#entries[covering]!.epoch, startOffset }, ...this.#entries.slice(covering + 1)]
    return changed
  }

  clear (): boolean {
    const changed = this.#entries.length > 0
    this.#entries = []
    return changed
  }
}
