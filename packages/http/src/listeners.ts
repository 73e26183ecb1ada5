// http.listeners: comma-separated http://host:port or https://host:port entries (port 0: a free port).
import { ConfigError } from '@brook/broker'

export interface HttpEndpoint { host: string, port: number, tls: boolean }

export function parseHttpListeners (value: string | readonly string[]): HttpEndpoint[] {
  const entries = (typeof value === 'string' ? value.split(',') : [...value]).map((s) => s.trim()).filter((s) => s !== '')
  return entries.map((entry) => {
    let url: URL
    try {
      url = new URL(entry)
    } catch {
      throw new ConfigError('http.listeners', `${entry} is not an http://host:port or https://host:port address`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('http.listeners', `${entry}: only http:// and https:// listeners are served`)
    if (url.pathname !== '/' && url.pathname !== '') throw new ConfigError('http.listeners', `${entry}: a listener has no path`)
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
    const tls = url.protocol === 'https:'
    const port = url.port === '' ? (tls ? 443 : 80) : Number(url.port)
    return { host: host === '' ? '0.0.0.0' : host, port, tls }
  })
}
