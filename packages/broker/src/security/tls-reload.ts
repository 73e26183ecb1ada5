// Certificates replaced without a restart, as Kafka does on an AlterConfigs of a listener's
// keystore or truststore (listener.name.<l>.ssl.keystore.location and the rest of the per-listener
// ssl.* set): every dynamic config change re-reads each TLS listener's PEM files, so a new path,
// or the same path whose file was replaced, takes effect. A keystore that cannot be read or
// parsed refuses the AlterConfigs (check(), run before the change is kept) and the listener
// keeps serving what it had. New connections get the new certificate; established ones are not
// disturbed. Server options that are not part of a TLS context (ssl.client.auth) stay as they
// were at start. As in Kafka, a new certificate must name the same subject (distinguished name)
// and the same subject alternative names as the one served, unless the listener's
// ssl.allow.dn.changes / ssl.allow.san.changes allow it.
import { X509Certificate } from 'node:crypto'
import type { Logger } from '@brook/common'
import { ErrorCode } from '@brook/protocol'
import type { BrokerConfig } from '../config/broker-config.js'
import { KafkaError } from '../errors.js'
import type { Listener } from '../server/listener.js'
import { listenerTls, type ListenerTls } from './tls.js'

interface Served {
  listener: Listener
  tls: ListenerTls
}

export class TlsReloader {
  private readonly config: BrokerConfig
  private readonly logger: Logger
  private readonly served = new Map<string, Served>()

  constructor (config: BrokerConfig, logger: Logger) {
    this.config = config
    this.logger = logger
  }

  register (name: string, listener: Listener, tls: ListenerTls): void {
    this.served.set(name, { listener, tls })
  }

  /** Throws INVALID_CONFIG when a TLS listener's settings, as they now read, are unusable or name another identity. */
  check (): void {
    for (const [name, served] of this.served) {
      let next: ListenerTls
      try {
        next = listenerTls(this.config, name)
      } catch (err) {
        throw new KafkaError(ErrorCode.INVALID_CONFIG, `Validation of dynamic config update of SSLFactory failed: ${(err as Error).message}`)
      }
      const refusal = identityChange(served.tls, next, {
        dn: this.config.listenerSetting(name, 'ssl.allow.dn.changes')?.toLowerCase() === 'true',
        san: this.config.listenerSetting(name, 'ssl.allow.san.changes')?.toLowerCase() === 'true'
      })
      if (refusal !== null) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Validation of dynamic config update of SSLFactory failed: ${refusal}`)
    }
  }

  /** Swaps the context of every TLS listener whose key, certificates or trust anchors changed. */
  apply (): void {
    for (const [name, served] of this.served) {
      let next: ListenerTls
      try {
        next = listenerTls(this.config, name)
      } catch (err) {
        // check() refused such a change before it was kept; a file broken since is logged.
        this.logger.error({ err, listener: name }, 'TLS settings unusable: the listener keeps its certificate')
        continue
      }
      if (sameContext(served.tls, next)) continue
      served.listener.replaceTls(next)
      served.tls = next
      this.logger.info({ listener: name }, 'TLS keystore/truststore reloaded: new connections get the new certificate')
    }
  }
}

function sameContext (a: ListenerTls, b: ListenerTls): boolean {
  const text = (t: ListenerTls): string => JSON.stringify([t.options.cert, t.options.key, t.options.ca, t.options.ciphers, t.options.minVersion, t.options.maxVersion])
  return text(a) === text(b)
}

interface Identity {
  subject: string
  altNames: string[]
}

/** The served (leaf) certificate's subject and subject alternative names. */
function identityOf (tls: ListenerTls): Identity | null {
  const cert = tls.options.cert
  const pem = typeof cert === 'string' ? cert : null
  if (pem === null) return null
  const leaf = new X509Certificate(pem)
  const altNames = (leaf.subjectAltName ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '').sort()
  return { subject: leaf.subject.split('\n').join(','), altNames }
}

/** Why the new keystore may not replace the served one (Kafka's wording), or null. */
function identityChange (served: ListenerTls, next: ListenerTls, allow: { dn: boolean, san: boolean }): string | null {
  const was = identityOf(served)
  const now = identityOf(next)
  if (was === null || now === null) return null
  if (!allow.dn && was.subject !== now.subject) {
    return `Keystore DistinguishedName does not match: existing {${was.subject}}, new {${now.subject}} (set ssl.allow.dn.changes=true to allow it)`
  }
  if (!allow.san && was.altNames.join(', ') !== now.altNames.join(', ')) {
    return `Keystore SubjectAltNames do not match: existing {${was.altNames.join(', ')}}, new {${now.altNames.join(', ')}} (set ssl.allow.san.changes=true to allow it)`
  }
  return null
}
