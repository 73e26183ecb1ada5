// Where the CLI finds its cluster and how it talks to it. Precedence: -b/--bootstrap-server, then
// BROOK_BOOTSTRAP_SERVER, then bootstrap.servers in the client properties file
// (--command-config or BROOK_CLIENT_CONFIG), then 127.0.0.1:9092. The file takes Kafka's client
// settings (Java names and librdkafka names for the same thing both work).
import { readFileSync } from 'node:fs'
import type { ConnectionOptions as TlsOptions } from 'node:tls'
import type { ClientOptions, SaslOptions } from '@brook/client'
import { parseProperties } from './properties.js'
import { UsageError } from '../errors.js'

export const BOOTSTRAP_ENV = 'BROOK_BOOTSTRAP_SERVER'
export const CLIENT_CONFIG_ENV = 'BROOK_CLIENT_CONFIG'
const DEFAULT_BOOTSTRAP = '127.0.0.1:9092'

export interface ConnectionFlags {
  bootstrapServer?: string
  commandConfig?: string
  clientId?: string
}

const KNOWN = new Set([
  'bootstrap.servers', 'client.id', 'security.protocol', 'request.timeout.ms', 'socket.connection.setup.timeout.ms',
  'ssl.ca.location', 'ssl.truststore.location', 'ssl.truststore.type', 'ssl.certificate.location', 'ssl.key.location',
  'ssl.keystore.location', 'ssl.keystore.type', 'ssl.key.password', 'ssl.endpoint.identification.algorithm',
  'sasl.mechanism', 'sasl.mechanisms', 'sasl.username', 'sasl.password', 'sasl.jaas.config'
])

export function clientOptionsFrom (flags: ConnectionFlags, env: NodeJS.ProcessEnv, warn: (line: string) => void): ClientOptions {
  const file = flags.commandConfig ?? nonEmpty(env[CLIENT_CONFIG_ENV])
  const props = file === undefined ? new Map<string, string>() : readProperties(file)
  for (const key of props.keys()) if (!KNOWN.has(key)) warn(`brook: ${file ?? ''}: ignoring ${key}, not a setting the brook CLI uses`)
  const bootstrap = flags.bootstrapServer ?? nonEmpty(env[BOOTSTRAP_ENV]) ?? props.get('bootstrap.servers') ?? DEFAULT_BOOTSTRAP
  const brokers = bootstrap.split(',').map((s) => s.trim()).filter((s) => s !== '')
  for (const b of brokers) if (!/^.+:\d+$/.test(b)) throw new UsageError(`bootstrap server ${JSON.stringify(b)} is not host:port`)
  const options: ClientOptions = {
    brokers,
    clientId: flags.clientId ?? props.get('client.id') ?? 'brook-cli',
    // A person is waiting: give up on an unreachable cluster in seconds, not minutes.
    connectTimeoutMs: intProp(props, 'socket.connection.setup.timeout.ms') ?? 5_000,
    requestTimeoutMs: intProp(props, 'request.timeout.ms') ?? 30_000,
    retry: { retries: 3, initialRetryTimeMs: 100, maxRetryTimeMs: 1_000 }
  }
  const protocol = (props.get('security.protocol') ?? 'PLAINTEXT').toUpperCase()
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) throw new UsageError(`security.protocol ${protocol} is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL`)
  if (protocol === 'SSL' || protocol === 'SASL_SSL') options.tls = tlsOptions(props)
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') options.sasl = saslOptions(props)
  return options
}

function nonEmpty (value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}

function readProperties (file: string): Map<string, string> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new UsageError(`cannot read the client config file ${file}: ${(err as Error).message}`)
  }
  return parseProperties(text)
}

function intProp (props: Map<string, string>, key: string): number | undefined {
  const value = props.get(key)
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${key} must be a positive integer, got ${value}`)
  return n
}

function readPem (props: Map<string, string>, key: string): Buffer {
  const file = props.get(key)!
  try {
    return readFileSync(file)
  } catch (err) {
    throw new UsageError(`${key}: cannot read ${file}: ${(err as Error).message}`)
  }
}

function tlsOptions (props: Map<string, string>): TlsOptions {
  const tls: TlsOptions = {}
  for (const key of ['ssl.truststore.type', 'ssl.keystore.type']) {
    const type = props.get(key)
    if (type !== undefined && type.toUpperCase() !== 'PEM') throw new UsageError(`${key}=${type}: the brook CLI reads PEM files only`)
  }
  const caKey = props.has('ssl.ca.location') ? 'ssl.ca.location' : props.has('ssl.truststore.location') ? 'ssl.truststore.location' : null
  if (caKey !== null) tls.ca = readPem(props, caKey)
  if (props.has('ssl.certificate.location')) tls.cert = readPem(props, 'ssl.certificate.location')
  if (props.has('ssl.key.location')) tls.key = readPem(props, 'ssl.key.location')
  // A PEM keystore holds the certificate chain and the key in one file.
  if (props.has('ssl.keystore.location')) {
    const pem = readPem(props, 'ssl.keystore.location')
    tls.cert ??= pem
    tls.key ??= pem
  }
  const password = props.get('ssl.key.password')
  if (password !== undefined) tls.passphrase = password
  // Kafka's way to turn host name checking off: an empty endpoint identification algorithm.
  if (props.get('ssl.endpoint.identification.algorithm') === '') tls.checkServerIdentity = () => undefined
  return tls
}

function saslOptions (props: Map<string, string>): SaslOptions {
  const mechanism = (props.get('sasl.mechanism') ?? props.get('sasl.mechanisms') ?? 'PLAIN').toUpperCase()
  const jaas = props.get('sasl.jaas.config') ?? ''
  const fromJaas = (field: string): string | undefined => new RegExp(`${field}\\s*=\\s*"((?:\\\\.|[^"\\\\])*)"`).exec(jaas)?.[1]?.replace(/\\(.)/g, '$1')
  const username = props.get('sasl.username') ?? fromJaas('username')
  const password = props.get('sasl.password') ?? fromJaas('password')
  if (username === undefined || password === undefined) throw new UsageError('SASL needs sasl.username and sasl.password (or a sasl.jaas.config with username="..." password="...")')
  if (mechanism !== 'PLAIN' && mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-512') throw new UsageError(`sasl.mechanism ${mechanism} is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512`)
  return { mechanism, username, password }
}
