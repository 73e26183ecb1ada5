// queued.max.requests, broker-wide: how many requests may be running at once over all connections
// (read and started, their handler not yet settled). Kafka's request channel holds that many
// requests waiting for a handler thread and its network threads stop reading while it is full;
// Brook has no such queue (a request starts as soon as it is read), so the same bound applies to
// requests under way. While the budget is spent, a connection that already has a request running
// reads nothing more; one with none may always start one, so a full budget slows clients down but
// never starves one (a JoinGroup waiting for the other members cannot block their JoinGroups).

export class RequestBudget {
  readonly limit: number
  private running = 0
  private readonly waiting = new Set<() => void>()

  constructor (limit: number) {
    this.limit = limit
  }

  /** Requests running now, broker-wide. */
  get inFlight (): number {
    return this.running
  }

  /** Whether a connection with `own` requests running may start one more. */
  allows (own: number): boolean {
    return own === 0 || this.running < this.limit
  }

  acquire (): void {
    this.running++
  }

  /** A request settled: connections waiting for room are woken once there is some. */
  release (): void {
    this.running--
    if (this.running >= this.limit || this.waiting.size === 0) return
    const woken = [...this.waiting]
    this.waiting.clear()
    for (const wake of woken) wake()
  }

  /** `wake` runs once, the next time a request settles below the limit. */
  waitForRoom (wake: () => void): void {
    this.waiting.add(wake)
  }

  /** A closed connection stops waiting. */
  forget (wake: () => void): void {
    this.waiting.delete(wake)
  }
}
