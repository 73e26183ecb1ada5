// The HTTP server's own settings, by their property names, read the same way from a broker's
// config (`brook start`) and from `brook http --config/--override`: http.listeners and the REST
// Proxy's consumer.instance.timeout.ms.
import { ConfigError } from '@brook/broker'
import type { StartHttpServerOptions } from './server.js'

/** The settings `brook http` reads; anything else in its file is reported as unknown. */
export const HTTP_SETTING_NAMES: readonly string[] = ['http.listeners', 'consumer.instance.timeout.ms']

export type HttpSettings = Pick<StartHttpServerOptions, 'listeners' | 'consumerInstanceTimeoutMs'>

/** `get` answers a setting's raw value (undefined or null when unset); `defaultListeners` applies when http.listeners is unset. */
export function httpSettingsFrom (get: (name: string) => string | null | undefined, defaultListeners: string): HttpSettings {
  const settings: HttpSettings = { listeners: get('http.listeners') ?? defaultListeners }
  const timeout = get('consumer.instance.timeout.ms')
  if (timeout !== null && timeout !== undefined) settings.consumerInstanceTimeoutMs = positiveInt('consumer.instance.timeout.ms', timeout)
  return settings
}

function positiveInt (name: string, value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isInteger(n) || n <= 0) throw new ConfigError(name, `${name} must be a positive integer, got ${value}`)
  return n
}
