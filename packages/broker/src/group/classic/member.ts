// One member of a classic group: identity, timeouts, the protocols it offered, its assignment,
// and the parked JoinGroup / SyncGroup it is waiting on (soft state, never persisted as such).
import type { JoinGroupResult, JoinProtocol, SyncGroupResult } from '../types.js'

export const EMPTY_ASSIGNMENT: Buffer = Buffer.alloc(0)

export interface MemberInit {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  protocolType: string
  protocols: JoinProtocol[]
  assignment?: Buffer
}

export class GroupMember {
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly clientId: string
  readonly clientHost: string
  readonly protocolType: string
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  protocols: JoinProtocol[]
  assignment: Buffer
  /** Set while a JoinGroup from this member is parked. */
  awaitingJoin: ((result: JoinGroupResult) => void) | null = null
  /** Set while a SyncGroup from this member is parked. */
  awaitingSync: ((result: SyncGroupResult) => void) | null = null
  /** Joined but has not yet completed a join phase: only the new-member timeout protects it. */
  isNew = false

  constructor (init: MemberInit) {
    this.memberId = init.memberId
    this.groupInstanceId = init.groupInstanceId
    this.clientId = init.clientId
    this.clientHost = init.clientHost
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs
    this.sessionTimeoutMs = init.sessionTimeoutMs
    this.protocolType = init.protocolType
    this.protocols = dedupeProtocols(init.protocols)
    this.assignment = init.assignment ?? EMPTY_ASSIGNMENT
  }

  get isStatic (): boolean {
    return this.groupInstanceId !== null
  }

  get isAwaitingJoin (): boolean {
    return this.awaitingJoin !== null
  }

  get isAwaitingSync (): boolean {
    return this.awaitingSync !== null
  }

  /**
   * Whether a session-expiry check should spare this member: a parked join or sync means the
   * client is alive and waiting on us. New members are never spared (they get the join timeout).
   */
  get hasSatisfiedHeartbeat (): boolean {
    if (this.isNew) return false
    return this.isAwaitingJoin || this.isAwaitingSync
  }

  protocolNames (): string[] {
    return this.protocols.map((p) => p.name)
  }

  metadata (protocolName: string | null): Buffer {
    if (protocolName === null) return EMPTY_ASSIGNMENT
    return this.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY_ASSIGNMENT
  }

  /** Same protocols, same order, same metadata bytes: a rejoin that changes nothing. */
  matches (protocols: JoinProtocol[]): boolean {
    const other = dedupeProtocols(protocols)
    if (other.length !== this.protocols.length) return false
    return other.every((p, i) => {
      const mine = this.protocols[i]
      return mine !== undefined && mine.name === p.name && mine.metadata.equals(p.metadata)
    })
  }

  /** The member's first preference among protocols every member supports. */
  vote (candidates: ReadonlySet<string>): string | undefined {
    return this.protocols.find((p) => candidates.has(p.name))?.name
  }
}

/** A protocol named twice would count twice toward "supported by every member"; keep the first. */
export function dedupeProtocols (protocols: JoinProtocol[]): JoinProtocol[] {
  const seen = new Set<string>()
  const out: JoinProtocol[] = []
  for (const p of protocols) {
    if (seen.has(p.name)) continue
    seen.add(p.name)
    out.push(p)
  }
  return out
}
