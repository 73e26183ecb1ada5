// How this broker reaches the others in cluster mode (replica fetchers, transaction markers), as
// Kafka configures it: over inter.broker.listener.name (else the listener named by
// security.inter.broker.protocol when that is set, else the first listener), with that listener's
// security protocol. TLS uses the listener's own ssl.* settings: its truststore to check the
// peer (and the peer's host name unless ssl.endpoint.identification.algorithm is empty), its
// keystore as the client certificate for mutual TLS. SASL uses sasl.mechanism.inter.broker.protocol
// with the username and password of the listener's JAAS config for that mechanism
// (listener.name.<l>.<mechanism>.sasl.jaas.config, the only place a Kafka broker takes its own
// JAAS settings from). Read on every new
// connection, so reloaded certificates and changed credentials apply from the next one.
import { isIP } from 'node:net'
import type { ConnectionOptions } from 'node:tls'
import type { ClientOptions } from '@brook/client'
import type { BrokerConfig } from '../config/broker-config.js'
import type { SecurityProtocol } from '../config/listeners.js'
import { ConfigError } from '../config/schema.js'
import { parseJaas } from './sasl/jaas.js'
import { listenerTls } from './tls.js'

type PeerMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'

export interface PeerCredentials {
  mechanism: PeerMechanism
  username: string
  password: string
}

export interface PeerSecurity {
  listener: string
  protocol: SecurityProtocol
  /** node:tls options for the connection; null for PLAINTEXT and SASL_PLAINTEXT. */
  tls: ((host: string) => ConnectionOptions) | null
  sasl: PeerCredentials | null
}

/** The name of the listener brokers use to reach each other. */
export function interBrokerListenerName (config: BrokerConfig): string {
  const named = config.string('inter.broker.listener.name')
  if (named !== null && named !== '') return named.toUpperCase()
  if (config.isSet('security.inter.broker.protocol')) return (config.string('security.inter.broker.protocol') ?? '').toUpperCase()
  return config.brokerListeners[0]?.name ?? 'PLAINTEXT'
}

/** Throws ConfigError when the inter-broker listener's client side cannot be set up. */
export function interBrokerSecurity (config: BrokerConfig): PeerSecurity {
  const listener = interBrokerListenerName(config)
  if (!config.brokerListeners.some((l) => l.name === listener)) {
    throw new ConfigError('security.inter.broker.protocol', `The inter-broker listener ${listener} is not one of the listeners (${config.brokerListeners.map((l) => l.name).join(', ')})`)
  }
  const protocol = config.securityProtocol(listener)
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL'
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL'
  return {
    listener,
    protocol,
    tls: usesTls ? tlsClientOptions(config, listener) : null,
    sasl: usesSasl ? credentials(config, listener) : null
  }
}

function tlsClientOptions (config: BrokerConfig, listener: string): (host: string) => ConnectionOptions {
  const { options } = listenerTls(config, listener)
  const verifyHost = (config.listenerSetting(listener, 'ssl.endpoint.identification.algorithm') ?? 'https') !== ''
  return (host) => ({
    cert: options.cert,
    key: options.key,
    ca: options.ca,
    minVersion: options.minVersion,
    maxVersion: options.maxVersion,
    ciphers: options.ciphers,
    servername: isIP(host) === 0 ? host : undefined,
    rejectUnauthorized: true,
    ...(verifyHost ? {} : { checkServerIdentity: () => undefined })
  })
}

const MECHANISMS: readonly PeerMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']

function credentials (config: BrokerConfig, listener: string): PeerCredentials {
  const mechanism = (config.string('sasl.mechanism.inter.broker.protocol') ?? '').toUpperCase()
  if (!MECHANISMS.includes(mechanism as PeerMechanism)) {
    throw new ConfigError('sasl.mechanism.inter.broker.protocol', `Inter-broker listener ${listener} uses SASL, and sasl.mechanism.inter.broker.protocol=${mechanism} is not one Brook supports (${MECHANISMS.join(', ')})`)
  }
  const ownName = `listener.name.${listener.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config`
  const text = config.listenerSetting(listener, `${mechanism.toLowerCase()}.sasl.jaas.config`)
  if (text === null || text === '') throw new ConfigError(ownName, `Inter-broker listener ${listener} uses SASL/${mechanism} but ${ownName} is not set`)
  let options: Map<string, string>
  try {
    options = parseJaas(text).options
  } catch (err) {
    throw new ConfigError(ownName, `${ownName}: ${(err as Error).message}`)
  }
  const username = options.get('username')
  const password = options.get('password')
  if (username === undefined || password === undefined) {
    throw new ConfigError(ownName, `${ownName} must hold username and password: the credentials this broker logs in with on the others`)
  }
  return { mechanism: mechanism as PeerMechanism, username, password }
}

/** The same settings for Brook's own client (the exchange routers' producers in cluster mode). */
export function interBrokerClientOptions (security: PeerSecurity, host: string): Pick<ClientOptions, 'tls' | 'sasl'> {
  return {
    ...(security.tls === null ? {} : { tls: security.tls(host) }),
    ...(security.sasl === null ? {} : { sasl: { ...security.sasl } })
  }
}
