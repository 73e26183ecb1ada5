// Connection creation rates (KIP-612), as Kafka enforces them:
//   max.connection.creation.rate, broker-wide, and listener.name.<l>.max.connection.creation.rate,
//   per listener: a new connection over the rate waits (nothing is read from it) until the rate
//   allows it, as Kafka's acceptor waits before accepting the next one;
//   the connection_creation_rate quota of an IP (its own, else the default IP's): a connection
//   over it is closed after the time the IP must wait, as Kafka closes throttled connections.
// Token buckets holding one quota window (quota.window.size.seconds) of connections.
import type { BrokerConfig } from '../config/broker-config.js'
import { TokenBucket } from './token-bucket.js'

const INT_MAX = 2147483647

export class ConnectionCreationRate {
  private readonly config: BrokerConfig
  private readonly buckets = new Map<string, TokenBucket>()

  constructor (config: BrokerConfig) {
    this.config = config
  }

  /** Counts a new connection on `listener`; returns how long (ms) it must wait before it is served. */
  admit (listener: string, now: number): number {
    const window = this.config.int('quota.window.size.seconds')
    const broker = this.take('broker', this.config.int('max.connection.creation.rate'), window, now)
    const own = Number(this.config.listenerSetting(listener, 'max.connection.creation.rate') ?? INT_MAX)
    const perListener = this.take(`listener:${listener}`, own, window, now)
    return Math.max(broker, perListener)
  }

  private take (id: string, rate: number, windowSeconds: number, now: number): number {
    if (!(rate > 0) || rate >= INT_MAX) {
      this.buckets.delete(id)
      return 0
    }
    let bucket = this.buckets.get(id)
    if (bucket === undefined) {
      bucket = new TokenBucket(rate, windowSeconds, now)
      this.buckets.set(id, bucket)
    } else {
      bucket.retune(rate, windowSeconds)
    }
    // The connection may go once the one before it has: the debt after taking it is its wait.
    return bucket.take(1, now)
  }
}
