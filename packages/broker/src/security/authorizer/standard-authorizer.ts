// Kafka's StandardAuthorizer over an AclStore. Rules, in order:
//   1. a super user (super.users, "User:a;User:b") may do everything;
//   2. the ACLs whose pattern matches the resource are gathered (acl-match.ts); among those whose
//      principal and host match, a DENY for the operation (or ALL) refuses, whatever else allows;
//   3. else an ALLOW for the operation (or ALL, or one that implies it) allows;
//   4. else, when no ACL at all matches the resource, allow.everyone.if.no.acl.found decides;
//      otherwise the action is refused.
// The index is rebuilt from the store's whole set on every change (ACL changes are rare; lookups
// are on every request): per resource type, literal bindings by name and prefixed ones by prefix,
// looked up with the name cut at each prefix length in use (never a scan of every binding).
import { type AclBinding, type AclStore, AclPermission, PatternType } from '@brook/metadata'
import { formatPrincipal } from '../principal.js'
import { hostMatches, operationMatches, patternMatches, principalMatches, WILDCARD_RESOURCE } from './acl-match.js'
import type { Action, Authorizer, Requester } from './authorizer.js'

export interface StandardAuthorizerSettings {
  /** Principals ("User:name") allowed everything. */
  readonly superUsers: ReadonlySet<string>
  readonly allowEveryoneIfNoAclFound: boolean
}

interface TypeIndex {
  literal: Map<string, AclBinding[]>
  prefixed: Map<string, AclBinding[]>
  /** The distinct lengths of the prefixes in `prefixed`. */
  prefixLengths: number[]
  all: AclBinding[]
}

function addTo (map: Map<string, AclBinding[]>, key: string, b: AclBinding): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [b])
  else list.push(b)
}

/** super.users: semicolon-separated principals. */
export function parseSuperUsers (text: string | null): Set<string> {
  return new Set((text ?? '').split(';').map((p) => p.trim()).filter((p) => p !== ''))
}

export class StandardAuthorizer implements Authorizer {
  private readonly settings: StandardAuthorizerSettings
  private index = new Map<number, TypeIndex>()
  private readonly unsubscribe: () => void

  constructor (store: AclStore, settings: StandardAuthorizerSettings) {
    this.settings = settings
    this.rebuild(store.list())
    this.unsubscribe = store.subscribe((all) => this.rebuild(all))
  }

  authorize (who: Requester, actions: readonly Action[]): boolean[] {
    const principal = formatPrincipal(who.principal)
    if (this.settings.superUsers.has(principal)) return actions.map(() => true)
    return actions.map((a) => this.decide(principal, who.host, a))
  }

  authorizeAny (who: Requester, resourceType: number, operation: number): boolean {
    const principal = formatPrincipal(who.principal)
    if (this.settings.superUsers.has(principal)) return true
    const bindings = this.index.get(resourceType)?.all ?? []
    if (bindings.length === 0) return this.settings.allowEveryoneIfNoAclFound
    const applies = (b: AclBinding): boolean => principalMatches(b, principal) && hostMatches(b, who.host) && operationMatches(b, operation)
    const denies = bindings.filter((b) => b.permissionType === AclPermission.DENY && applies(b))
    if (denies.some((d) => d.resourceName === WILDCARD_RESOURCE && d.patternType === PatternType.LITERAL)) return false
    // Allowed somewhere: an ALLOW pattern that no DENY pattern covers whole.
    return bindings.some((b) => b.permissionType === AclPermission.ALLOW && applies(b) &&
      !denies.some((d) => d.patternType === PatternType.PREFIXED
        ? b.resourceName.startsWith(d.resourceName)
        : b.patternType === PatternType.LITERAL && d.resourceName === b.resourceName))
  }

  close (): void {
    this.unsubscribe()
  }

  private decide (principal: string, host: string, action: Action): boolean {
    const typeIndex = this.index.get(action.resourceType)
    let found = false
    let allowed = false
    const consider = (b: AclBinding): boolean => {
      if (!patternMatches(b, action.resourceName)) return false
      found = true
      if (!principalMatches(b, principal) || !hostMatches(b, host) || !operationMatches(b, action.operation)) return false
      if (b.permissionType === AclPermission.DENY) return true
      allowed = true
      return false
    }
    if (typeIndex !== undefined) {
      const name = action.resourceName
      for (const list of [typeIndex.literal.get(name), typeIndex.literal.get(WILDCARD_RESOURCE)]) {
        if (list !== undefined) for (const b of list) if (consider(b)) return false
      }
      for (const length of typeIndex.prefixLengths) {
        if (length > name.length) break
        const list = typeIndex.prefixed.get(name.slice(0, length))
        if (list !== undefined) for (const b of list) if (consider(b)) return false
      }
    }
    if (allowed) return true
    return !found && this.settings.allowEveryoneIfNoAclFound
  }

  private rebuild (bindings: readonly AclBinding[]): void {
    const index = new Map<number, TypeIndex>()
    for (const b of bindings) {
      let t = index.get(b.resourceType)
      if (t === undefined) index.set(b.resourceType, t = { literal: new Map(), prefixed: new Map(), prefixLengths: [], all: [] })
      t.all.push(b)
      addTo(b.patternType === PatternType.PREFIXED ? t.prefixed : t.literal, b.resourceName, b)
    }
    for (const t of index.values()) t.prefixLengths = [...new Set([...t.prefixed.keys()].map((p) => p.length))].sort((a, b) => a - b)
    this.index = index
  }
}
