// What the telemetry store knows of the client behind a request: what KIP-714's match selectors
// read (client id, source address and port, the software named in ApiVersions).
import type { RequestContext } from '../server/request-context.js'
import type { ClientIdentity } from './client-telemetry.js'

export function clientIdentity (ctx: RequestContext): ClientIdentity {
  return {
    clientId: ctx.clientId,
    clientHost: ctx.clientHost ?? null,
    clientPort: ctx.clientPort ?? null,
    clientSoftwareName: ctx.clientSoftware?.name ?? null,
    clientSoftwareVersion: ctx.clientSoftware?.version ?? null
  }
}
