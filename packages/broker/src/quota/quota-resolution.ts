// Which configured quota applies to a client, in Kafka's order (most specific first):
//   user + client-id, user + default client-id, user,
//   default user + client-id, default user + default client-id, default user,
//   client-id, default client-id.
// The first entity that has the key wins. Clients matching the same entity share one budget
// as Kafka's metric tags make them: a user-only quota is shared by all of that user's client
// ids, a client-id-only quota by every user with that client id.
import { CLIENT_ID, USER, type QuotaEntity } from './quota-entity.js'

export interface ResolvedQuota {
  readonly value: number
  /** The budget this client draws from (user and client-id tags, '' where not part of it). */
  readonly bucket: string
}

type Part = 'name' | 'default' | null

const ORDER: ReadonlyArray<readonly [Part, Part]> = [
  ['name', 'name'], ['name', 'default'], ['name', null],
  ['default', 'name'], ['default', 'default'], ['default', null],
  [null, 'name'], [null, 'default']
]

export function resolveQuota (valuesOf: (entity: QuotaEntity) => ReadonlyMap<string, number>, key: string, user: string, clientId: string): ResolvedQuota | null {
  for (const [userPart, clientPart] of ORDER) {
    const entity = new Map<string, string | null>()
    if (userPart !== null) entity.set(USER, userPart === 'name' ? user : null)
    if (clientPart !== null) entity.set(CLIENT_ID, clientPart === 'name' ? clientId : null)
    const value = valuesOf(entity).get(key)
    if (value !== undefined) {
      const bucket = JSON.stringify([userPart === null ? '' : user, clientPart === null ? '' : clientId])
      return { value, bucket }
    }
  }
  return null
}
