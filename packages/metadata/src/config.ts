// The metadata store's settings, under Kafka-like names. Without etcd.endpoints the broker keeps
// its metadata in the embedded single-node store: no extra process, nothing to configure.
//
// Leases: etcd lease TTLs are whole seconds, so broker.session.timeout.ms is rounded UP to the
// next second (a broker is never dropped earlier than configured). etcd also raises any TTL below
// its own minimum, 1.5 x its election timeout rounded up to a second (2 s with etcd's defaults).
// Brook's defaults are shorter than Kafka's (9 s session, 2 s heartbeat) because failover time is
// bounded by the session timeout: 2 s with a heartbeat every 500 ms, the shortest TTL an etcd with
// default settings grants.

export const DEFAULT_ETCD_PREFIX = '/brook'
export const DEFAULT_SESSION_TIMEOUT_MS = 2000
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 500
/** Deadline of one call to etcd; not a broker setting (yet). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000
/** How long a start keeps trying to reach etcd (Kafka's zookeeper.connection.timeout.ms default). */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 18000

export interface MetadataConfig {
  /** etcd client URLs; empty means the embedded store. */
  readonly endpoints: readonly string[]
  readonly prefix: string
  readonly sessionTimeoutMs: number
  readonly heartbeatIntervalMs: number
  readonly requestTimeoutMs: number
  /** How long opening the store keeps trying an etcd that does not answer (etcd.connection.timeout.ms). */
  readonly connectionTimeoutMs: number
}

export class MetadataConfigError extends Error {
  constructor (key: string, message: string) {
    super(`${key}: ${message}`)
    this.name = 'MetadataConfigError'
  }
}

/** etcd's lease TTL for a session timeout: whole seconds, rounded up, at least 1. */
export function leaseTtlSeconds (sessionTimeoutMs: number): number {
  return Math.max(1, Math.ceil(sessionTimeoutMs / 1000))
}

function positiveInt (props: Readonly<Record<string, string | undefined>>, key: string, fallback: number): number {
  const text = props[key]
  if (text === undefined || text.trim() === '') return fallback
  const value = Number(text.trim())
  if (!Number.isSafeInteger(value) || value <= 0) throw new MetadataConfigError(key, `expected a positive integer, got ${JSON.stringify(text)}`)
  return value
}

/** "host:port" or "http(s)://host:port", comma-separated, to client URLs. */
export function parseEndpoints (text: string | undefined): string[] {
  if (text === undefined) return []
  const urls: string[] = []
  for (const raw of text.split(',')) {
    const item = raw.trim()
    if (item === '') continue
    const url = /^[a-z]+:\/\//i.test(item) ? item : `http://${item}`
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch (err) {
      throw new MetadataConfigError('etcd.endpoints', `not an endpoint: ${JSON.stringify(item)} (${(err as Error).message})`)
    }
    if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.port === '') {
      throw new MetadataConfigError('etcd.endpoints', `expected host:port or http://host:port, got ${JSON.stringify(item)}`)
    }
    urls.push(`${parsed.protocol}//${parsed.host}`)
  }
  return urls
}

/** Reads the metadata settings out of a broker's properties. */
export function metadataConfigFrom (props: Readonly<Record<string, string | undefined>>): MetadataConfig {
  const prefix = (props['etcd.prefix'] ?? DEFAULT_ETCD_PREFIX).trim()
  if (!prefix.startsWith('/') || prefix.replace(/\/+$/, '') === '') {
    throw new MetadataConfigError('etcd.prefix', `expected a path such as "/brook", got ${JSON.stringify(prefix)}`)
  }
  const sessionTimeoutMs = positiveInt(props, 'broker.session.timeout.ms', DEFAULT_SESSION_TIMEOUT_MS)
  const heartbeatIntervalMs = positiveInt(props, 'broker.heartbeat.interval.ms', DEFAULT_HEARTBEAT_INTERVAL_MS)
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    throw new MetadataConfigError('broker.heartbeat.interval.ms',
      `must be below broker.session.timeout.ms (${heartbeatIntervalMs} >= ${sessionTimeoutMs})`)
  }
  return {
    endpoints: parseEndpoints(props['etcd.endpoints']),
    prefix,
    sessionTimeoutMs,
    heartbeatIntervalMs,
    requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
    connectionTimeoutMs: positiveInt(props, 'etcd.connection.timeout.ms', DEFAULT_CONNECTION_TIMEOUT_MS)
  }
}
