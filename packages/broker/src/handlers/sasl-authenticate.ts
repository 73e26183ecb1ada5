// SaslAuthenticate (36): v0-2.
// Behaviour: one token of the SASL exchange chosen by SaslHandshake v1 (security/session.ts).
// A refused exchange answers SASL_AUTHENTICATION_FAILED with the reason, after
// connection.failed.authentication.delay.ms, and the connection closes. Outside an exchange (no
// SASL on the listener, already authenticated): ILLEGAL_SASL_STATE, as Kafka.
// Versions: v1 session_lifetime_ms (connections.max.reauth.ms, KIP-368); v2 flexible.
import { ErrorCode, saslAuthenticateApi, type SaslAuthenticateRequest, type SaslAuthenticateResponse } from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

const EMPTY = Buffer.alloc(0)

async function handle (ctx: RequestContext, request: SaslAuthenticateRequest): Promise<SaslAuthenticateResponse> {
  const session = ctx.session
  if (session === undefined || session.sasl === null || session.authenticated) {
    return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'SaslAuthenticate request received after successful authentication', authBytes: EMPTY, sessionLifetimeMs: 0n }
  }
  const result = await session.authenticate(request.authBytes, Date.now())
  if (!result.ok) return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: result.message, authBytes: EMPTY, sessionLifetimeMs: 0n }
  return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: result.response, sessionLifetimeMs: BigInt(result.sessionLifetimeMs) }
}

export default defineHandler(saslAuthenticateApi, { min: 0, max: 2 }, handle,
  (_request, code) => ({ errorCode: code, errorMessage: null, authBytes: EMPTY, sessionLifetimeMs: 0n }))
