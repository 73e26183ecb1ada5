// A token bucket measuring one client's rate against its quota. Tokens accrue at the quota rate
// up to a burst of one quota window; each request takes what it used, and may take the balance
// below zero. A negative balance is the throttle: the time the rate needs to pay it back.
export class TokenBucket {
  private rate: number
  private burst: number
  private tokens: number
  private last: number
  lastUsed: number

  constructor (rate: number, burstSeconds: number, now: number) {
    this.rate = rate
    this.burst = rate * burstSeconds
    this.tokens = this.burst
    this.last = now
    this.lastUsed = now
  }

  /** A changed quota takes effect at once; the balance carries over (capped at the new burst). */
  retune (rate: number, burstSeconds: number): void {
    if (rate === this.rate) return
    this.rate = rate
    this.burst = rate * burstSeconds
    this.tokens = Math.min(this.tokens, this.burst)
  }

  /** Takes `amount` tokens; returns how long (ms) the client must wait for the balance to recover. */
  take (amount: number, now: number): number {
    this.refill(now)
    this.tokens -= amount
    return this.debtMs()
  }

  /** How long (ms) until the balance is back to zero (0: not in debt). Takes nothing. */
  waitMs (now: number): number {
    this.refill(now)
    return this.debtMs()
  }

  /** How long (ms) until `amount` tokens are there to take (0: now). Takes nothing. */
  waitForMs (amount: number, now: number): number {
    this.refill(now)
    return this.tokens >= amount ? 0 : Math.ceil((amount - this.tokens) / this.rate * 1000)
  }

  private refill (now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + Math.max(0, now - this.last) / 1000 * this.rate)
    this.last = now
    this.lastUsed = now
  }

  private debtMs (): number {
    return this.tokens >= 0 ? 0 : Math.ceil(-this.tokens / this.rate * 1000)
  }
}
