// SaslHandshake (17): v0-1.
// Behaviour: picks the mechanism for the exchange that follows (session.ts); an unsupported one
// answers UNSUPPORTED_SASL_MECHANISM with the enabled list and closes the connection. On a
// listener without SASL, or once authenticated (unless re-authentication is due), ILLEGAL_SASL_STATE.
// Versions: v0 is followed by raw SASL tokens, v1 by SaslAuthenticate requests.
import { ErrorCode, saslHandshakeApi, type SaslHandshakeRequest, type SaslHandshakeResponse } from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import { defineHandler } from './handler.js'

function handle (ctx: RequestContext, request: SaslHandshakeRequest): SaslHandshakeResponse {
  if (ctx.session === undefined) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }
  return ctx.session.handshake(ctx.apiVersion, request.mechanism)
}

export default defineHandler(saslHandshakeApi, { min: 0, max: 1 }, handle, (_request, code) => ({ errorCode: code, mechanisms: [] }))
