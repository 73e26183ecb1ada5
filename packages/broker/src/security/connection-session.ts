// The session a new connection starts with: TLS connections are their certificate's principal
// until SASL (if any) authenticates them; everything else starts ANONYMOUS.
import type { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import type { Logger } from '@brook/common'
import type { ListenerSecurity } from './listener-security.js'
import { ANONYMOUS, formatPrincipal, tlsPrincipal } from './principal.js'
import { Session } from './session.js'

export function connectionSession (socket: Socket, security: ListenerSecurity, logger: Logger): Session {
  const child = logger.child({ listener: security.name, client: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}` })
  let principal = ANONYMOUS
  if (socket instanceof TLSSocket) {
    try {
      principal = tlsPrincipal(socket, security.principalRules)
      child.debug({ principal: formatPrincipal(principal) }, 'TLS connection')
    } catch (err) {
      // No mapping rule matched: Kafka refuses such a connection too.
      child.warn({ err }, 'no principal for the client certificate; closing')
      socket.destroy()
    }
  }
  return new Session(security, child, principal)
}
