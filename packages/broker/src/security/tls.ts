// TLS settings of one listener from Kafka's ssl.* names (each may be given per listener as
// listener.name.<l>.ssl.*). Brook reads PEM only: ssl.keystore.type=PEM with either
// ssl.keystore.location (one file holding the private key and the certificate chain) or the
// inline ssl.keystore.certificate.chain and ssl.keystore.key; ssl.truststore.type=PEM with
// ssl.truststore.location or the inline ssl.truststore.certificates. Files are read when the
// listener starts.
import { readFileSync } from 'node:fs'
import type { SecureVersion, TlsOptions } from 'node:tls'
import type { BrokerConfig } from '../config/broker-config.js'
import { ConfigError } from '../config/schema.js'

export type ClientAuth = 'none' | 'requested' | 'required'

export interface ListenerTls {
  options: TlsOptions
  clientAuth: ClientAuth
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g

export function listenerTls (config: BrokerConfig, listener: string): ListenerTls {
  const get = (name: string): string | null => {
    const value = config.listenerSetting(listener, name)
    return value === null || value === '' ? null : value
  }
  const keystoreType = (get('ssl.keystore.type') ?? 'JKS').toUpperCase()
  const truststoreType = (get('ssl.truststore.type') ?? 'JKS').toUpperCase()
  const chainText = get('ssl.keystore.certificate.chain')
  const keyText = get('ssl.keystore.key')
  const keystoreFile = get('ssl.keystore.location')
  let certs: string[]
  let keys: string[]
  if (chainText !== null || keyText !== null) {
    if (chainText === null || keyText === null) throw new ConfigError('ssl.keystore.key', `Listener ${listener}: ssl.keystore.certificate.chain and ssl.keystore.key go together`)
    certs = blocks(chainText).filter((b) => b.type === 'CERTIFICATE').map((b) => b.text)
    keys = blocks(keyText).filter((b) => b.type.endsWith('PRIVATE KEY')).map((b) => b.text)
  } else if (keystoreFile !== null) {
    if (keystoreType !== 'PEM') throw new ConfigError('ssl.keystore.type', `Listener ${listener}: ssl.keystore.type ${keystoreType} is not supported; Brook reads PEM keystores`)
    const all = blocks(readPem('ssl.keystore.location', keystoreFile))
    certs = all.filter((b) => b.type === 'CERTIFICATE').map((b) => b.text)
    keys = all.filter((b) => b.type.endsWith('PRIVATE KEY')).map((b) => b.text)
  } else {
    throw new ConfigError('ssl.keystore.location', `Listener ${listener} uses TLS but has no keystore (ssl.keystore.location, or ssl.keystore.certificate.chain and ssl.keystore.key)`)
  }
  if (certs.length === 0) throw new ConfigError('ssl.keystore.location', `Listener ${listener}: the keystore holds no certificate`)
  if (keys.length !== 1) throw new ConfigError('ssl.keystore.location', `Listener ${listener}: the keystore must hold exactly one private key`)

  const trustText = get('ssl.truststore.certificates')
  const trustFile = get('ssl.truststore.location')
  let ca: string[] | undefined
  if (trustText !== null) ca = blocks(trustText).map((b) => b.text)
  else if (trustFile !== null) {
    if (truststoreType !== 'PEM') throw new ConfigError('ssl.truststore.type', `Listener ${listener}: ssl.truststore.type ${truststoreType} is not supported; Brook reads PEM truststores`)
    ca = blocks(readPem('ssl.truststore.location', trustFile)).filter((b) => b.type === 'CERTIFICATE').map((b) => b.text)
  }

  const clientAuth = (get('ssl.client.auth') ?? 'none').toLowerCase()
  if (clientAuth !== 'none' && clientAuth !== 'requested' && clientAuth !== 'required') {
    throw new ConfigError('ssl.client.auth', `Invalid value ${clientAuth} for configuration ssl.client.auth`)
  }
  if (clientAuth !== 'none' && ca === undefined) {
    throw new ConfigError('ssl.truststore.location', `Listener ${listener}: ssl.client.auth=${clientAuth} needs a truststore`)
  }
  const { minVersion, maxVersion } = versions(listener, get('ssl.enabled.protocols') ?? 'TLSv1.2,TLSv1.3')
  const ciphers = get('ssl.cipher.suites')
  const passphrase = get('ssl.key.password') ?? undefined
  const options: TlsOptions = {
    cert: certs.join('\n'),
    key: [{ pem: keys[0] as string, passphrase }],
    ca,
    minVersion,
    maxVersion,
    requestCert: clientAuth !== 'none',
    // 'requested' lets a client without a certificate in; one presenting an untrusted
    // certificate is cut after the handshake (server/listener.ts), as Kafka's engine refuses it.
    rejectUnauthorized: clientAuth === 'required'
  }
  if (ciphers !== null) options.ciphers = ciphers.split(',').map((c) => c.trim()).join(':')
  return { options, clientAuth }
}

function readPem (name: string, file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    throw new ConfigError(name, `cannot read ${name} ${file}: ${(err as Error).message}`)
  }
}

function blocks (text: string): Array<{ type: string, text: string }> {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({ type: m[1] as string, text: m[0] }))
}

const VERSION_ORDER: SecureVersion[] = ['TLSv1.2', 'TLSv1.3']

function versions (listener: string, list: string): { minVersion: SecureVersion, maxVersion: SecureVersion } {
  const enabled = list.split(',').map((v) => v.trim()).filter((v) => v !== '')
  const known = VERSION_ORDER.filter((v) => enabled.includes(v))
  if (known.length === 0) throw new ConfigError('ssl.enabled.protocols', `Listener ${listener}: ssl.enabled.protocols ${list} names neither TLSv1.2 nor TLSv1.3`)
  return { minVersion: known[0] as SecureVersion, maxVersion: known[known.length - 1] as SecureVersion }
}
