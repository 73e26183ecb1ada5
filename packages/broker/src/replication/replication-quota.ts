// Replication throttles (Kafka's leader.replication.throttled.rate and
// follower.replication.throttled.rate, with the topics' leader/follower.replication.throttled.replicas
// lists): a byte rate per broker and direction, shared by every throttled replica, for the copies
// that catch a replica up. Only replicas outside the ISR are throttled, as in Kafka, so a
// throttle never slows down the acknowledgement of acks=all writes.
// The rate is a token bucket holding a tenth of a second of the rate: a fetch may go while the
// bucket is not empty, and what it moved is taken out afterwards (it may go below zero, and the
// next fetches wait until it refilled), so the average over a catch-up is the rate, plus at most
// that tenth of a second.

/** Kafka's "no throttle" default (Long.MAX_VALUE), and anything too large to matter. */
const UNLIMITED = Number.MAX_SAFE_INTEGER
/** The burst a full bucket allows, in seconds of the rate. */
const BUCKET_SECONDS = 0.1

export class ReplicationQuota {
  private tokens: number
  private last: number

  constructor (private readonly rate: () => number, now = Date.now()) {
    this.tokens = Math.min(rate() * BUCKET_SECONDS, UNLIMITED)
    this.last = now
  }

  get unlimited (): boolean {
    return this.rate() >= UNLIMITED
  }

  /** True while throttled replicas must wait (the bucket is empty). */
  exceeded (now = Date.now()): boolean {
    if (this.unlimited) return false
    this.refill(now)
    return this.tokens <= 0
  }

  /** Bytes a throttled replica just moved. */
  record (bytes: number, now = Date.now()): void {
    if (this.unlimited || bytes <= 0) return
    this.refill(now)
    this.tokens -= bytes
  }

  /** How long until the bucket is no longer empty (ms). */
  waitMs (now = Date.now()): number {
    if (!this.exceeded(now)) return 0
    return Math.ceil((-this.tokens + 1) * 1000 / this.rate())
  }

  private refill (now: number): void {
    const rate = this.rate()
    this.tokens = Math.min(rate * BUCKET_SECONDS, this.tokens + (now - this.last) * rate / 1000)
    this.last = now
  }
}

/**
 * Whether the topic's throttled replica list (`*`, or `partition:broker` pairs, comma-separated)
 * names this partition's replica on this broker.
 */
export function throttledReplica (list: string | undefined, partition: number, brokerId: number): boolean {
  if (list === undefined) return false
  const entries = list.split(',').map((e) => e.trim()).filter((e) => e !== '')
  return entries.some((e) => e === '*' || e === `${partition}:${brokerId}`)
}

/** The broker's two quotas (one broker per config object), made on first use. */
const quotas = new WeakMap<object, { leader: ReplicationQuota, follower: ReplicationQuota }>()

export function replicationQuotas (config: { int: (name: string) => number }): { leader: ReplicationQuota, follower: ReplicationQuota } {
  let q = quotas.get(config)
  if (q === undefined) {
    q = {
      leader: new ReplicationQuota(() => config.int('leader.replication.throttled.rate')),
      follower: new ReplicationQuota(() => config.int('follower.replication.throttled.rate'))
    }
    quotas.set(config, q)
  }
  return q
}
