// What a leader election on request (ElectLeaders) or by the controller's rebalance does to one
// partition, decided from its current state and the brokers that may lead (live, not fenced):
// - preferred: the first replica of the assignment leads, if it is live and in the ISR;
//   ELECTION_NOT_NEEDED when it already leads, PREFERRED_LEADER_NOT_AVAILABLE otherwise;
// - unclean: only for a partition without a live leader; the first live ISR member in assignment
//   order, else (this is what makes it unclean) the first live replica outside the ISR, which
//   becomes the whole ISR; ELIGIBLE_LEADERS_NOT_AVAILABLE when no replica is live.
import { NO_LEADER, type PartitionMetadata } from '@brook/metadata'
import { ErrorCode } from '@brook/protocol'

/** Kafka's ElectionType values. */
export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const
export type ElectionKind = typeof ElectionType[keyof typeof ElectionType]

export type ElectionDecision =
  | { kind: 'change', leader: number, isr: number[], unclean: boolean }
  | { kind: 'refused', errorCode: number, message: string }

export function decideElection (type: ElectionKind, p: PartitionMetadata, canLead: (id: number) => boolean): ElectionDecision {
  return type === ElectionType.UNCLEAN ? unclean(p, canLead) : preferred(p, canLead)
}

function preferred (p: PartitionMetadata, canLead: (id: number) => boolean): ElectionDecision {
  const first = p.replicas[0]
  if (first === undefined) return { kind: 'refused', errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, message: 'The partition has no replicas.' }
  if (p.leader === first) return { kind: 'refused', errorCode: ErrorCode.ELECTION_NOT_NEEDED, message: 'Leader election not needed for topic partition.' }
  if (!canLead(first) || !p.isr.includes(first)) {
    return { kind: 'refused', errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, message: `The preferred replica ${first} is not live or not in the ISR.` }
  }
  return { kind: 'change', leader: first, isr: [...p.isr], unclean: false }
}

function unclean (p: PartitionMetadata, canLead: (id: number) => boolean): ElectionDecision {
  if (p.leader !== NO_LEADER && canLead(p.leader)) {
    return { kind: 'refused', errorCode: ErrorCode.ELECTION_NOT_NEEDED, message: 'The partition has a live leader.' }
  }
  const clean = p.replicas.find((id) => canLead(id) && p.isr.includes(id))
  if (clean !== undefined) return { kind: 'change', leader: clean, isr: p.isr.filter((id) => canLead(id)), unclean: false }
  const any = p.replicas.find((id) => canLead(id))
  if (any === undefined) return { kind: 'refused', errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, message: 'No replica of the partition is live.' }
  return { kind: 'change', leader: any, isr: [any], unclean: true }
}
