// Broker-wide connection limits: max.connections and max.connections.per.ip (with
// max.connections.per.ip.overrides, "host:count,host:count"). Read on every new connection, so
// dynamic changes apply to the next one. A connection over a limit is refused; the ones already
// open are untouched.
import type { BrokerConfig } from '../config/broker-config.js'

export class ConnectionLimits {
  private readonly config: BrokerConfig
  private readonly perIp = new Map<string, number>()
  private total = 0

  constructor (config: BrokerConfig) {
    this.config = config
  }

  /** Counts the connection in, or returns why it is refused (then it is not counted). */
  admit (address: string | undefined): string | null {
    const ip = normalizeAddress(address)
    const max = this.config.int('max.connections')
    if (this.total >= max) return `max.connections (${max}) reached`
    const limit = this.limitFor(ip)
    const open = this.perIp.get(ip) ?? 0
    if (open >= limit) return `too many connections from ${ip} (max ${limit})`
    this.total++
    this.perIp.set(ip, open + 1)
    return null
  }

  /** A counted connection closed. */
  release (address: string | undefined): void {
    const ip = normalizeAddress(address)
    this.total--
    const open = (this.perIp.get(ip) ?? 1) - 1
    if (open <= 0) this.perIp.delete(ip)
    else this.perIp.set(ip, open)
  }

  private limitFor (ip: string): number {
    const overrides = this.config.string('max.connections.per.ip.overrides') ?? ''
    for (const entry of overrides.split(',')) {
      const at = entry.lastIndexOf(':')
      if (at <= 0) continue
      if (normalizeAddress(entry.slice(0, at).trim()) === ip) {
        const n = Number(entry.slice(at + 1).trim())
        if (Number.isInteger(n) && n >= 0) return n
      }
    }
    return this.config.int('max.connections.per.ip')
  }
}

/** IPv4 clients on a dual-stack socket show as ::ffff:a.b.c.d. */
export function normalizeAddress (address: string | undefined): string {
  const a = address ?? '?'
  return a.startsWith('::ffff:') ? a.slice(7) : a
}
