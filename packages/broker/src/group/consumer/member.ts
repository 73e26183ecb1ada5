// One member of a KIP-848 consumer group: what it subscribes to (durable: MemberMetadata), and
// where it stands in reconciliation (durable: CurrentAssignment): its member epoch, the
// partitions it may use, and those it still has to give back.
import { type Assignment, copyAssignment, emptyAssignment, fromWire, toWire } from './assignment.js'
import type { CurrentAssignmentValue, MemberMetadata } from './records.js'

/** Kafka's MemberState byte values, as written in CurrentMemberAssignment records. */
export const MemberState = {
  /** Owns its target assignment at the target epoch. */
  STABLE: 0,
  /** Must first give back `pendingRevocation` (it reports that by heartbeating without them). */
  UNREVOKED_PARTITIONS: 1,
  /** Waits for partitions of its target that another member still owns. */
  UNRELEASED_PARTITIONS: 2,
  UNKNOWN: 127
} as const

export type MemberStateValue = typeof MemberState[keyof typeof MemberState]

export function memberStateName (state: number): string {
  switch (state) {
    case MemberState.STABLE: return 'stable'
    case MemberState.UNREVOKED_PARTITIONS: return 'unrevoked_partitions'
    case MemberState.UNRELEASED_PARTITIONS: return 'unreleased_partitions'
    default: return 'unknown'
  }
}

/** A static member that left with epoch -2 keeps its place (and partitions) for its session. */
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2
export const LEAVE_GROUP_MEMBER_EPOCH = -1

export interface CurrentAssignment {
  memberEpoch: number
  previousMemberEpoch: number
  state: number
  assigned: Assignment
  pendingRevocation: Assignment
}

export function initialCurrent (): CurrentAssignment {
  return { memberEpoch: 0, previousMemberEpoch: -1, state: MemberState.STABLE, assigned: emptyAssignment(), pendingRevocation: emptyAssignment() }
}

export function currentToRecord (c: CurrentAssignment): CurrentAssignmentValue {
  return {
    memberEpoch: c.memberEpoch,
    previousMemberEpoch: c.previousMemberEpoch,
    state: c.state,
    assigned: toWire(c.assigned),
    pendingRevocation: toWire(c.pendingRevocation)
  }
}

export function currentFromRecord (v: CurrentAssignmentValue): CurrentAssignment {
  return {
    memberEpoch: v.memberEpoch,
    previousMemberEpoch: v.previousMemberEpoch,
    state: v.state,
    assigned: fromWire(v.assigned),
    pendingRevocation: fromWire(v.pendingRevocation)
  }
}

export class ConsumerMember {
  readonly memberId: string
  metadata: MemberMetadata
  current: CurrentAssignment

  constructor (memberId: string, metadata: MemberMetadata, current: CurrentAssignment = initialCurrent()) {
    this.memberId = memberId
    this.metadata = metadata
    this.current = current
  }

  get instanceId (): string | null {
    return this.metadata.instanceId
  }

  copy (): ConsumerMember {
    return new ConsumerMember(this.memberId, { ...this.metadata, subscribedTopicNames: [...this.metadata.subscribedTopicNames] }, {
      ...this.current,
      assigned: copyAssignment(this.current.assigned),
      pendingRevocation: copyAssignment(this.current.pendingRevocation)
    })
  }
}

export function sameMetadata (a: MemberMetadata, b: MemberMetadata): boolean {
  return a.instanceId === b.instanceId && a.rackId === b.rackId && a.clientId === b.clientId &&
    a.clientHost === b.clientHost && a.subscribedTopicRegex === b.subscribedTopicRegex &&
    a.rebalanceTimeoutMs === b.rebalanceTimeoutMs && a.serverAssignor === b.serverAssignor &&
    sameTopics(a.subscribedTopicNames, b.subscribedTopicNames) && sameClassic(a, b)
}

function sameClassic (a: MemberMetadata, b: MemberMetadata): boolean {
  const x = a.classic ?? null
  const y = b.classic ?? null
  if (x === null || y === null) return x === y
  return x.sessionTimeoutMs === y.sessionTimeoutMs && x.supportedProtocols.length === y.supportedProtocols.length &&
    x.supportedProtocols.every((p, i) => p.name === y.supportedProtocols[i]?.name && p.metadata.equals(y.supportedProtocols[i]?.metadata ?? Buffer.alloc(0)))
}

export function sameTopics (a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  const set = new Set(a)
  return b.every((t) => set.has(t))
}

export function sameCurrent (a: CurrentAssignment, b: CurrentAssignment): boolean {
  const wa = currentToRecord(a)
  const wb = currentToRecord(b)
  return JSON.stringify(wa) === JSON.stringify(wb)
}
