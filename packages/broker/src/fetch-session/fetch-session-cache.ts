// The broker's fetch sessions (KIP-227), as Kafka's FetchSessionCache: at most
// max.incremental.fetch.session.cache.slots sessions (0 disables sessions). When full, a new
// session takes the slot of the least recently used session if that one has been idle for more
// than two minutes; otherwise of the "least valuable" session among those old enough to be
// evicted (created more than two minutes ago; for a follower's request also every consumer
// session): consumer sessions before follower sessions, then the fewest partitions, then the
// lowest id, and only if the new session has more partitions than that one. Otherwise the
// fetch is answered without a session (session id 0), which the client accepts.
// Simplified from Kafka: one cache instead of Kafka's shards, and no metrics.
import { randomInt } from 'node:crypto'
import { FetchSession } from './fetch-session.js'

/** Kafka's MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS. */
export const SESSION_EVICTION_MS = 120_000
export const INVALID_SESSION_ID = 0

export class FetchSessionCache {
  /** Least recently used first: touching a session moves it to the end. */
  readonly #sessions = new Map<number, FetchSession>()
  readonly #maxSessions: number
  readonly #evictionMs: number
  readonly #clock: () => number

  constructor (options: { maxSessions: number, evictionMs?: number, clock?: () => number }) {
    this.#maxSessions = options.maxSessions
    this.#evictionMs = options.evictionMs ?? SESSION_EVICTION_MS
    this.#clock = options.clock ?? Date.now
  }

  get size (): number {
    return this.#sessions.size
  }

  /** Total partitions over every session (Kafka's NumIncrementalFetchPartitionsCached). */
  get partitionCount (): number {
    let n = 0
    for (const s of this.#sessions.values()) n += s.size
    return n
  }

  now (): number {
    return this.#clock()
  }

  get (id: number): FetchSession | undefined {
    return this.#sessions.get(id)
  }

  remove (id: number): boolean {
    return this.#sessions.delete(id)
  }

  touch (session: FetchSession, now: number): void {
    session.lastUsedMs = now
    if (this.#sessions.get(session.id) !== session) return
    this.#sessions.delete(session.id)
    this.#sessions.set(session.id, session)
  }

  /** A new session filled by `fill`, or undefined when there is no slot for one. */
  create (usesTopicIds: boolean, privileged: boolean, size: number, fill: (session: FetchSession) => void): FetchSession | undefined {
    const now = this.#clock()
    if (this.#sessions.size >= this.#maxSessions && !this.#tryEvict(privileged, size, now)) return undefined
    const session = new FetchSession(this.#newId(), usesTopicIds, privileged, now)
    fill(session)
    this.#sessions.set(session.id, session)
    return session
  }

  #tryEvict (privileged: boolean, size: number, now: number): boolean {
    const leastRecent = this.#sessions.values().next()
    if (leastRecent.done === true) return false
    if (now - leastRecent.value.lastUsedMs > this.#evictionMs) {
      this.#sessions.delete(leastRecent.value.id)
      return true
    }
    let victim: FetchSession | undefined
    for (const s of this.#sessions.values()) {
      const oldEnough = now - s.creationMs > this.#evictionMs
      const evictable = oldEnough || (privileged && !s.privileged)
      if (evictable && (victim === undefined || compareValue(s, victim) < 0)) victim = s
    }
    // The new session (id 0 in Kafka's comparison) must be worth more than the victim.
    if (victim === undefined || compareKey(privileged, size, 0, victim) < 0) return false
    this.#sessions.delete(victim.id)
    return true
  }

  #newId (): number {
    for (;;) {
      const id = randomInt(1, 0x7fffffff)
      if (!this.#sessions.has(id)) return id
    }
  }
}

function compareValue (a: FetchSession, b: FetchSession): number {
  return compareKey(a.privileged, a.size, a.id, b)
}

/** Kafka's EvictableKey order: consumer before follower, then fewer partitions, then lower id. */
function compareKey (privileged: boolean, size: number, id: number, b: FetchSession): number {
  if (privileged !== b.privileged) return privileged ? 1 : -1
  if (size !== b.size) return size - b.size
  return id - b.id
}
