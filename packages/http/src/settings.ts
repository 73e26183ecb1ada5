// The HTTP server's own settings, by their property names, read the same way from a broker's
// config (`brook start`) and from `brook http --config/--override`: http.listeners, the REST
// Proxy's consumer.instance.timeout.ms, http.ssl.* (https:// listeners) and http.authentication.*
// (Basic authentication).
import { readFileSync } from 'node:fs'
import { ConfigError } from '@brook/broker'
import type { HttpAuthentication } from './auth/authenticate.js'
import type { SaslMechanism } from './auth/principals.js'
import type { StartHttpServerOptions } from './server.js'

/** The settings `brook http` reads; anything else in its file is reported as unknown. */
export const HTTP_SETTING_NAMES: readonly string[] = [
  'http.listeners', 'consumer.instance.timeout.ms', 'http.authentication.method', 'http.authentication.realm',
  'http.authentication.sasl.mechanism', 'http.authentication.skip.paths', 'http.authentication.client.idle.timeout.ms',
  'http.ssl.keystore.location', 'http.ssl.key.password'
]

export type HttpSettings = Pick<StartHttpServerOptions, 'listeners' | 'consumerInstanceTimeoutMs' | 'authentication' | 'tls'>

const MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']

/** `get` answers a setting's raw value (undefined or null when unset); `defaultListeners` applies when http.listeners is unset. */
export function httpSettingsFrom (get: (name: string) => string | null | undefined, defaultListeners: string): HttpSettings {
  const value = (name: string): string | undefined => get(name) ?? undefined
  const settings: HttpSettings = { listeners: value('http.listeners') ?? defaultListeners }
  const timeout = value('consumer.instance.timeout.ms')
  if (timeout !== undefined) settings.consumerInstanceTimeoutMs = positiveInt('consumer.instance.timeout.ms', timeout)
  const keystore = value('http.ssl.keystore.location')
  if (keystore !== undefined && keystore !== '') {
    let pem: Buffer
    try {
      pem = readFileSync(keystore)
    } catch (err) {
      throw new ConfigError('http.ssl.keystore.location', `http.ssl.keystore.location: cannot read ${keystore}: ${(err as Error).message}`)
    }
    // A PEM keystore, as Kafka's ssl.keystore.type=PEM: the certificate chain and the key in one file.
    const password = value('http.ssl.key.password')
    settings.tls = { cert: pem, key: pem, ...(password === undefined || password === '' ? {} : { passphrase: password }) }
  }
  const method = (value('http.authentication.method') ?? 'NONE').toUpperCase()
  if (method !== 'NONE' && method !== 'BASIC') throw new ConfigError('http.authentication.method', `http.authentication.method must be NONE or BASIC, got ${method}`)
  if (method === 'BASIC') {
    const mechanism = (value('http.authentication.sasl.mechanism') ?? 'PLAIN').toUpperCase()
    if (!(MECHANISMS as readonly string[]).includes(mechanism)) throw new ConfigError('http.authentication.sasl.mechanism', `http.authentication.sasl.mechanism must be one of ${MECHANISMS.join(', ')}, got ${mechanism}`)
    const authentication: HttpAuthentication = {
      method: 'BASIC',
      realm: value('http.authentication.realm') ?? 'Brook',
      mechanism: mechanism as SaslMechanism,
      clientIdleTimeoutMs: positiveInt('http.authentication.client.idle.timeout.ms', value('http.authentication.client.idle.timeout.ms') ?? '300000'),
      skipPaths: (value('http.authentication.skip.paths') ?? '/healthz,/readyz,/metrics').split(',').map((p) => p.trim()).filter((p) => p !== '')
    }
    settings.authentication = authentication
  }
  return settings
}

function positiveInt (name: string, value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isInteger(n) || n <= 0) throw new ConfigError(name, `${name} must be a positive integer, got ${value}`)
  return n
}
