// Share sessions (KIP-932), one per (group, member): the share-partitions the member fetches from
// and the epoch the next ShareFetch/ShareAcknowledge must carry. Epoch 0 opens a session (replacing
// one the member had), -1 closes it, any other value must equal the session's epoch, which every
// request on the session then increments (wrapping past INT32_MAX to 1, never 0).
import { ErrorCode } from '@brook/protocol'
import { KafkaError } from '../errors.js'

/** Kafka 4.1's SHARE_SESSION_LIMIT_REACHED (newer than the generated error table). */
export const SHARE_SESSION_LIMIT_REACHED = 132

export const OPEN_EPOCH = 0
export const CLOSE_EPOCH = -1

export interface SharePartitionRef {
  topicId: string
  partition: number
}

export class ShareSession {
  readonly groupId: string
  readonly memberId: string
  epoch = 1
  /** When a request last used the session (idle sessions make room when the cache is full). */
  lastUsed = Date.now()
  /** "topicId:partition" -> ref, in the order they were added. */
  readonly partitions = new Map<string, SharePartitionRef>()

  constructor (groupId: string, memberId: string) {
    this.groupId = groupId
    this.memberId = memberId
  }

  add (ref: SharePartitionRef): void {
    this.partitions.set(`${ref.topicId}:${ref.partition}`, ref)
  }

  forget (ref: SharePartitionRef): void {
    this.partitions.delete(`${ref.topicId}:${ref.partition}`)
  }

  bump (): void {
    this.lastUsed = Date.now()
    this.epoch = this.epoch >= 0x7fffffff ? 1 : this.epoch + 1
  }
}

export class ShareSessions {
  readonly #sessions = new Map<string, ShareSession>()
  readonly #maxSessions: number
  readonly #idleMs: number

  /** A full cache evicts sessions idle for idleMs (their members stopped fetching) before refusing. */
  constructor (maxSessions: number, idleMs = 120_000) {
    this.#maxSessions = maxSessions
    this.#idleMs = idleMs
  }

  get size (): number {
    return this.#sessions.size
  }

  #key (groupId: string, memberId: string): string {
    return `${groupId}\u0000${memberId}`
  }

  get (groupId: string, memberId: string): ShareSession | undefined {
    return this.#sessions.get(this.#key(groupId, memberId))
  }

  /** Opens a new session for the member (replacing its old one); returns it and whether one was replaced. */
  open (groupId: string, memberId: string): { session: ShareSession, replaced: boolean } {
    const key = this.#key(groupId, memberId)
    const replaced = this.#sessions.delete(key)
    if (this.#sessions.size >= this.#maxSessions) {
      const idleBefore = Date.now() - this.#idleMs
      for (const [k, s] of this.#sessions) if (s.lastUsed < idleBefore) this.#sessions.delete(k)
    }
    if (this.#sessions.size >= this.#maxSessions) throw new KafkaError(SHARE_SESSION_LIMIT_REACHED, 'The share session cache is full.')
    const session = new ShareSession(groupId, memberId)
    this.#sessions.set(key, session)
    return { session, replaced }
  }

  /**
   * The member's session for a request with `epoch` (not 0 or -1): SHARE_SESSION_NOT_FOUND when
   * it has none, INVALID_SHARE_SESSION_EPOCH when the epoch is not the expected one.
   */
  expect (groupId: string, memberId: string, epoch: number): ShareSession {
    const session = this.get(groupId, memberId)
    if (session === undefined) throw new KafkaError(ErrorCode.SHARE_SESSION_NOT_FOUND, `No share session for member ${memberId} of group ${groupId}.`)
    if (epoch !== CLOSE_EPOCH && session.epoch !== epoch) {
      throw new KafkaError(ErrorCode.INVALID_SHARE_SESSION_EPOCH, `Share session epoch ${epoch} is not the expected ${session.epoch}.`)
    }
    return session
  }

  close (groupId: string, memberId: string): void {
    this.#sessions.delete(this.#key(groupId, memberId))
  }

  /** The member left its group: its session goes too. */
  dropMember (groupId: string, memberId: string): void {
    this.close(groupId, memberId)
  }
}
