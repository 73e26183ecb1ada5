// Where ACL bindings live: durable, shared by every broker that opens the same store, and
// observed by the authorizer through a listener that sees every change.
//
// Guarantees every store gives (test/acl-conformance.ts):
// - create() adds bindings that are not there yet (an existing one is left as it is) and resolves
//   once they are durable and visible in list() of this store;
// - remove() deletes exactly the given bindings that exist and resolves with those it removed;
// - every open store on the same storage converges to the same set: a change made through one
//   reaches the others' list() and listeners (at once for the same store, by watch for etcd);
// - bindings survive closing and reopening the store (a broker restart).
import type { AclBinding } from './acl-binding.js'

export type AclListener = (bindings: readonly AclBinding[]) => void

export interface AclStore {
  /** Every binding, in no particular order. */
  list: () => readonly AclBinding[]
  create: (bindings: readonly AclBinding[]) => Promise<void>
  /** Removes these bindings; resolves with the ones that existed. */
  remove: (bindings: readonly AclBinding[]) => Promise<AclBinding[]>
  /** Called with the whole set after each change (local or from another broker). Returns unsubscribe. */
  subscribe: (listener: AclListener) => () => void
  close: () => Promise<void>
}
