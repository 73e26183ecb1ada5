// The security state of one connection, with Kafka's SASL server state machine
// (SaslServerAuthenticator):
//   before the handshake   ApiVersions and SaslHandshake only
//   after SaslHandshake v1 SaslAuthenticate only, until the mechanism is done
//   after SaslHandshake v0 raw tokens (size-prefixed, no request header) until done
//   authenticated          everything; with connections.max.reauth.ms the session expires and
//                          the client re-authenticates (KIP-368) with SaslHandshake again
// Anything else closes the connection, as Kafka does. A failed authentication is logged (never
// the secret), answered after connection.failed.authentication.delay.ms, and the connection
// closed.
import { setTimeout as sleep } from 'node:timers/promises'
import { ApiKey, ErrorCode, type SaslHandshakeResponse } from '@brook/protocol'
import type { Logger } from '@brook/common'
import type { ListenerSecurity, SaslSettings } from './listener-security.js'
import { ANONYMOUS, formatPrincipal, type Principal } from './principal.js'
import { SaslFailure, type SaslServer } from './sasl/mechanism.js'
import { PlainServer } from './sasl/plain.js'
import { ScramServer } from './sasl/scram.js'
import type { ScramMechanism } from './sasl/scram-crypto.js'

type SaslState = 'handshake' | 'authenticate' | 'raw-token' | 'done' | 'failed'

export type AuthenticateResult =
  | { ok: true, response: Buffer, complete: boolean, sessionLifetimeMs: number }
  | { ok: false, message: string }

export class Session {
  readonly security: ListenerSecurity
  principal: Principal
  private readonly logger: Logger
  private state: SaslState
  private server: SaslServer | null = null
  private expiresAtMs: number | null = null
  /** The principal before a re-authentication began: it may not change. */
  private previous: Principal | null = null
  private closeRequested = false

  constructor (security: ListenerSecurity, logger: Logger, principal: Principal = ANONYMOUS) {
    this.security = security
    this.logger = logger
    this.principal = principal
    this.state = security.sasl === null ? 'done' : 'handshake'
  }

  get sasl (): SaslSettings | null {
    return this.security.sasl
  }

  get authenticated (): boolean {
    return this.state === 'done'
  }

  /** True while the next frames are raw SASL tokens (after a v0 handshake). */
  get expectsRawToken (): boolean {
    return this.state === 'raw-token'
  }

  /** True once: the response being written must be the connection's last. */
  takeCloseRequest (): boolean {
    const requested = this.closeRequested
    this.closeRequested = false
    return requested
  }

  /** Null when a request with this api key may run now; else why the connection closes. */
  admit (apiKey: number, nowMs: number): string | null {
    if (this.state === 'done') {
      if (this.expiresAtMs !== null && nowMs > this.expiresAtMs && apiKey !== ApiKey.SaslHandshake) {
        return 'session expired: the client did not re-authenticate within connections.max.reauth.ms'
      }
      return null
    }
    if (this.state === 'handshake' && (apiKey === ApiKey.ApiVersions || apiKey === ApiKey.SaslHandshake)) return null
    if (this.state === 'authenticate' && apiKey === ApiKey.SaslAuthenticate) return null
    return `unexpected request (api key ${apiKey}) during SASL ${this.state === 'failed' ? 'after a failed authentication' : this.state}`
  }

  handshake (version: number, mechanism: string): SaslHandshakeResponse {
    const sasl = this.security.sasl
    if (sasl === null) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }
    if (this.state === 'done') {
      // Re-authentication (KIP-368) only where sessions expire; otherwise Kafka's answer.
      if (this.expiresAtMs === null) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }
      this.previous = this.principal
    } else if (this.state !== 'handshake') {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }
    }
    const name = mechanism.toUpperCase()
    if (!sasl.mechanisms.includes(name) || (this.previous !== null && this.server?.mechanism !== name)) {
      this.logger.info({ mechanism }, 'SASL handshake refused: mechanism not enabled')
      this.state = 'failed'
      this.closeRequested = true
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: sasl.mechanisms }
    }
    this.server = name === 'PLAIN' ? new PlainServer(sasl.plainUsers) : new ScramServer(name as ScramMechanism, (user, m) => sasl.scram.get(user, m))
    this.state = version === 0 ? 'raw-token' : 'authenticate'
    return { errorCode: ErrorCode.NONE, mechanisms: sasl.mechanisms }
  }

  /** One SaslAuthenticate (or v0 raw) token. Failures are delayed and ask for the close. */
  async authenticate (token: Buffer, nowMs: number): Promise<AuthenticateResult> {
    const sasl = this.security.sasl
    const server = this.server
    if (sasl === null || server === null || (this.state !== 'authenticate' && this.state !== 'raw-token')) {
      return { ok: false, message: 'Unexpected SaslAuthenticate request' }
    }
    let user: string | undefined
    let response: Buffer
    try {
      ({ response, user } = server.evaluate(token))
      if (user !== undefined && this.previous !== null && this.previous.name !== user) {
        throw new SaslFailure('Cannot change principals during re-authentication')
      }
    } catch (err) {
      const reason = err instanceof SaslFailure
        ? err.message
        : `Authentication failed during authentication due to invalid credentials with SASL mechanism ${server.mechanism}`
      if (!(err instanceof SaslFailure)) this.logger.warn({ err }, 'SASL mechanism error')
      this.state = 'failed'
      this.logger.info({ mechanism: server.mechanism }, `Failed authentication (${reason})`)
      if (sasl.failedDelayMs > 0) await sleep(sasl.failedDelayMs)
      this.closeRequested = true
      return { ok: false, message: reason }
    }
    if (user === undefined) return { ok: true, response, complete: false, sessionLifetimeMs: 0 }
    this.principal = { type: 'User', name: user }
    this.previous = null
    this.state = 'done'
    this.expiresAtMs = sasl.reauthMs > 0 ? nowMs + sasl.reauthMs : null
    this.logger.debug({ principal: formatPrincipal(this.principal), mechanism: server.mechanism }, 'authenticated')
    return { ok: true, response, complete: true, sessionLifetimeMs: sasl.reauthMs }
  }
}
