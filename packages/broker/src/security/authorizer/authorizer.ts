// The authorizer seam, as Kafka's Authorizer: is this principal, connecting from this host,
// allowed these operations on these resources? Brook's one implementation is
// StandardAuthorizer (standard-authorizer.ts); without authorizer.class.name there is none and
// every request is allowed, as in Kafka.
import type { Principal } from '../principal.js'

/** One operation on one resource, codes as Kafka's ResourceType and AclOperation. */
export interface Action {
  readonly resourceType: number
  readonly resourceName: string
  readonly operation: number
}

/** Who asks: the connection's principal and the client's IP address. */
export interface Requester {
  readonly principal: Principal
  readonly host: string
}

export interface Authorizer {
  /** One answer per action, in order. */
  authorize: (who: Requester, actions: readonly Action[]) => boolean[]
  /**
   * Kafka's authorizeByResourceType: may the principal do `operation` on at least one resource of
   * this type (InitProducerId without a transactional id asks it for WRITE on topics).
   */
  authorizeAny: (who: Requester, resourceType: number, operation: number) => boolean
  close: () => void
}
