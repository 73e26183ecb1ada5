// Listener strings, as Kafka writes them: NAME://host:port, host may be empty (all interfaces)
// or a bracketed IPv6 address. The name maps to a security protocol through
// listener.security.protocol.map.
import { ConfigError } from './schema.js'

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const
export type SecurityProtocol = typeof SECURITY_PROTOCOLS[number]

export function isSecurityProtocol (text: string): text is SecurityProtocol {
  return (SECURITY_PROTOCOLS as readonly string[]).includes(text)
}

/** listener.name.<listener>.<config>: the listener name, then the config name. */
export const LISTENER_SETTING = /^listener\.name\.([A-Za-z0-9_-]+)\.(.+)$/

export interface Endpoint {
  name: string
  /** '' means every interface. */
  host: string
  port: number
}

const ENDPOINT = /^([A-Za-z0-9_-]+):\/\/(\[[^\]]*\]|[^:/]*):(-?\d+)$/

export function parseEndpoint (configName: string, text: string): Endpoint {
  const match = ENDPOINT.exec(text.trim())
  if (match === null) throw new ConfigError(configName, `Invalid value ${text} for configuration ${configName}: Unable to parse ${text} to a broker endpoint`)
  const port = Number(match[3])
  if (port < 0 || port > 65535) throw new ConfigError(configName, `Invalid port in ${configName}: ${text}`)
  const host = (match[2] ?? '').replace(/^\[|\]$/g, '')
  return { name: (match[1] ?? '').toUpperCase(), host, port }
}

export function parseProtocolMap (configName: string, text: string): Map<string, string> {
  const map = new Map<string, string>()
  for (const entry of text.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const [name, protocol] = entry.split(':')
    if (name === undefined || protocol === undefined || name === '' || protocol === '') {
      throw new ConfigError(configName, `Invalid value ${text} for configuration ${configName}`)
    }
    map.set(name.trim().toUpperCase(), protocol.trim().toUpperCase())
  }
  return map
}

/** host:port with IPv6 hosts bracketed, as tests and clients parse it. */
export function formatHostPort (host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}
