// Enforcement of the client quotas. The request pipeline reports what each request used and gets
// back the throttle time (ms) for the client, which it writes into the response and mutes the
// connection for (Kafka's KIP-219 behaviour):
//   producer_byte_rate   the bytes of each Produce request;
//   consumer_byte_rate   the bytes of each Fetch response;
//   request_percentage   the time the broker spent on the request (RequestUsage.busyMs), as a
//                        percentage of one thread's time: 100 is one thread, 200 two;
//   controller_mutation_rate  partitions created or deleted per second (mutation-quota.ts);
//   connection_creation_rate  new connections per second from one IP (connection-rate.ts).
// Measured with a token bucket per quota entity (token-bucket.ts), not Kafka's sampled rate: the
// long-run average equals the quota, and a burst of one window is allowed.
import { ApiKey } from '@brook/protocol'
import { CONNECTION_CREATION_RATE, CONSUMER_BYTE_RATE, CONTROLLER_MUTATION_RATE, IP, PRODUCER_BYTE_RATE, REQUEST_PERCENTAGE } from './quota-entity.js'
import { resolveQuota } from './quota-resolution.js'
import type { ClientQuotaStore } from '@brook/metadata'
import { TokenBucket } from './token-bucket.js'
import { MutationQuota } from './mutation-quota.js'

export interface QuotaWindow {
  /** quota.window.size.seconds: the burst a bucket holds, in seconds of quota. */
  readonly windowSeconds: number
  /** quota.window.num × window size: the longest throttle Kafka gives. */
  readonly maxThrottleMs: number
  /** controller.quota.window.num × controller.quota.window.size.seconds: the mutation burst. */
  readonly mutationBurstSeconds: number
}

/** What one request used, as the pipeline measured it. */
export interface RequestUsage {
  readonly apiKey: number
  readonly user: string
  readonly clientId: string
  readonly requestBytes: number
  readonly responseBytes: number
  /** Time the broker spent on the request (decode, handler's own work, encode), ms. */
  readonly busyMs: number
  /** Exempt from request_percentage (ApiVersions, follower fetches), as Kafka exempts them. */
  readonly exempt: boolean
}

/** Buckets unused this long are dropped (they would be full again by then anyway). */
const IDLE_BUCKET_MS = 60_000

export class ClientQuotas {
  readonly store: ClientQuotaStore
  private readonly window: () => QuotaWindow
  private readonly buckets = new Map<string, TokenBucket>()
  private lastSweep = 0

  constructor (store: ClientQuotaStore, window: () => QuotaWindow) {
    this.store = store
    this.window = window
  }

  /**
   * Records one request against the client's quotas; returns the throttle time in ms (0: not
   * throttled): the longest any of its quotas asks for, as Kafka takes the larger of the
   * bandwidth and request-time throttles.
   */
  record (usage: RequestUsage, now: number): number {
    const { apiKey, user, clientId } = usage
    let bytes = 0
    if (apiKey === ApiKey.Produce) bytes = this.take(PRODUCER_BYTE_RATE, user, clientId, usage.requestBytes, 1, now)
    else if (apiKey === ApiKey.Fetch) bytes = this.take(CONSUMER_BYTE_RATE, user, clientId, usage.responseBytes, 1, now)
    // request_percentage: a percentage of one thread's time, so 1 % is 10 ms of work per second.
    const time = usage.exempt ? 0 : this.take(REQUEST_PERCENTAGE, user, clientId, usage.busyMs, 10, now)
    const throttle = Math.max(bytes, time)
    return throttle === 0 ? 0 : Math.min(this.window().maxThrottleMs, throttle)
  }

  /**
   * The controller_mutation_rate budget of one CreateTopics, CreatePartitions or DeleteTopics
   * request; null when the client has no such quota. `strict`: the request version can carry
   * THROTTLING_QUOTA_EXCEEDED (KIP-599), so a client over its quota is refused, not just slowed.
   */
  mutations (user: string, clientId: string, strict: boolean, now: number): MutationQuota | null {
    this.sweep(now)
    if (!this.store.hasKey(CONTROLLER_MUTATION_RATE)) return null
    const quota = resolveQuota((e) => this.store.valuesOf(e), CONTROLLER_MUTATION_RATE, user, clientId)
    if (quota === null) return null
    const bucket = this.bucket(`${CONTROLLER_MUTATION_RATE}|${quota.bucket}`, quota.value, this.window().mutationBurstSeconds, now)
    return new MutationQuota(bucket, strict)
  }

  /**
   * A new connection from `ip` against its connection_creation_rate (the IP's own quota, else
   * the default IP quota): 0 to accept it (counted), else the ms until the IP may connect again
   * (not counted, as Kafka does not count the connections it throttles).
   */
  connectionFrom (ip: string, now: number): number {
    this.sweep(now)
    if (!this.store.hasKey(CONNECTION_CREATION_RATE)) return 0
    const rate = this.store.valuesOf(new Map([[IP, ip]])).get(CONNECTION_CREATION_RATE) ??
      this.store.valuesOf(new Map([[IP, null]])).get(CONNECTION_CREATION_RATE)
    if (rate === undefined) return 0
    const bucket = this.bucket(`${CONNECTION_CREATION_RATE}|${ip}`, rate, this.window().windowSeconds, now)
    const wait = bucket.waitForMs(1, now)
    if (wait === 0) bucket.take(1, now)
    return Math.min(this.window().maxThrottleMs, wait)
  }

  /** Takes `amount` from the client's bucket for `key`; `perUnit` scales the quota to a rate. */
  private take (key: string, user: string, clientId: string, amount: number, perUnit: number, now: number): number {
    // Most keys are set for no one: every request asks, so that answer must be cheap.
    if (!this.store.hasKey(key)) return 0
    this.sweep(now)
    const quota = resolveQuota((e) => this.store.valuesOf(e), key, user, clientId)
    if (quota === null) return 0
    return this.bucket(`${key}|${quota.bucket}`, quota.value * perUnit, this.window().windowSeconds, now).take(amount, now)
  }

  private bucket (id: string, rate: number, burstSeconds: number, now: number): TokenBucket {
    let bucket = this.buckets.get(id)
    if (bucket === undefined) {
      bucket = new TokenBucket(rate, burstSeconds, now)
      this.buckets.set(id, bucket)
    } else {
      bucket.retune(rate, burstSeconds)
    }
    return bucket
  }

  private sweep (now: number): void {
    if (now - this.lastSweep < IDLE_BUCKET_MS) return
    this.lastSweep = now
    for (const [id, bucket] of this.buckets) if (now - bucket.lastUsed > IDLE_BUCKET_MS) this.buckets.delete(id)
  }

  async close (): Promise<void> {
    await this.store.close()
  }
}
