// What one listener asks of its clients, read from config when the listener starts: its security
// protocol, TLS settings (SSL, SASL_SSL), the SASL mechanisms it offers with PLAIN's users
// (SASL_PLAINTEXT, SASL_SSL), and how a certificate becomes a principal.
import type { BrokerConfig } from '../config/broker-config.js'
import type { SecurityProtocol } from '../config/listeners.js'
import { ConfigError } from '../config/schema.js'
import { parseMappingRules, type MappingRule } from './principal.js'
import { parseJaas, plainUsers } from './sasl/jaas.js'
import type { ScramCredentialStore } from './scram-store.js'
import { listenerTls, type ListenerTls } from './tls.js'

export const SUPPORTED_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']

export interface SaslSettings {
  /** Enabled mechanisms, in the order sasl.enabled.mechanisms lists them. */
  mechanisms: string[]
  plainUsers: ReadonlyMap<string, string>
  scram: ScramCredentialStore
  /** connections.max.reauth.ms: 0 means sessions never expire. */
  reauthMs: number
  /** connection.failed.authentication.delay.ms */
  failedDelayMs: number
}

export interface ListenerSecurity {
  name: string
  protocol: SecurityProtocol
  tls: ListenerTls | null
  sasl: SaslSettings | null
  principalRules: MappingRule[]
}

export function listenerSecurity (config: BrokerConfig, listener: string, scram: ScramCredentialStore): ListenerSecurity {
  const protocol = config.securityProtocol(listener)
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL'
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL'
  const rules = parseMappingRules(config.listenerSetting(listener, 'ssl.principal.mapping.rules') ?? 'DEFAULT')
  return {
    name: listener,
    protocol,
    tls: usesTls ? listenerTls(config, listener) : null,
    sasl: usesSasl ? saslSettings(config, listener, scram) : null,
    principalRules: rules
  }
}

function saslSettings (config: BrokerConfig, listener: string, scram: ScramCredentialStore): SaslSettings {
  const mechanisms = (config.listenerSetting(listener, 'sasl.enabled.mechanisms') ?? '')
    .split(',').map((m) => m.trim().toUpperCase()).filter((m) => m !== '')
  if (mechanisms.length === 0) throw new ConfigError('sasl.enabled.mechanisms', `Listener ${listener}: no SASL mechanism enabled`)
  for (const m of mechanisms) {
    if (!SUPPORTED_MECHANISMS.includes(m)) {
      throw new ConfigError('sasl.enabled.mechanisms', `Listener ${listener}: SASL mechanism ${m} is not supported by Brook (supported: ${SUPPORTED_MECHANISMS.join(', ')})`)
    }
  }
  let users = new Map<string, string>()
  if (mechanisms.includes('PLAIN')) {
    const name = `listener.name.${listener.toLowerCase()}.plain.sasl.jaas.config`
    const jaas = config.listenerOverrides.get(name)
    if (jaas === undefined) throw new ConfigError(name, `Listener ${listener} enables PLAIN but ${name} is not set`)
    try {
      users = plainUsers(parseJaas(jaas))
    } catch (err) {
      throw new ConfigError(name, `${name}: ${(err as Error).message}`)
    }
  }
  const reauth = Number(config.listenerSetting(listener, 'connections.max.reauth.ms') ?? '0')
  return {
    mechanisms,
    plainUsers: users,
    scram,
    reauthMs: Number.isFinite(reauth) && reauth > 0 ? reauth : 0,
    failedDelayMs: config.int('connection.failed.authentication.delay.ms')
  }
}
