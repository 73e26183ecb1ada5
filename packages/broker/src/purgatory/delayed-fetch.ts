// Fetches waiting for data (max_wait_ms long-poll), keyed by partition, as Kafka's DelayedFetch.
// An append to a partition wakes every fetch waiting on it; the woken fetch re-reads and either
// answers (min_bytes reached) or waits again until its own deadline. Waking is cheap and may be
// spurious: the fetch always re-checks.
// Wake-ups are gathered per turn of the event loop: appends notified while the loop handles one
// batch of socket reads (many produce requests, several append groups) wake each waiting fetch
// once, after all of them (setImmediate), so it answers with all their records in one response.

interface Waiter {
  keys: readonly string[]
  timer: NodeJS.Timeout | undefined
  resolve: (woken: boolean) => void
}

export function partitionKey (topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

export class FetchPurgatory {
  private readonly waiting = new Map<string, Set<Waiter>>()
  /** Keys notified this turn, woken together once the turn's I/O callbacks have run. */
  private readonly due = new Set<string>()
  private wakeQueued = false
  private closed = false

  /** Resolves true when one of `keys` is appended to, false when `timeoutMs` passes first. */
  async wait (keys: readonly string[], timeoutMs: number): Promise<boolean> {
    if (this.closed || timeoutMs <= 0 || keys.length === 0) return false
    return await new Promise<boolean>((resolve) => {
      const waiter: Waiter = { keys, timer: undefined, resolve }
      waiter.timer = setTimeout(() => this.settle(waiter, false), timeoutMs)
      for (const key of keys) {
        let set = this.waiting.get(key)
        if (set === undefined) this.waiting.set(key, set = new Set())
        set.add(waiter)
      }
    })
  }

  notify (key: string): void {
    if (!this.waiting.has(key)) return
    this.due.add(key)
    if (this.wakeQueued) return
    this.wakeQueued = true
    setImmediate(() => { this.wakeDue() })
  }

  private wakeDue (): void {
    this.wakeQueued = false
    const keys = [...this.due]
    this.due.clear()
    for (const key of keys) {
      const set = this.waiting.get(key)
      if (set === undefined) continue
      for (const waiter of [...set]) this.settle(waiter, true)
    }
  }

  /** Shutdown: every waiting fetch answers now with what it has; later waits return at once. */
  close (): void {
    this.closed = true
    for (const set of [...this.waiting.values()]) {
      for (const waiter of [...set]) this.settle(waiter, false)
    }
  }

  /** Number of waiting fetches (each counted once). */
  get size (): number {
    const all = new Set<Waiter>()
    for (const set of this.waiting.values()) for (const w of set) all.add(w)
    return all.size
  }

  private settle (waiter: Waiter, woken: boolean): void {
    clearTimeout(waiter.timer)
    for (const key of waiter.keys) {
      const set = this.waiting.get(key)
      if (set === undefined) continue
      set.delete(waiter)
      if (set.size === 0) this.waiting.delete(key)
    }
    waiter.resolve(woken)
  }
}
