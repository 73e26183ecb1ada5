// A records-per-second ceiling for produce: waits until the schedule allows `n` more records.
import { setTimeout as sleep } from 'node:timers/promises'

export class RateLimiter {
  private readonly started = Date.now()
  private granted = 0

  constructor (private readonly perSecond: number) {}

  /** How many records one send may carry: about a tenth of a second's worth. */
  get chunk (): number { return Math.max(1, Math.floor(this.perSecond / 10)) }

  async take (n: number): Promise<void> {
    this.granted += n
    const due = this.started + (this.granted / this.perSecond) * 1000
    const wait = due - Date.now()
    if (wait > 0) await sleep(wait)
  }
}
