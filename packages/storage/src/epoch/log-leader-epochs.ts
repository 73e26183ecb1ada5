// A partition log's leader epochs: the in-memory cache (./leader-epoch-cache.ts) kept equal to
// its checkpoint file (./leader-epoch-checkpoint.ts). Every change is written before the call
// returns; the log calls in from its single writer, and writes a new epoch's entry before the
// batch that carries it (as Kafka), so the file never lacks an epoch that is in the log: it can
// only hold entries past the log end (a write lost in a crash), which load() cuts.
import type { Logger } from '@brook/common'
import type { FileSystem } from '../fs/file-system.js'
import { type EpochEndOffset, type EpochEntry, LeaderEpochCache } from './leader-epoch-cache.js'
import { readLeaderEpochCheckpoint, writeLeaderEpochCheckpoint } from './leader-epoch-checkpoint.js'

/** Visits every batch of the log in offset order with its partitionLeaderEpoch (for a rebuild). */
export type ScanEpochs = (visit: (epoch: number, baseOffset: number) => void) => Promise<void>

export class LogLeaderEpochs {
  #cache = new LeaderEpochCache()
  readonly #fs: FileSystem
  readonly #dir: string
  readonly #logger: Logger

  constructor (fs: FileSystem, dir: string, logger: Logger) {
    this.#fs = fs
    this.#dir = dir
    this.#logger = logger
  }

  get latestEpoch (): number | null { return this.#cache.latestEpoch }
  entries (): EpochEntry[] { return this.#cache.entries() }
  epochForOffset (offset: number): number | null { return this.#cache.epochForOffset(offset) }
  endOffsetFor (epoch: number, logEndOffset: number): EpochEndOffset { return this.#cache.endOffsetFor(epoch, logEndOffset) }

  /**
   * Reads the checkpoint (rebuilding it from the log when it is missing or unreadable) and cuts it
   * to [logStartOffset, logEndOffset).
   */
  async load (logStartOffset: number, logEndOffset: number, scan: ScanEpochs): Promise<void> {
    const stored = await readLeaderEpochCheckpoint(this.#fs, this.#dir)
    let dirty = false
    if (Array.isArray(stored)) {
      this.#cache = new LeaderEpochCache(stored)
    } else {
      if (typeof stored === 'string') this.#logger.warn({ dir: this.#dir, problem: stored }, 'leader-epoch-checkpoint unreadable; rebuilding it from the log')
      const cache = new LeaderEpochCache()
      await scan((epoch, baseOffset) => { cache.assign(epoch, baseOffset) })
      this.#cache = cache
      dirty = typeof stored === 'string' || !cache.isEmpty
    }
    if (this.#cache.truncateFromEnd(logEndOffset)) dirty = true
    if (this.#cache.truncateFromStart(logStartOffset)) dirty = true
    if (dirty) await this.#persist()
  }

  /**
   * Takes entries known to equal the checkpoint file (a clean-shutdown summary, or none for a new
   * log) without reading it. False when they reach outside [logStartOffset, logEndOffset]: the
   * caller then loads from the file.
   */
  restore (entries: readonly EpochEntry[], logStartOffset: number, logEndOffset: number): boolean {
    const cache = new LeaderEpochCache(entries)
    if (cache.entries().length !== entries.length) return false
    if (cache.truncateFromEnd(logEndOffset) || cache.truncateFromStart(logStartOffset)) return false
    this.#cache = cache
    return true
  }

  /** Records that `epoch` starts at `startOffset` (a no-op unless it is new). */
  async assign (epoch: number, startOffset: number): Promise<void> {
    if (this.#cache.assign(epoch, startOffset)) await this.#persist()
  }

  /** In memory only: the entries a failed write had assigned go (the log refuses writes until reopened). */
  forgetFrom (endOffset: number): void {
    this.#cache.truncateFromEnd(endOffset)
  }

  async truncateFromEnd (endOffset: number): Promise<void> {
    if (this.#cache.truncateFromEnd(endOffset)) await this.#persist()
  }

  async truncateFromStart (startOffset: number): Promise<void> {
    if (this.#cache.truncateFromStart(startOffset)) await this.#persist()
  }

  async clear (): Promise<void> {
    if (this.#cache.clear()) await this.#persist()
  }

  async #persist (): Promise<void> {
    await writeLeaderEpochCheckpoint(this.#fs, this.#dir, this.#cache.entries())
  }
}
