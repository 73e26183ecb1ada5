// Authorization as handlers and the request pipeline ask for it: the requester is the
// connection's principal and the client's address. Without an authorizer (no
// authorizer.class.name) everything is allowed.
//
// Two ways a handler states what it needs, as Kafka's KafkaApis checks it:
// - whole-request requirements (HandlerOptions.requires): the group a JoinGroup joins, the
//   transactional id of an EndTxn, the cluster for DescribeLogDirs...; the pipeline checks them
//   before the handler runs and answers the handler's error response with the requirement's code
//   (server/connection.ts);
// - per-resource checks inside the handler where Kafka answers per topic or per group (Produce,
//   Fetch, Metadata, ...), through allowed/allowedEach below.
import { ANONYMOUS } from '../principal.js'
import type { RequestContext } from '../../server/request-context.js'
import type { Action, Requester } from './authorizer.js'
import { normalizeHost } from './acl-match.js'

/** An action the whole request needs, and the error code the request gets without it. */
export interface Requirement extends Action {
  readonly errorCode: number
}

export function requesterOf (ctx: RequestContext): Requester {
  return { principal: ctx.session?.principal ?? ANONYMOUS, host: normalizeHost(ctx.clientHost ?? '') }
}

export function allowedEach (ctx: RequestContext, actions: readonly Action[]): boolean[] {
  const authorizer = ctx.broker.authorizer
  if (authorizer === undefined) return actions.map(() => true)
  return authorizer.authorize(requesterOf(ctx), actions)
}

export function allowed (ctx: RequestContext, resourceType: number, resourceName: string, operation: number): boolean {
  return allowedEach(ctx, [{ resourceType, resourceName, operation }])[0] === true
}

/** Kafka's authorizeByResourceType (Authorizer.authorizeAny). */
export function allowedAny (ctx: RequestContext, resourceType: number, operation: number): boolean {
  const authorizer = ctx.broker.authorizer
  return authorizer === undefined || authorizer.authorizeAny(requesterOf(ctx), resourceType, operation)
}

/** The error code of the first requirement refused, or null when all are allowed. */
export function refusal (ctx: RequestContext, requirements: readonly Requirement[]): number | null {
  if (requirements.length === 0 || ctx.broker.authorizer === undefined) return null
  const answers = allowedEach(ctx, requirements)
  const at = answers.indexOf(false)
  return at < 0 ? null : (requirements[at] as Requirement).errorCode
}
