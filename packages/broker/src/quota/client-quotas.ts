// Enforcement of the byte-rate quotas: the request pipeline reports the bytes of each Produce
// request and Fetch response, and gets back the throttle time (ms) for the client, which it
// writes into the response and mutes the connection for (Kafka's KIP-219 behaviour).
// Measured with a token bucket per quota entity (token-bucket.ts), not Kafka's sampled rate:
// the long-run average equals the quota, and a burst of one window is allowed.
import { ApiKey } from '@brook/protocol'
import { CONSUMER_BYTE_RATE, PRODUCER_BYTE_RATE } from './quota-entity.js'
import { resolveQuota } from './quota-resolution.js'
import type { ClientQuotaStore } from './quota-store.js'
import { TokenBucket } from './token-bucket.js'

export interface QuotaWindow {
  /** quota.window.size.seconds: the burst a bucket holds, in seconds of quota. */
  readonly windowSeconds: number
  /** quota.window.num × window size: the longest throttle Kafka gives. */
  readonly maxThrottleMs: number
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
   * Records one request's bytes against the client's quota; returns the throttle time in ms
   * (0: not throttled). `requestBytes` counts for Produce, `responseBytes` for Fetch.
   */
  record (apiKey: number, user: string, clientId: string, requestBytes: number, responseBytes: number, now: number): number {
    if (apiKey === ApiKey.Produce) return this.take(PRODUCER_BYTE_RATE, user, clientId, requestBytes, now)
    if (apiKey === ApiKey.Fetch) return this.take(CONSUMER_BYTE_RATE, user, clientId, responseBytes, now)
    return 0
  }

  private take (key: string, user: string, clientId: string, bytes: number, now: number): number {
    this.sweep(now)
    const quota = resolveQuota((e) => this.store.valuesOf(e), key, user, clientId)
    if (quota === null) return 0
    const { windowSeconds, maxThrottleMs } = this.window()
    const id = `${key}|${quota.bucket}`
    let bucket = this.buckets.get(id)
    if (bucket === undefined) {
      bucket = new TokenBucket(quota.value, windowSeconds, now)
      this.buckets.set(id, bucket)
    } else {
      bucket.retune(quota.value, windowSeconds)
    }
    return Math.min(maxThrottleMs, bucket.take(bytes, now))
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
