// A hierarchical timing wheel (Kafka's TimingWheel shape) for many one-shot timers: delayed
// messages, redelivery back-off, TTL expiry, request purgatories. Adding and cancelling cost O(1)
// whatever the number pending; only buckets that come due are visited, and one Node timer is armed
// for the earliest bucket instead of one per task.
//
// Each wheel covers tickMs x wheelSize; a deadline beyond it goes to an overflow wheel whose tick is
// the whole span of the wheel below, created on first need. When an overflow bucket comes due its
// entries are added again and fall into finer wheels, until they are due and run. A task runs at
// or after its deadline, at most one tick late.
import { systemClock, type Clock } from './keyed-timer.js'

export interface TimerWheelOptions {
  /** Resolution in milliseconds (default 1). */
  tickMs?: number
  /** Buckets per wheel (default 512). */
  wheelSize?: number
  clock?: Clock
  /**
   * Arm a Node timer (unref'd) that advances the wheel by itself (default true). Tests pass false
   * and call advanceTo() with a manual clock.
   */
  selfDriven?: boolean
}

export interface TimerHandle {
  readonly deadline: number
  /** True when the task had not run yet and now never will. */
  cancel: () => boolean
}

class Entry implements TimerHandle {
  bucket: Bucket | undefined
  done = false

  constructor (readonly deadline: number, readonly task: () => void, private readonly onCancel: () => void) {}

  cancel = (): boolean => {
    if (this.done) return false
    this.done = true
    this.bucket?.entries.delete(this)
    this.bucket = undefined
    this.onCancel()
    return true
  }
}

class Bucket {
  expiration = -1
  readonly entries = new Set<Entry>()
}

/** Buckets ordered by expiration; stale slots (a bucket re-armed since) are skipped on pop. */
class BucketQueue {
  readonly #heap: Array<{ at: number, bucket: Bucket }> = []

  push (bucket: Bucket): void {
    const heap = this.#heap
    heap.push({ at: bucket.expiration, bucket })
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (heap[parent]!.at <= heap[i]!.at) break
      ;[heap[parent], heap[i]] = [heap[i]!, heap[parent]!]
      i = parent
    }
  }

  /** Earliest live expiration, dropping stale slots on the way. */
  peek (): number | undefined {
    for (;;) {
      const top = this.#heap[0]
      if (top === undefined) return undefined
      if (top.bucket.expiration === top.at) return top.at
      this.#pop()
    }
  }

  popDue (now: number): Bucket | undefined {
    const at = this.peek()
    if (at === undefined || at > now) return undefined
    return this.#pop()
  }

  #pop (): Bucket {
    const heap = this.#heap
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let min = i
        if (l < heap.length && heap[l]!.at < heap[min]!.at) min = l
        if (r < heap.length && heap[r]!.at < heap[min]!.at) min = r
        if (min === i) break
        ;[heap[min], heap[i]] = [heap[i]!, heap[min]!]
        i = min
      }
    }
    return top.bucket
  }
}

class Wheel {
  readonly #buckets: Bucket[]
  readonly #interval: number
  #currentTime: number
  #overflow: Wheel | undefined

  constructor (readonly tickMs: number, readonly wheelSize: number, startMs: number, private readonly queue: BucketQueue) {
    this.#buckets = Array.from({ length: wheelSize }, () => new Bucket())
    this.#interval = tickMs * wheelSize
    this.#currentTime = startMs - (startMs % tickMs)
  }

  /** False when the entry is already due (the caller runs it). */
  add (entry: Entry): boolean {
    if (entry.deadline <= this.#currentTime) return false
    if (entry.deadline < this.#currentTime + this.#interval) {
      // A bucket expires at the start of its tick, so a deadline inside the current tick waits
      // for the next one: a task never runs before its deadline (Kafka's wheel may run it early).
      let virtualId = Math.floor(entry.deadline / this.tickMs)
      if (entry.deadline < this.#currentTime + this.tickMs) virtualId++
      const bucket = this.#buckets[virtualId % this.wheelSize]!
      bucket.entries.add(entry)
      entry.bucket = bucket
      const expiration = virtualId * this.tickMs
      if (bucket.expiration !== expiration) {
        bucket.expiration = expiration
        this.queue.push(bucket)
      }
      return true
    }
    this.#overflow ??= new Wheel(this.#interval, this.wheelSize, this.#currentTime, this.queue)
    return this.#overflow.add(entry)
  }

  advanceClock (timeMs: number): void {
    if (timeMs < this.#currentTime + this.tickMs) return
    this.#currentTime = timeMs - (timeMs % this.tickMs)
    this.#overflow?.advanceClock(this.#currentTime)
  }
}

export class TimerWheel {
  readonly #clock: Clock
  readonly #queue = new BucketQueue()
  readonly #root: Wheel
  readonly #selfDriven: boolean
  #due: Entry[] = []
  #pending = 0
  #armed: { at: number, handle: NodeJS.Timeout } | undefined
  #closed = false

  constructor (options: TimerWheelOptions = {}) {
    this.#clock = options.clock ?? systemClock
    this.#selfDriven = options.selfDriven ?? true
    this.#root = new Wheel(options.tickMs ?? 1, options.wheelSize ?? 512, this.#clock.now(), this.#queue)
  }

  /** Tasks scheduled and neither run nor cancelled. */
  get size (): number { return this.#pending }

  schedule (delayMs: number, task: () => void): TimerHandle {
    return this.scheduleAt(this.#clock.now() + Math.max(0, delayMs), task)
  }

  scheduleAt (deadline: number, task: () => void): TimerHandle {
    if (this.#closed) throw new Error('timer wheel is closed')
    const entry = new Entry(deadline, task, () => { this.#pending-- })
    this.#pending++
    if (!this.#root.add(entry)) this.#due.push(entry)
    this.#arm()
    return entry
  }

  /**
   * Runs every task due at `now` (deadline order within a tick is not guaranteed). A task that
   * throws does not stop the others; the first error is rethrown once all due tasks have run.
   */
  advanceTo (now: number = this.#clock.now()): number {
    let ran = 0
    let failure: { error: unknown } | undefined
    for (;;) {
      const bucket = this.#queue.popDue(now)
      if (bucket === undefined) break
      this.#root.advanceClock(bucket.expiration)
      bucket.expiration = -1
      const entries = [...bucket.entries]
      bucket.entries.clear()
      for (const entry of entries) {
        entry.bucket = undefined
        if (!this.#root.add(entry)) this.#due.push(entry)
      }
    }
    this.#root.advanceClock(now)
    while (this.#due.length > 0) {
      const due = this.#due
      this.#due = []
      for (const entry of due) {
        if (entry.done) continue
        entry.done = true
        this.#pending--
        ran++
        try {
          entry.task()
        } catch (error) {
          failure ??= { error }
        }
      }
    }
    this.#arm()
    if (failure !== undefined) throw failure.error
    return ran
  }

  /** Earliest time at which something may be due, if anything is pending. */
  nextExpiration (): number | undefined {
    if (this.#due.length > 0) return this.#clock.now()
    return this.#queue.peek()
  }

  /** Drops every pending task without running it. */
  close (): void {
    this.#closed = true
    if (this.#armed !== undefined) clearTimeout(this.#armed.handle)
    this.#armed = undefined
  }

  #arm (): void {
    if (!this.#selfDriven || this.#closed) return
    const at = this.nextExpiration()
    if (at === undefined) return
    if (this.#armed !== undefined) {
      if (this.#armed.at <= at) return
      clearTimeout(this.#armed.handle)
    }
    const handle = setTimeout(() => {
      this.#armed = undefined
      this.advanceTo()
    }, Math.max(0, at - this.#clock.now()))
    handle.unref()
    this.#armed = { at, handle }
  }
}
