// Time for coordinators and delayed work: a clock and keyed one-shot timers (Kafka's CoordinatorTimer shape).
// Scheduling a key again replaces the pending task, so "reschedule the heartbeat" is one call.
// Both are interfaces so tests drive time by hand (ManualTime) instead of sleeping.

export interface Clock {
  now (): number
}

export interface KeyedTimer {
  schedule (key: string, delayMs: number, task: () => void): void
  cancel (key: string): void
  isScheduled (key: string): boolean
  /** Cancels everything (shutdown). */
  cancelAll (): void
}

export const systemClock: Clock = { now: () => Date.now() }

/** Timers on setTimeout; unref'd so a pending session timeout never keeps the process alive. */
export class SystemTimer implements KeyedTimer {
  readonly #tasks = new Map<string, NodeJS.Timeout>()

  schedule (key: string, delayMs: number, task: () => void): void {
    this.cancel(key)
    const handle = setTimeout(() => {
      if (this.#tasks.get(key) === handle) this.#tasks.delete(key)
      task()
    }, Math.max(0, delayMs))
    handle.unref()
    this.#tasks.set(key, handle)
  }

  cancel (key: string): void {
    const handle = this.#tasks.get(key)
    if (handle !== undefined) {
      clearTimeout(handle)
      this.#tasks.delete(key)
    }
  }

  isScheduled (key: string): boolean {
    return this.#tasks.has(key)
  }

  cancelAll (): void {
    for (const handle of this.#tasks.values()) clearTimeout(handle)
    this.#tasks.clear()
  }
}

/**
 * A clock and timer moved by hand: advance(ms) runs every task due by the new time, in deadline
 * order (ties in scheduling order), moving the clock to each task's deadline before running it.
 */
export class ManualTime implements Clock, KeyedTimer {
  #now: number
  #seq = 0
  readonly #tasks = new Map<string, { at: number, seq: number, task: () => void }>()

  constructor (start = 1_700_000_000_000) {
    this.#now = start
  }

  now (): number {
    return this.#now
  }

  schedule (key: string, delayMs: number, task: () => void): void {
    this.#tasks.set(key, { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, task })
  }

  cancel (key: string): void {
    this.#tasks.delete(key)
  }

  isScheduled (key: string): boolean {
    return this.#tasks.has(key)
  }

  cancelAll (): void {
    this.#tasks.clear()
  }

  /** Deadline of a pending task, for assertions. */
  deadline (key: string): number | undefined {
    return this.#tasks.get(key)?.at
  }

  advance (ms: number): void {
    const target = this.#now + ms
    for (;;) {
      let nextKey: string | undefined
      let next: { at: number, seq: number, task: () => void } | undefined
      for (const [key, entry] of this.#tasks) {
        if (entry.at > target) continue
        if (next === undefined || entry.at < next.at || (entry.at === next.at && entry.seq < next.seq)) {
          next = entry
          nextKey = key
        }
      }
      if (next === undefined || nextKey === undefined) break
      this.#tasks.delete(nextKey)
      this.#now = Math.max(this.#now, next.at)
      next.task()
    }
    this.#now = target
  }
}
