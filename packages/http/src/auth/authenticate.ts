// HTTP Basic authentication of the REST API (the REST Proxy's authentication.method=BASIC): each
// request names a user and password, which the brokers check (the request is carried out by that
// user's own Kafka client, principals.ts), so the brokers' ACLs apply to it. A request without
// credentials, or with credentials the brokers refuse, gets 401 and a Basic challenge. The paths
// of http.authentication.skip.paths (health checks and /metrics by default) are served to anyone
// through the server's own client.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { ErrorCode, KafkaError } from '@brook/client'
import type { Logger } from '@brook/common'
import type { KafkaAccess } from '../kafka.js'
import { RestCode } from '../errors.js'
import { basicCredentials } from './basic.js'
import type { PrincipalClients, SaslMechanism } from './principals.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The Kafka client this request is carried out with: its user's, or the server's own. */
    kafka: KafkaAccess
    /** The authenticated user; null when authentication is off or the path skips it. */
    principal: string | null
  }
}

export interface HttpAuthentication {
  method: 'BASIC'
  /** The realm of the Basic challenge. */
  realm: string
  /** The SASL mechanism users authenticate to the brokers with. */
  mechanism: SaslMechanism
  /** A user's Kafka client is closed after this long unused (and without consumer instances). */
  clientIdleTimeoutMs: number
  /** Paths served without credentials (exact matches, without the query). */
  skipPaths: readonly string[]
  /** host:port entries of a SASL listener for users' clients; default the server's bootstrap (next to a broker: its first SASL_PLAINTEXT listener). */
  bootstrap?: readonly string[]
}

export interface AuthenticationHook {
  authentication: HttpAuthentication | null
  principals: PrincipalClients | null
  /** The server's own client (no user). */
  kafka: KafkaAccess
  logger: Logger
}

export function registerAuthentication (app: FastifyInstance, hook: AuthenticationHook): void {
  app.decorateRequest('kafka', null as unknown as KafkaAccess)
  app.decorateRequest('principal', null)
  const skip = new Set(hook.authentication?.skipPaths ?? [])
  app.addHook('onRequest', async (request, reply) => {
    request.kafka = hook.kafka
    request.principal = null
    const auth = hook.authentication
    const principals = hook.principals
    if (auth === null || principals === null || skip.has(request.url.split('?')[0] ?? '')) return
    const credentials = basicCredentials(request.headers.authorization)
    if (credentials === null) return await challenge(reply, auth.realm, 'Authentication required: send HTTP Basic credentials')
    try {
      request.kafka = await principals.access(credentials)
    } catch (err) {
      if (err instanceof KafkaError && err.code === ErrorCode.SASL_AUTHENTICATION_FAILED) {
        hook.logger.info({ user: credentials.username, method: request.method, url: request.url }, 'HTTP authentication failed')
        return await challenge(reply, auth.realm, `Authentication failed for user ${credentials.username}`)
      }
      throw err
    }
    request.principal = credentials.username
  })
}

async function challenge (reply: FastifyReply, realm: string, message: string): Promise<FastifyReply> {
  return await reply.status(401)
    .header('www-authenticate', `Basic realm="${realm.replace(/["\\]/g, '')}", charset="UTF-8"`)
    .send({ error_code: RestCode.UNAUTHENTICATED, message })
}
