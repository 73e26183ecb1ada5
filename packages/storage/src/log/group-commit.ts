// Group commit: appends that asked for durability wait here; one fsync pass serves every waiter
// whose data was written before it started. While a pass runs, new waiters gather for the next.
interface Waiter { offset: number, resolve: () => void, reject: (err: unknown) => void }

export class GroupCommit {
  readonly #sync: () => Promise<number>
  #waiters: Waiter[] = []
  #running = false
  #passes = 0

  /** `sync` fsyncs everything written so far and returns the offset it covers up to (exclusive). */
  constructor (sync: () => Promise<number>) {
    this.#sync = sync
  }

  /** fsync passes run so far (for tests and the bench). */
  get passes (): number { return this.#passes }

  /** Resolves once an fsync covers `lastOffset`. */
  wait (lastOffset: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiters.push({ offset: lastOffset, resolve, reject })
      if (!this.#running) void this.#run()
    })
  }

  async #run (): Promise<void> {
    this.#running = true
    while (this.#waiters.length > 0) {
      let covered: number
      this.#passes++
      try {
        covered = await this.#sync()
      } catch (err) {
        const waiters = this.#waiters
        this.#waiters = []
        for (const w of waiters) w.reject(err)
        continue
      }
      const still: Waiter[] = []
      for (const w of this.#waiters) {
        if (w.offset < covered) w.resolve()
        else still.push(w)
      }
      if (still.length === this.#waiters.length) {
        // Nothing progressed: the waiters' data is not written (cannot happen when callers wait
        // only after their write); fail them rather than spin.
        for (const w of still) w.reject(new Error('BROOK_GROUP_COMMIT: waiting on unwritten data'))
        this.#waiters = []
      } else {
        this.#waiters = still
      }
    }
    this.#running = false
  }
}
