// The handler seam: one file per Kafka API declares the versions it serves and a function from
// the decoded request to the response. The registry (index.ts) lists them; ApiVersions is
// computed from it, and server/connection.ts refuses everything outside it.
import type { ApiSchema } from '@brook/protocol'
import type { RequestContext } from '../server/request-context.js'
import type { Requirement } from '../security/authorizer/request-access.js'

export interface VersionSupport {
  min: number
  max: number
  /**
   * Lowest version advertised in ApiVersions when lower than `min` (Produce: Kafka 4 advertises
   * v0-2 but refuses them, because librdkafka disables compression when the minimum is 3).
   */
  advertisedMin?: number
}

/** `null` means no response at all (Produce with acks=0). */
type HandlerResult<Res> = Res | null

export interface Handler<Req = unknown, Res = unknown> {
  readonly api: ApiSchema<Req, Res>
  readonly versions: VersionSupport
  handle (ctx: RequestContext, request: Req): Promise<HandlerResult<Res>> | HandlerResult<Res>
  /** The whole-request error response (Kafka's getErrorResponse), used when `handle` throws. */
  errorResponse (request: Req, code: number, ctx: RequestContext): HandlerResult<Res>
  /**
   * True when nothing refers to the request's bytes once `handle` has settled (Produce: the
   * records are written by then), so the connection may recycle the buffer the request was
   * gathered into. False for every handler that keeps views of its request (group metadata).
   */
  readonly releasesRequestBytes: boolean
  /**
   * What the whole request needs authorized (Kafka's checks before the work, such as READ on the
   * group of a JoinGroup); the pipeline answers `errorResponse` with the code of the first one
   * refused. Per-topic checks are the handler's own.
   */
  requires? (request: Req, ctx: RequestContext): readonly Requirement[]
}

export interface HandlerOptions<Req = unknown> {
  /** See Handler.releasesRequestBytes; false by default. */
  releasesRequestBytes?: boolean
  /** See Handler.requires. */
  requires?: (request: Req, ctx: RequestContext) => readonly Requirement[]
}

export function defineHandler<Req, Res> (
  api: ApiSchema<Req, Res>,
  versions: VersionSupport,
  handle: Handler<Req, Res>['handle'],
  errorResponse: Handler<Req, Res>['errorResponse'],
  options: HandlerOptions<Req> = {}
): Handler<Req, Res> {
  const handler = { api, versions, handle, errorResponse, releasesRequestBytes: options.releasesRequestBytes ?? false }
  return options.requires === undefined ? handler : { ...handler, requires: options.requires }
}
